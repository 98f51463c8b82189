// Engine nodes in a simulated cluster, seen from raw clients, REST and the webhook receiver:
// the cluster must look like one server (docs/cluster.md), and each cluster-only broken
// variant must show.
#include <catch2/catch.hpp>

#include <algorithm>

#include "fakes/raw_client.hpp"
#include "fakes/world.hpp"

using namespace pushsim;
using namespace pushsim::fakes;

namespace {

std::unique_ptr<World> cluster_world(std::size_t nodes, Defects defects = {}) {
  WorldBuilder builder;
  builder.seed(3).latency(Latency::fixed(ms(5))).http_latency(Latency::fixed(ms(2)));
  EngineOptions options;
  options.defects = defects;
  builder.engine(options);
  builder.config().cluster = ClusterConfig{nodes, Latency::fixed(ms(2))};
  return builder.build();
}

RawClient& member_on(World& world, const std::string& name, NodeId node, const std::string& user) {
  RawClient& client = world.add_raw_client(name);
  world.set_client_node(name, node);
  client.connect();
  REQUIRE(world.run_until_idle(seconds(5)).ok());
  const UserProfile profile{user, nullptr, std::nullopt};
  const HttpResponse r = world.auth().authorize_channel(*client.socket_id(), "presence-room", &profile);
  const Json body = Json::parse(r.body);
  client.subscribe("presence-room", body["auth"].get<std::string>(), body["channel_data"].get<std::string>());
  REQUIRE(world.run_until_idle(seconds(5)).ok());
  return client;
}

std::size_t webhooks_named(World& world, const std::string& name) {
  std::size_t count = 0;
  for (const auto& batch : world.webhooks().batches()) {
    for (const auto& event : batch.events) count += event.value("name", "") == name ? 1 : 0;
  }
  return count;
}

std::vector<std::string> users_via_rest(World& world, NodeId node) {
  std::vector<std::string> users;
  world.rest(
      world.rest_caller().get(world.now(), "/channels/presence-room/users"),
      [&](TimeNs, std::optional<HttpResponse> r) {
        REQUIRE(r);
        REQUIRE(r->status == 200);
        const Json body = Json::parse(r->body);  // kept: the loop must not walk a destroyed temporary
        for (const auto& user : body["users"]) users.push_back(user["id"].get<std::string>());
      },
      node);
  REQUIRE(world.run_until_idle(seconds(5)).ok());
  return users;
}

}  // namespace

TEST_CASE("a cluster's nodes share one member list and send each webhook once", "[cluster][world]") {
  auto world = cluster_world(3);
  RawClient& alice = member_on(*world, "alice", 0, "u1");
  RawClient& bob = member_on(*world, "bob", 1, "u2");
  member_on(*world, "carol", 2, "u1");  // u1 again, through a third node
  REQUIRE(world->run_until_idle(seconds(10)).ok());
  const auto succeeded = bob.frames("pusher_internal:subscription_succeeded");
  REQUIRE(succeeded.size() == 1);
  CHECK(Json::parse(succeeded[0].data->get<std::string>())["presence"]["count"] == 2);
  CHECK(alice.count("pusher_internal:member_added") == 1);  // bob; u1's second connection is no news
  for (NodeId node = 0; node < 3; ++node) CHECK(users_via_rest(*world, node) == std::vector<std::string>{"u1", "u2"});
  CHECK(webhooks_named(*world, "channel_occupied") == 1);
  CHECK(webhooks_named(*world, "member_added") == 2);
}

TEST_CASE("the same cluster with webhooks decided per node sends them once per node", "[cluster][world]") {
  auto world = cluster_world(3, Defects{Defect::kWebhooksPerNode});
  member_on(*world, "alice", 0, "u1");
  member_on(*world, "bob", 1, "u2");
  member_on(*world, "carol", 2, "u1");
  REQUIRE(world->run_until_idle(seconds(10)).ok());
  CHECK(webhooks_named(*world, "channel_occupied") == 3);
  CHECK(webhooks_named(*world, "member_added") == 3);
}

TEST_CASE("a crashed node's members are removed by a survivor within the stated bound", "[cluster][world]") {
  auto world = cluster_world(2);
  RawClient& alice = member_on(*world, "alice", 0, "u1");
  member_on(*world, "bob", 1, "u2");
  const TimeNs crashed_at = world->now();
  REQUIRE(world->crash_node(1));
  CHECK_FALSE(world->crash_node(1));  // down already
  world->run_for(kClusterDeathNoticed);
  CHECK(users_via_rest(*world, 0) == std::vector<std::string>{"u1"});
  const auto removed = alice.frames("pusher_internal:member_removed");
  REQUIRE(removed.size() == 1);
  CHECK(alice.received().back().at <= crashed_at + kClusterDeathNoticed);
  REQUIRE(world->restart_node(1));
  RawClient& carol = member_on(*world, "carol", 1, "u3");
  CHECK(Json::parse(
            carol.frames("pusher_internal:subscription_succeeded")[0].data->get<std::string>())["presence"]["count"] ==
        2);
}

TEST_CASE("without the survivors' cleanup a crashed node's member stays a ghost", "[cluster][world]") {
  auto world = cluster_world(2, Defects{Defect::kNoDeadNodeCleanup});
  member_on(*world, "alice", 0, "u1");
  member_on(*world, "bob", 1, "u2");
  REQUIRE(world->crash_node(1));
  world->run_for(seconds(30));
  CHECK(users_via_rest(*world, 0) == std::vector<std::string>{"u1", "u2"});
}

TEST_CASE("a trigger on one node reaches subscribers on every node, excluding a socket on any", "[cluster][world]") {
  auto world = cluster_world(2);
  RawClient& alice = world->add_raw_client("alice");
  RawClient& bob = world->add_raw_client("bob");
  world->set_client_node("alice", 0);
  world->set_client_node("bob", 1);
  alice.connect();
  bob.connect();
  REQUIRE(world->run_until_idle(seconds(5)).ok());
  alice.subscribe("news");
  bob.subscribe("news");
  REQUIRE(world->run_until_idle(seconds(5)).ok());
  CHECK(world->node_of_link(bob.link()) == NodeId{1});
  TriggerParams params;
  params.socket_id = *alice.socket_id();
  world->rest(world->rest_caller().trigger(world->now(), {"news"}, "e", Json::object(), params), {}, NodeId{1});
  world->rest(world->rest_caller().trigger(world->now(), {"news"}, "f", Json::object(), {}), {}, NodeId{0});
  REQUIRE(world->run_until_idle(seconds(5)).ok());
  CHECK(alice.count("e") == 0);
  CHECK(bob.count("e") == 1);
  CHECK(bob.count("f") == 1);
}
