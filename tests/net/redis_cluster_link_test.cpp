// RedisClusterLink against a real redis-server of the test's own: the store calls across two
// links; liveness through key expiry and a claim that only one node wins; the bus in order; a
// lost Redis answered at once. (tests/harness/redis_cluster_store_test.cpp compares the store
// with the simulated one.)
#include <mutex>
#include <thread>

#include <catch2/catch.hpp>

#include "net/real_clock.hpp"
#include "net/redis_cluster_link.hpp"
#include "support/free_port.hpp"
#include "support/redis_cluster_fixture.hpp"

namespace pushsim::test {

namespace {

std::unique_ptr<RedisClusterLink> link_to(const TestRedis& redis, const std::string& prefix, NodeId node,
                                          std::vector<std::string>* log = nullptr) {
  RedisClusterOptions options;
  options.address = *parse_redis_url(redis.url());
  options.prefix = prefix;
  options.node = node;
  options.connect_timeout = std::chrono::milliseconds(500);
  options.command_timeout = std::chrono::milliseconds(500);
  options.log = [log](const std::string& line) {
    if (log) log->push_back(line);
  };
  auto link = RedisClusterLink::connect(options);
  INFO((link ? std::string("connected") : link.error().message));
  REQUIRE(link.ok());
  return std::move(link).value();
}

std::vector<std::string> user_ids(const std::vector<PresenceMember>& members) {
  std::vector<std::string> out;
  for (const auto& member : members) out.push_back(member.user_id);
  return out;
}

PresenceMember member(const std::string& user) { return PresenceMember{user, Json{{"name", user}}}; }

}  // namespace

TEST_CASE("redis link: the redis:// URL is read or refused with a reason", "[net][redis]") {
  auto full = parse_redis_url("redis://10.0.0.1:7000/3");
  REQUIRE(full.ok());
  CHECK(full->host == "10.0.0.1");
  CHECK(full->port == 7000);
  CHECK(full->db == 3);
  auto plain = parse_redis_url("redis://localhost");
  REQUIRE(plain.ok());
  CHECK(plain->port == 6379);
  CHECK(plain->db == 0);
  CHECK_FALSE(parse_redis_url("http://localhost:6379").ok());
  CHECK_FALSE(parse_redis_url("redis://:6379").ok());
  CHECK_FALSE(parse_redis_url("redis://host:0").ok());
  CHECK_FALSE(parse_redis_url("redis://host:6379/x").ok());
  CHECK_FALSE(parse_redis_url("redis://user:pw@host").ok());
}

TEST_CASE("redis link: a PeerMessage survives its JSON on the bus", "[net][redis]") {
  PeerMessage message;
  message.from = 3;
  message.app_id = "app";
  message.channel = "presence-room";
  message.text = R"({"event":"x","data":"{\"a\":1}"})";
  message.exclude_socket_id = "1.2";
  message.cache = CachedEvent{"e", "d", 42};
  message.member = "u1";
  message.member_version = 9;
  message.user_notice = UserNotice{"u2", "terminate"};
  auto decoded = decode_peer_message(encode_peer_message(message));
  REQUIRE(decoded.has_value());
  CHECK(*decoded == message);
  PeerMessage bare;
  bare.text = "t";
  CHECK(decode_peer_message(encode_peer_message(bare)) == bare);
  CHECK_FALSE(decode_peer_message("not json").has_value());
  CHECK_FALSE(decode_peer_message(R"({"from":1,"app_id":"a","channel":"c"})").has_value());
  CHECK_FALSE(decode_peer_message(R"({"from":-1,"app_id":"a","channel":"c","text":"t"})").has_value());
  CHECK_FALSE(decode_peer_message(R"({"from":1,"app_id":"a","channel":"","text":"","user_notice":{"user_id":"u"}})")
                  .has_value());
}

TEST_CASE("redis link: an unreachable Redis is an error within the connect timeout", "[net][redis]") {
  RedisClusterOptions options;
  options.address = *parse_redis_url("redis://127.0.0.1:" + std::to_string(free_loopback_port()));
  options.connect_timeout = std::chrono::milliseconds(500);
  const auto started = std::chrono::steady_clock::now();
  auto link = RedisClusterLink::connect(options);
  REQUIRE_FALSE(link.ok());
  CHECK(link.error().message.find("cannot reach redis at") != std::string::npos);
  CHECK(std::chrono::steady_clock::now() - started < std::chrono::seconds(10));  // a loaded machine's slack
}

