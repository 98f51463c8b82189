// The "must show" items with simulated pusher-js clients.
#include <catch2/catch.hpp>

#include "calm_world.hpp"
#include "fakes/sim_client.hpp"
#include "fakes/world.hpp"
#include "names.hpp"

using namespace pushsim;
using namespace pushsim::fakes;
using pushsim::fakes::testing::calm_world;
using pushsim::fakes::testing::numbered;

namespace {

SimClient& add_user(World& world, const std::string& name, const std::string& user_id) {
  SimClientOptions options;
  options.user = UserProfile{user_id, Json{{"name", name}}, std::nullopt};
  SimClient& client = world.add_client<SimClient>(name, options);
  client.connect();
  return client;
}

std::vector<std::string> data_of(const std::vector<Frame>& frames) {
  std::vector<std::string> out;
  for (const auto& f : frames) out.push_back(f.data->get<std::string>());
  return out;
}

}  // namespace

TEST_CASE("a partitioned client misses nothing after heal on a live connection", "[world][faults][sim_client]") {
  auto world = calm_world();
  SimClient& alice = add_user(*world, "alice", "u1");
  REQUIRE(world->run_until_idle().ok());
  alice.subscribe("private-feed");
  REQUIRE(world->run_until_idle().ok());
  const auto socket_id = alice.protocol().socket_id();
  world->partition("alice");
  std::vector<std::string> sent;
  for (int i = 0; i < 30; ++i) {
    sent.push_back(numbered("n", i));
    world->trigger({"private-feed"}, "update", sent.back());
    REQUIRE(world->run_for(seconds(2)).ok());
  }
  // 60 s of partition: shorter than either side's 120 s activity timeout.
  CHECK(alice.count("update") == 0);
  CHECK(world->network().queued(alice.link(), Direction::kToClient) == 30);
  world->heal("alice");
  REQUIRE(world->run_until_idle().stop == RunStop::kIdle);
  CHECK(data_of(alice.frames("update")) == sent);
  CHECK(alice.protocol().socket_id() == socket_id);
  CHECK(alice.connections_opened() == 1);
  CHECK(alice.state() == ConnectionState::kConnected);
}

TEST_CASE("a partition outlasting the timeouts kills the connection; after heal the client is back",
          "[world][faults][sim_client]") {
  auto world = calm_world();
  SimClient& alice = add_user(*world, "alice", "u1");
  REQUIRE(world->run_until_idle().ok());
  alice.subscribe("news");
  REQUIRE(world->run_until_idle().ok());
  const auto old_socket = alice.protocol().socket_id();
  world->partition("alice");
  REQUIRE(world->run_for(seconds(300)).ok());
  // The server pinged, heard nothing and closed with 4201; the client did the same on its side.
  CHECK(world->engine().connection_count() == 0);
  CHECK(alice.events_of<ClientDisconnected>().size() == 1);
  CHECK(alice.connections_opened() == 2);  // its reconnect waits behind the partition
  world->heal("alice");
  REQUIRE(world->run_until_idle().ok());
  CHECK(alice.state() == ConnectionState::kConnected);
  CHECK(alice.protocol().socket_id() != old_socket);
  CHECK(alice.protocol().subscription_state("news") == SubscriptionState::kSubscribed);
  CHECK(world->engine().connection_count() == 1);
}

TEST_CASE("an abruptly dropped client leaves presence only at the server's timeout", "[world][faults][sim_client]") {
  auto world = calm_world();
  SimClient& alice = add_user(*world, "alice", "u1");
  SimClient& bob = add_user(*world, "bob", "u2");
  REQUIRE(world->run_until_idle().ok());
  alice.subscribe("presence-room");
  bob.subscribe("presence-room");
  REQUIRE(world->run_until_idle().ok());
  REQUIRE(alice.protocol().members("presence-room")->count() == 2);
  const TimeNs dropped_at = world->now();
  world->drop("bob");
  REQUIRE(world->run_for(seconds(100)).ok());
  CHECK(alice.events_of<PresenceMemberRemoved>().empty());
  CHECK(alice.protocol().members("presence-room")->count() == 2);
  REQUIRE(world->run_for(seconds(100)).ok());
  REQUIRE(alice.events_of<PresenceMemberRemoved>().size() == 1);
  CHECK(alice.events_of<PresenceMemberRemoved>()[0].member.id == "u2");
  CHECK(alice.protocol().members("presence-room")->count() == 1);
  // Not before 120 s of silence plus the 30 s pong wait.
  TimeNs removed_at = 0;
  for (const auto& e : alice.events())
    if (std::holds_alternative<PresenceMemberRemoved>(e.event)) removed_at = e.at;
  CHECK(removed_at - dropped_at >= seconds(150));
  CHECK(removed_at - dropped_at < seconds(151));
  // And the app hears of it: member_removed after its 3 s delay.
  bool webhook = false;
  for (const auto& e : world->webhooks().accepted_events())
    webhook = webhook || (e["name"] == "member_removed" && e["user_id"] == "u2");
  CHECK(webhook);
  CHECK(bob.crashed());
  CHECK(bob.connections_opened() == 1);
}
