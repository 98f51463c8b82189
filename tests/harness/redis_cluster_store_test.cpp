// The Redis cluster store (net/redis_scripts.hpp) against the simulated one
// (fakes/cluster_store.hpp) it must equal: a seeded run of calls from three nodes through both,
// every answer compared, then what a node left taken out of both. Here rather than in
// tests/net/ because only the harness layer sees both net/ and fakes/.
#include <catch2/catch.hpp>

#include "fakes/cluster_store.hpp"
#include "net/real_clock.hpp"
#include "net/redis_cluster_link.hpp"
#include "support/redis_cluster_fixture.hpp"

namespace pushsim::test {

namespace {

std::unique_ptr<RedisClusterLink> store_link(const TestRedis& redis, const std::string& prefix, NodeId node) {
  RedisClusterOptions options;
  options.address = *parse_redis_url(redis.url());
  options.prefix = prefix;
  options.node = node;
  options.log = [](const std::string&) {};
  auto link = RedisClusterLink::connect(options);
  INFO((link ? std::string("connected") : link.error().message));
  REQUIRE(link.ok());
  return std::move(link).value();
}

std::vector<std::string> member_ids(const std::vector<PresenceMember>& members) {
  std::vector<std::string> out;
  for (const auto& member : members) out.push_back(member.user_id);
  return out;
}

PresenceMember named(const std::string& user) { return PresenceMember{user, Json{{"name", user}}}; }

}  // namespace

TEST_CASE("redis link: the store answers as the simulated store over a seeded run of calls", "[net][redis]") {
  TestRedis redis;
  PUSHSIM_NEED_REDIS(redis);
  const std::string prefix = fresh_cluster_prefix();
  std::vector<std::unique_ptr<RedisClusterLink>> links;
  for (NodeId node = 1; node <= 3; ++node) links.push_back(store_link(redis, prefix, node));
  fakes::ClusterStore fake;
  const std::vector<std::string> channels{"presence-a", "presence-b"};
  const std::vector<std::string> users{"u1", "u2", "u3"};
  std::uint64_t state = 12345;
  auto next = [&state](std::uint64_t bound) {
    state = state * 6364136223846793005ULL + 1442695040888963407ULL;
    return (state >> 33) % bound;
  };
  for (int step = 0; step < 400; ++step) {
    const auto node = static_cast<NodeId>(next(3) + 1);
    RedisClusterLink& link = *links[node - 1];
    const std::string& channel = channels[next(channels.size())];
    const std::string& user = users[next(users.size())];
    const int delta = next(3) == 0 ? -1 : +1;
    INFO("step " << step << ": node " << node << " " << channel << " " << user << " " << delta);
    switch (next(3)) {
      case 0:
        REQUIRE(link.add_subscription("app", channel, delta, true) ==
                fake.change_subscription(node, "app", channel, delta, true));
        break;
      case 1: {
        auto real = link.add_member("app", channel, named(user), delta, true);
        auto simulated = fake.add_member(node, "app", channel, named(user), delta, true);
        REQUIRE(real == simulated);  // counts, versions and removal holds (tokens too)
        break;
      }
      default:
        REQUIRE(member_ids(link.members("app", channel)) == member_ids(fake.members("app", channel)));
        REQUIRE(link.member_version("app", channel) == fake.member_version("app", channel));
        REQUIRE(link.occupied_channels("app") == fake.occupied_channels("app"));
    }
  }
  // What node 2 left, taken out as its restart would: the same members removed, the same
  // channels vacated, with the same versions.
  auto real = links[1]->claim_node(2, real_now());
  auto simulated = fake.claim_node(2, 2, 0);
  REQUIRE(real.has_value());
  REQUIRE(simulated.has_value());
  CHECK(real->removed_members == simulated->removed_members);
  CHECK(real->vacated == simulated->vacated);
  CHECK(real->vacated_holds == simulated->vacated_holds);
  CHECK(real->held_removals == simulated->held_removals);
  CHECK(real->held_tokens == simulated->held_tokens);
  CHECK(real->recounted == simulated->recounted);
  for (const auto& channel : channels) {
    CHECK(member_ids(links[0]->members("app", channel)) == member_ids(fake.members("app", channel)));
    CHECK(links[0]->subscription_count("app", channel) == fake.subscription_count("app", channel));
  }
}

}  // namespace pushsim::test