TEST_CASE("redis link: subscription counts are cluster-wide and per node", "[net][redis]") {
  TestRedis redis;
  PUSHSIM_NEED_REDIS(redis);
  const std::string prefix = fresh_cluster_prefix();
  auto one = link_to(redis, prefix, 1);
  auto two = link_to(redis, prefix, 2);
  auto elsewhere = link_to(redis, fresh_cluster_prefix(), 1);

  CHECK(one->add_subscription("app", "news", +1, false).count == 1);
  CHECK(two->add_subscription("app", "news", +1, false).count == 2);
  CHECK(two->add_subscription("app", "news", +1, false).count == 3);
  CHECK(one->add_subscription("app", "other", +1, false).count == 1);
  CHECK(one->subscription_count("app", "news") == 3);
  CHECK(two->occupied_channels("app") == std::vector<std::string>{"news", "other"});
  CHECK(two->occupied_channels("app2").empty());
  // Another prefix is another cluster.
  CHECK(elsewhere->subscription_count("app", "news") == 0);
  CHECK(elsewhere->occupied_channels("app").empty());
  // A decrement the node has no share for changes nothing.
  CHECK(one->add_subscription("app", "other", -1, false).count == 0);
  CHECK(one->add_subscription("app", "other", -1, false).count == 0);
  CHECK(one->occupied_channels("app") == std::vector<std::string>{"news"});
  CHECK(one->add_subscription("app", "news", -1, false).count == 2);
  CHECK(two->add_subscription("app", "news", -1, false).count == 1);
  CHECK(two->add_subscription("app", "news", -1, false).count == 0);
  CHECK(one->occupied_channels("app").empty());
  // App ids and channel names that would run together without their lengths stay apart.
  CHECK(one->add_subscription("a:b", "c", +1, false).count == 1);
  CHECK(one->subscription_count("a", "b:c") == 0);
}

TEST_CASE("redis link: members are ordered by first join, with versions that move on join and leave", "[net][redis]") {
  TestRedis redis;
  PUSHSIM_NEED_REDIS(redis);
  const std::string prefix = fresh_cluster_prefix();
  auto one = link_to(redis, prefix, 1);
  auto two = link_to(redis, prefix, 2);

  auto bob = two->add_member("app", "presence-room", member("bob"), +1, false);
  CHECK(bob.connections == 1);
  CHECK(bob.version == 1);
  auto alice = one->add_member("app", "presence-room", member("alice"), +1, false);
  CHECK(alice.connections == 1);
  CHECK(alice.version == 2);
  // Bob's second connection, on the other node: not a join.
  auto bob_again = one->add_member("app", "presence-room", PresenceMember{"bob", Json{{"name", "other"}}}, +1, false);
  CHECK(bob_again.connections == 2);
  CHECK(bob_again.version == 2);
  const auto members = one->members("app", "presence-room");
  CHECK(user_ids(members) == std::vector<std::string>{"bob", "alice"});
  CHECK(members.front().user_info == Json{{"name", "bob"}});  // recorded at the first join
  CHECK(one->member_version("app", "presence-room") == 2);
  // Bob leaves on node 2, still connected on node 1.
  CHECK(two->add_member("app", "presence-room", PresenceMember{"bob", nullptr}, -1, false).connections == 1);
  auto bob_gone = one->add_member("app", "presence-room", PresenceMember{"bob", nullptr}, -1, false);
  CHECK(bob_gone.connections == 0);
  CHECK(bob_gone.version == 3);
  CHECK(user_ids(two->members("app", "presence-room")) == std::vector<std::string>{"alice"});
  // Back: at the end of the order now.
  two->add_member("app", "presence-room", member("bob"), +1, false);
  CHECK(user_ids(two->members("app", "presence-room")) == std::vector<std::string>{"alice", "bob"});
  CHECK(two->member_version("app", "presence-room") == 4);
}

