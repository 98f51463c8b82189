// The simulated Redis of a cluster: the store's atomic counts, member versions, removal holds
// and claims of dead nodes; the pub/sub links' order, partitions and lost messages.
#include <catch2/catch.hpp>

#include "fakes/cluster_bus.hpp"

using namespace pushsim;
using namespace pushsim::fakes;

namespace {

PresenceMember member(const std::string& user) { return PresenceMember{user, nullptr}; }

PeerMessage message(const std::string& text) {
  PeerMessage m;
  m.app_id = "1";
  m.channel = "news";
  m.text = text;
  return m;
}

struct BusFixture {
  Scheduler scheduler{kSimulationEpoch};
  Trace trace{RunId{"bus", 1, ""}};
  std::vector<std::pair<NodeId, std::string>> delivered;
  ClusterBus bus{3,         Latency::uniform(ms(1), ms(20)),
                 scheduler, trace,
                 Rng(7),    [this](NodeId to, const PeerMessage& m) { delivered.emplace_back(to, m.text); }};
  std::vector<std::string> at(NodeId node) const {
    std::vector<std::string> out;
    for (const auto& [to, text] : delivered) {
      if (to == node) out.push_back(text);
    }
    return out;
  }
};

}  // namespace

TEST_CASE("the store counts subscriptions per node and answers cluster-wide totals", "[cluster][store]") {
  ClusterStore store;
  CHECK(store.add_subscription(0, "1", "news", +1) == 1);
  CHECK(store.add_subscription(1, "1", "news", +1) == 2);
  CHECK(store.add_subscription(1, "1", "news", +1) == 3);
  CHECK(store.occupied_channels("1") == std::vector<std::string>{"news"});
  CHECK(store.add_subscription(0, "1", "news", -1) == 2);
  CHECK(store.add_subscription(0, "1", "news", -1) == 2);  // node 0 had none left: nothing changes
  CHECK(store.subscriptions_of(1) == 2);
  CHECK(store.add_subscription(1, "1", "news", -1) == 1);
  CHECK(store.add_subscription(1, "1", "news", -1) == 0);
  CHECK(store.occupied_channels("1").empty());
}

TEST_CASE("a user is one member across nodes, and the member version moves only when the list changes",
          "[cluster][store]") {
  ClusterStore store;
  const auto first = store.add_member(0, "1", "presence-room", member("u1"), +1);
  CHECK(first.connections == 1);
  const auto second = store.add_member(1, "1", "presence-room", member("u1"), +1);
  CHECK(second.connections == 2);
  CHECK(second.version == first.version);  // a second connection is no change of the list
  const auto bob = store.add_member(1, "1", "presence-room", member("u2"), +1);
  CHECK(bob.version > first.version);
  REQUIRE(store.members("1", "presence-room").size() == 2);
  CHECK(store.members("1", "presence-room")[0].user_id == "u1");  // by first join
  CHECK(store.add_member(0, "1", "presence-room", member("u1"), -1).connections == 1);
  const auto gone = store.add_member(1, "1", "presence-room", member("u1"), -1);
  CHECK(gone.connections == 0);
  CHECK(gone.version > bob.version);
  CHECK(store.member_version("1", "presence-room") == gone.version);
}

TEST_CASE("a held removal is cancelled by any node and released only by its holder's token", "[cluster][store]") {
  ClusterStore store;
  const RemovalKey key{"1", "room", ""};
  const auto token = store.hold_removal(0, key);
  CHECK_FALSE(store.release_removal(1, key, token));  // another node's release
  CHECK(store.cancel_removal(key));
  CHECK_FALSE(store.release_removal(0, key, token));  // cancelled meanwhile
  const auto again = store.hold_removal(0, key);
  const auto newer = store.hold_removal(1, key);
  CHECK_FALSE(store.release_removal(0, key, again));  // replaced by node 1's hold
  CHECK(store.release_removal(1, key, newer));
  CHECK_FALSE(store.cancel_removal(key));
}

// The race of issue 15 (cluster.14 live): a leave's count and its hold were two steps, and a
// join on another node between them found nothing to cancel, so both webhooks went out.
TEST_CASE("the count change that empties a channel holds its removal, the one that fills it cancels it",
          "[cluster][store]") {
  ClusterStore store;
  CHECK(store.change_subscription(0, "1", "room", +1, true) == ClusterLink::SubscriptionChange{1, {0, false}});
  const auto emptied = store.change_subscription(0, "1", "room", -1, true);
  CHECK(emptied.count == 0);
  CHECK(emptied.removal.hold != 0);
  CHECK(store.change_subscription(1, "1", "room", +1, true) == ClusterLink::SubscriptionChange{1, {0, true}});
  CHECK_FALSE(store.release_removal(0, RemovalKey{"1", "room", ""}, emptied.removal.hold));
  CHECK(store.change_subscription(0, "1", "room", -1, true).removal ==
        ClusterLink::RemovalDecision{});  // none of node 0's
  const auto left = [&] {
    store.add_member(0, "1", "presence-room", member("u1"), +1, true);
    return store.add_member(0, "1", "presence-room", member("u1"), -1, true);
  }();
  CHECK(left.removal.hold != 0);
  CHECK(store.add_member(1, "1", "presence-room", member("u1"), +1, true).removal.cancelled);
  CHECK(store.add_member(1, "1", "presence-room", member("u1"), -1, false).removal == ClusterLink::RemovalDecision{});
  CHECK_FALSE(store.cancel_removal(RemovalKey{"1", "presence-room", "u1"}));
}