TEST_CASE("redis link: a held removal is cancelled by any node, released only by its holder's token", "[net][redis]") {
  TestRedis redis;
  PUSHSIM_NEED_REDIS(redis);
  const std::string prefix = fresh_cluster_prefix();
  auto one = link_to(redis, prefix, 1);
  auto two = link_to(redis, prefix, 2);
  const RemovalKey key{"app", "presence-room", "u1"};

  const std::uint64_t first = one->hold_removal(key);
  CHECK(first != 0);
  CHECK(two->cancel_removal(key));
  CHECK_FALSE(two->cancel_removal(key));
  CHECK_FALSE(one->release_removal(key, first));  // cancelled: not sent

  const std::uint64_t second = one->hold_removal(key);
  CHECK(second != first);
  CHECK_FALSE(two->release_removal(key, second));  // not the holder
  CHECK_FALSE(one->release_removal(key, first));   // an older token
  CHECK(one->release_removal(key, second));
  CHECK_FALSE(one->release_removal(key, second));  // once

  // A hold dies with its holder: the claimer gets it to send.
  one->hold_removal(RemovalKey{"app", "news", ""});
  auto remains = one->claim_node(1, real_now());
  REQUIRE(remains.has_value());
  CHECK(remains->held_removals == std::vector<RemovalKey>{RemovalKey{"app", "news", ""}});
  REQUIRE(remains->held_tokens.size() == 1);
  CHECK(one->release_removal(RemovalKey{"app", "news", ""}, remains->held_tokens[0]));  // now the claimer's
  CHECK_FALSE(two->cancel_removal(RemovalKey{"app", "news", ""}));
}

// The count change that empties a channel holds its removal, and the one that fills it again
// cancels that hold, each in the same atomic step: no other node's change can fall between
// (docs/cluster.md, "Who sends channel_occupied").
TEST_CASE("redis link: the removal delay is decided with the count that moves", "[net][redis]") {
  TestRedis redis;
  PUSHSIM_NEED_REDIS(redis);
  const std::string prefix = fresh_cluster_prefix();
  auto one = link_to(redis, prefix, 1);
  auto two = link_to(redis, prefix, 2);
  const auto opened = one->add_subscription("app", "room", +1, true);
  CHECK(opened == ClusterLink::SubscriptionChange{1, {0, false}});
  const auto emptied = one->add_subscription("app", "room", -1, true);
  CHECK(emptied.count == 0);
  CHECK(emptied.removal.hold != 0);
  CHECK(two->add_subscription("app", "room", +1, true) == ClusterLink::SubscriptionChange{1, {0, true}});
  CHECK_FALSE(one->release_removal(RemovalKey{"app", "room", ""}, emptied.removal.hold));  // cancelled
  CHECK(two->add_subscription("app", "room", +1, true) == ClusterLink::SubscriptionChange{2, {0, false}});
  CHECK(two->add_subscription("app", "room", -1, false) == ClusterLink::SubscriptionChange{1, {0, false}});

  const auto joined = one->add_member("app", "presence-room", member("u1"), +1, true);
  CHECK(joined.removal == ClusterLink::RemovalDecision{0, false});
  const auto left = one->add_member("app", "presence-room", PresenceMember{"u1", nullptr}, -1, true);
  CHECK(left.connections == 0);
  CHECK(left.removal.hold != 0);
  CHECK(two->add_member("app", "presence-room", member("u1"), +1, true).removal ==
        ClusterLink::RemovalDecision{0, true});
  CHECK_FALSE(one->release_removal(RemovalKey{"app", "presence-room", "u1"}, left.removal.hold));

  // Without delay_removal nothing is held.
  CHECK(two->add_member("app", "presence-room", PresenceMember{"u1", nullptr}, -1, false).removal ==
        ClusterLink::RemovalDecision{0, false});
  CHECK_FALSE(one->cancel_removal(RemovalKey{"app", "presence-room", "u1"}));
}

TEST_CASE("redis link: a node whose heartbeat expired is claimed exactly once", "[net][redis]") {
  TestRedis redis;
  PUSHSIM_NEED_REDIS(redis);
  const std::string prefix = fresh_cluster_prefix();
  auto one = link_to(redis, prefix, 1);
  auto two = link_to(redis, prefix, 2);
  auto three = link_to(redis, prefix, 3);
  one->add_subscription("app", "presence-room", +1, false);
  one->add_member("app", "presence-room", member("alice"), +1, false);
  two->add_subscription("app", "presence-room", +1, false);
  two->add_member("app", "presence-room", member("bob"), +1, false);
  one->add_subscription("app", "news", +1, false);

  one->heartbeat(real_now() + ms(300));
  two->heartbeat(real_now() + seconds(30));
  three->heartbeat(real_now() + seconds(30));
  CHECK(two->expired_nodes(real_now()).empty());
  CHECK_FALSE(two->claim_node(1, real_now()).has_value());  // alive
  std::this_thread::sleep_for(std::chrono::milliseconds(400));
  CHECK(two->expired_nodes(real_now()) == std::vector<NodeId>{1});
  CHECK(one->expired_nodes(real_now()).empty());  // never itself

  auto remains = three->claim_node(1, real_now());
  REQUIRE(remains.has_value());
  CHECK(remains->vacated == std::vector<std::pair<std::string, std::string>>{{"app", "news"}});
  CHECK(remains->recounted == std::vector<NodeRemains::Recount>{{"app", "presence-room", 1}});
  REQUIRE(remains->removed_members.size() == 1);
  CHECK(remains->removed_members[0] ==
        NodeRemains::Member{"app", "presence-room", "alice", 3, remains->removed_members[0].hold});
  // The claim holds each removal for the claimer, in the same step: a join elsewhere cancels it.
  CHECK(remains->removed_members[0].hold != 0);
  REQUIRE(remains->vacated_holds.size() == 1);
  CHECK(two->add_subscription("app", "news", +1, true).removal.cancelled);
  two->add_subscription("app", "news", -1, false);
  CHECK(three->release_removal(RemovalKey{"app", "presence-room", "alice"}, remains->removed_members[0].hold));
  CHECK_FALSE(two->claim_node(1, real_now()).has_value());  // claimed already
  CHECK(two->expired_nodes(real_now()).empty());
  CHECK(user_ids(two->members("app", "presence-room")) == std::vector<std::string>{"bob"});
  CHECK(two->subscription_count("app", "presence-room") == 1);
  CHECK(two->occupied_channels("app") == std::vector<std::string>{"presence-room"});
}

TEST_CASE("redis link: the bus delivers another node's messages in order, never a node's own", "[net][redis]") {
  TestRedis redis;
  PUSHSIM_NEED_REDIS(redis);
  const std::string prefix = fresh_cluster_prefix();
  auto one = link_to(redis, prefix, 1);
  auto two = link_to(redis, prefix, 2);
  std::mutex mutex;
  std::vector<PeerMessage> got_one;
  std::vector<PeerMessage> got_two;
  one->start_bus([&](PeerMessage message) {
    std::lock_guard lock(mutex);
    got_one.push_back(std::move(message));
  });
  two->start_bus([&](PeerMessage message) {
    std::lock_guard lock(mutex);
    got_two.push_back(std::move(message));
  });
  const auto until = soon();
  while ((!one->bus_subscribed() || !two->bus_subscribed()) && std::chrono::steady_clock::now() < until) {
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
  }
  REQUIRE(one->bus_subscribed());
  REQUIRE(two->bus_subscribed());
  constexpr int kMessages = 500;
  for (int i = 0; i < kMessages; ++i) {
    PeerMessage message;
    message.from = 2;
    message.app_id = "app";
    message.channel = "news";
    message.text = std::to_string(i);
    two->publish(std::move(message));
  }
  auto count = [&] {
    std::lock_guard lock(mutex);
    return got_one.size();
  };
  const auto delivered_by = soon();
  while (count() < kMessages && std::chrono::steady_clock::now() < delivered_by) {
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
  }
  std::lock_guard lock(mutex);
  REQUIRE(got_one.size() == kMessages);
  for (int i = 0; i < kMessages; ++i) CHECK(got_one[static_cast<std::size_t>(i)].text == std::to_string(i));
  CHECK(got_two.empty());
}

TEST_CASE("redis link: a lost Redis is logged and store calls answer at once without it", "[net][redis]") {
  auto redis = std::make_unique<TestRedis>();
  PUSHSIM_NEED_REDIS(*redis);
  std::vector<std::string> log;
  auto one = link_to(*redis, fresh_cluster_prefix(), 1, &log);
  CHECK(one->add_subscription("app", "news", +1, false).count == 1);
  redis.reset();  // redis-server stopped
  const auto started = std::chrono::steady_clock::now();
  // As if another node held the channel: no occupied / vacated webhook for what was not recorded.
  CHECK(one->add_subscription("app", "news", +1, false).count == 2);
  CHECK(one->add_subscription("app", "news", -1, false).count == 1);
  CHECK(one->add_member("app", "presence-room", member("u1"), +1, false).connections == 2);
  CHECK(one->members("app", "presence-room").empty());
  CHECK(std::chrono::steady_clock::now() - started < std::chrono::seconds(10));  // no wait on a dead Redis
  CHECK(one->store_failures() == 4);
  REQUIRE_FALSE(log.empty());
  CHECK(log.front().find("cluster store: redis at redis://127.0.0.1:") != std::string::npos);
  CHECK(log.front().find("retrying in") != std::string::npos);
}

}  // namespace pushsim::test