TEST_CASE("a dead node is claimed once, after its heartbeat expired, with what it left", "[cluster][store]") {
  ClusterStore store;
  store.heartbeat(0, seconds(3));
  store.heartbeat(1, seconds(3));
  store.add_subscription(1, "1", "presence-room", +1);
  store.add_member(1, "1", "presence-room", member("u2"), +1);
  store.add_subscription(0, "1", "presence-room", +1);
  store.add_member(0, "1", "presence-room", member("u1"), +1);
  store.add_subscription(1, "1", "lonely", +1);
  store.add_member(1, "1", "presence-room", member("u1"), +1);  // u1 also through node 1
  store.hold_removal(1, RemovalKey{"1", "gone", ""});
  CHECK_FALSE(store.claim_node(0, 1, seconds(2)).has_value());  // still alive
  CHECK(store.expired_nodes(seconds(2), 0).empty());
  CHECK(store.expired_nodes(seconds(3), 0) == std::vector<NodeId>{1});
  const auto remains = store.claim_node(0, 1, seconds(3));
  REQUIRE(remains.has_value());
  REQUIRE(remains->removed_members.size() == 1);
  CHECK(remains->removed_members[0].user_id == "u2");  // u1 stays: node 0 holds a connection
  CHECK(remains->vacated == std::vector<std::pair<std::string, std::string>>{{"1", "lonely"}});
  // Node 0 still holds presence-room: its subscribers hear the new count.
  CHECK(remains->recounted == std::vector<NodeRemains::Recount>{{"1", "presence-room", 1}});
  CHECK(remains->held_removals == std::vector<RemovalKey>{{"1", "gone", ""}});
  // Every removal the claim makes is held for the claimer in the same step: a join cancels it.
  REQUIRE(remains->vacated_holds.size() == 1);
  REQUIRE(remains->held_tokens.size() == 1);
  CHECK(remains->removed_members[0].hold != 0);
  CHECK(store.release_removal(0, RemovalKey{"1", "gone", ""}, remains->held_tokens[0]));  // now node 0's
  CHECK(store.change_subscription(2, "1", "lonely", +1, true).removal.cancelled);
  CHECK(store.subscription_count("1", "presence-room") == 1);
  CHECK_FALSE(store.claim_node(2, 1, seconds(4)).has_value());  // claimed already
  CHECK(store.claimed(1));
}

TEST_CASE("pub/sub keeps each pair of nodes in order and reaches every other node", "[cluster][bus]") {
  BusFixture f;
  for (int i = 0; i < 20; ++i) f.bus.publish(0, message(std::to_string(i)));
  CHECK(f.bus.in_flight() == 40);
  f.scheduler.run_until(kSimulationEpoch + seconds(1), 1000);
  CHECK(f.bus.in_flight() == 0);
  std::vector<std::string> expected;
  for (int i = 0; i < 20; ++i) expected.push_back(std::to_string(i));
  CHECK(f.at(1) == expected);
  CHECK(f.at(2) == expected);
  CHECK(f.at(0).empty());
}

TEST_CASE("a partition between two nodes loses their messages, and only theirs", "[cluster][bus]") {
  BusFixture f;
  f.bus.publish(0, message("before"));
  f.bus.partition(1, 0);
  f.bus.publish(0, message("during"));  // lost to node 1 at once, and "before" on arrival
  f.scheduler.run_until(kSimulationEpoch + seconds(1), 1000);
  CHECK(f.at(1).empty());
  CHECK(f.at(2) == std::vector<std::string>{"before", "during"});
  f.bus.heal(0, 1);
  f.bus.publish(0, message("after"));
  f.scheduler.run_until(kSimulationEpoch + seconds(2), 1000);
  CHECK(f.at(1) == std::vector<std::string>{"after"});  // nothing was kept for it
}

TEST_CASE("a node that is down, or restarted meanwhile, gets nothing of what was sent to it", "[cluster][bus]") {
  BusFixture f;
  f.bus.publish(0, message("in flight"));
  f.bus.set_up(1, false);
  f.bus.set_up(1, true);  // a new life: the message in flight was for the old one
  f.bus.set_up(2, false);
  f.bus.publish(0, message("while down"));
  f.scheduler.run_until(kSimulationEpoch + seconds(1), 1000);
  CHECK(f.at(1) == std::vector<std::string>{"while down"});
  CHECK(f.at(2).empty());
}
