// Simulated clients: the protocol client driven by the world, talking to the engine and the
// fake auth endpoint over the simulated network.
#include <catch2/catch.hpp>

#include "fakes/sim_client.hpp"
#include "fakes/world.hpp"

using namespace pushsim;
using namespace pushsim::fakes;

namespace {

std::unique_ptr<World> calm_world() {
  WorldBuilder builder;
  builder.latency(Latency::fixed(ms(5))).http_latency(Latency::fixed(ms(2)));
  return builder.build();
}

SimClientOptions as_user(std::string id, Json info = nullptr) {
  SimClientOptions options;
  options.user = UserProfile{std::move(id), std::move(info), std::nullopt};
  return options;
}

SimClient& connected(World& world, const std::string& name, SimClientOptions options = {}) {
  SimClient& client = world.add_client<SimClient>(name, std::move(options));
  client.connect();
  REQUIRE(world.run_until_idle().ok());
  REQUIRE(client.state() == ConnectionState::kConnected);
  return client;
}

}  // namespace

TEST_CASE("a simulated client connects, subscribes to a public channel and receives a trigger", "[sim_client]") {
  auto world = calm_world();
  SimClient& alice = connected(*world, "alice");
  REQUIRE_FALSE(alice.subscribe("news"));
  REQUIRE(world->run_until_idle().ok());
  CHECK(alice.protocol().subscription_state("news") == SubscriptionState::kSubscribed);
  world->trigger({"news"}, "headline", Json{{"n", 1}});
  REQUIRE(world->run_until_idle().ok());
  const auto messages = alice.events_of<ClientMessage>();
  REQUIRE(messages.size() == 1);
  CHECK(messages[0].frame.event == "headline");
  CHECK(messages[0].frame.data == Json("{\"n\":1}"));
  CHECK(alice.received().size() == 3);  // established, succeeded, headline
}

TEST_CASE("a private subscription goes through the auth endpoint over simulated HTTP", "[sim_client]") {
  auto world = calm_world();
  SimClient& alice = connected(*world, "alice", as_user("u1"));
  const TimeNs asked = world->now();
  alice.subscribe("private-orders");
  REQUIRE(world->run_until_idle().ok());
  CHECK(alice.protocol().subscription_state("private-orders") == SubscriptionState::kSubscribed);
  REQUIRE(world->auth().log().size() == 1);
  CHECK(world->auth().log()[0].at == asked + ms(2));
  CHECK(world->auth().log()[0].channel == "private-orders");
  CHECK(world->auth().log()[0].socket_id == *alice.protocol().socket_id());
  // Two HTTP hops, then the subscribe and its answer: two WebSocket hops.
  REQUIRE(alice.events_of<SubscriptionSucceeded>().size() == 1);
  CHECK(alice.events().back().at == asked + ms(4) + ms(10));
}

TEST_CASE("presence members see each other join, with user info from the session", "[sim_client]") {
  auto world = calm_world();
  SimClient& alice = connected(*world, "alice", as_user("u1", Json{{"name", "Alice"}}));
  SimClient& bob = connected(*world, "bob", as_user("u2"));
  alice.subscribe("presence-room");
  REQUIRE(world->run_until_idle().ok());
  bob.subscribe("presence-room");
  REQUIRE(world->run_until_idle().ok());
  const auto added = alice.events_of<PresenceMemberAdded>();
  REQUIRE(added.size() == 1);
  CHECK(added[0].member == MemberInfo{"u2", nullptr});
  const PresenceMembers* bobs_view = bob.protocol().members("presence-room");
  REQUIRE(bobs_view);
  CHECK(bobs_view->count() == 2);
  CHECK(bobs_view->get("u1") == MemberInfo{"u1", Json{{"name", "Alice"}}});
}

TEST_CASE("an encrypted subscription gets its shared secret from the auth endpoint", "[sim_client]") {
  auto world = calm_world();
  SimClient& alice = connected(*world, "alice", as_user("u1"));
  alice.subscribe("private-encrypted-vault");
  REQUIRE(world->run_until_idle().ok());
  CHECK(alice.protocol().subscription_state("private-encrypted-vault") == SubscriptionState::kSubscribed);
  CHECK(alice.protocol().shared_secret("private-encrypted-vault") ==
        *encrypted_channel_shared_secret("private-encrypted-vault", kEncryptionMasterKey));
}

TEST_CASE("sign-in goes through user auth, and a message sent to the user arrives", "[sim_client]") {
  auto world = calm_world();
  SimClient& alice = connected(*world, "alice", as_user("u1", Json{{"name", "Alice"}}));
  alice.signin();
  REQUIRE(world->run_until_idle().ok());
  REQUIRE(alice.events_of<SigninSucceeded>().size() == 1);
  CHECK(alice.protocol().subscription_state("#server-to-user-u1") == SubscriptionState::kSubscribed);
  world->rest(world->rest_caller().send_to_user(world->now(), "u1", "note", Json{{"hi", 1}}));
  REQUIRE(world->run_until_idle().ok());
  const auto frames = alice.frames("note");
  REQUIRE(frames.size() == 1);
  CHECK(frames[0].channel == "#server-to-user-u1");
}

TEST_CASE("a refused channel auth gives the subscription error, and others still subscribe", "[sim_client][faults]") {
  auto world = calm_world();
  world->auth().policy().refused_channels.insert("private-secret");
  SimClient& alice = connected(*world, "alice", as_user("u1"));
  alice.subscribe("private-secret");
  alice.subscribe("private-open");
  REQUIRE(world->run_until_idle().ok());
  const auto errors = alice.events_of<SubscriptionError>();
  REQUIRE(errors.size() == 1);
  CHECK(errors[0].channel == "private-secret");
  CHECK(errors[0].local);
  CHECK(errors[0].data["type"] == "AuthError");
  CHECK(errors[0].data["status"] == 403);
  CHECK(alice.protocol().subscription_state("private-secret") == SubscriptionState::kUnsubscribed);
  CHECK(alice.protocol().subscription_state("private-open") == SubscriptionState::kSubscribed);
  CHECK(world->engine().channel("1", "private-secret", world->now()).subscription_count == 0);
}

TEST_CASE("an auth endpoint answering 5xx gives a subscription error with that status", "[sim_client][faults]") {
  auto world = calm_world();
  SimClient& alice = connected(*world, "alice", as_user("u1"));
  world->fail_auth(1, 503);
  alice.subscribe("private-a");
  REQUIRE(world->run_until_idle().ok());
  const auto errors = alice.events_of<SubscriptionError>();
  REQUIRE(errors.size() == 1);
  CHECK(errors[0].data["status"] == 503);
}

TEST_CASE("a silent auth endpoint fails the subscription at the client's timeout; a slow one just delays it",
          "[sim_client][faults]") {
  auto world = calm_world();
  SimClient& alice = connected(*world, "alice", as_user("u1"));
  world->silence_auth(1);
  const TimeNs asked = world->now();
  alice.subscribe("private-a");
  REQUIRE(world->run_until_idle().ok());
  REQUIRE(alice.events_of<SubscriptionError>().size() == 1);
  CHECK(alice.events_of<SubscriptionError>()[0].data["status"] == 0);
  CHECK(alice.events().back().at == asked + world->config().auth_timeout);

  world->slow_auth(seconds(3));
  const TimeNs again = world->now();
  alice.subscribe("private-b");
  REQUIRE(world->run_until_idle().ok());
  CHECK(alice.protocol().subscription_state("private-b") == SubscriptionState::kSubscribed);
  CHECK(alice.events().back().at == again + seconds(3) + ms(4) + ms(10));
}

TEST_CASE("client events reach the other subscribers and never come back to the sender", "[sim_client]") {
  auto world = calm_world();
  SimClient& alice = connected(*world, "alice", as_user("u1"));
  SimClient& bob = connected(*world, "bob", as_user("u2"));
  alice.subscribe("presence-chat");
  bob.subscribe("presence-chat");
  REQUIRE(world->run_until_idle().ok());
  REQUIRE_FALSE(alice.send_client_event("presence-chat", "client-typing", Json{{"x", 1}}));
  REQUIRE(world->run_until_idle().ok());
  const auto got = bob.frames("client-typing");
  REQUIRE(got.size() == 1);
  CHECK(got[0].user_id == "u1");
  CHECK(alice.count("client-typing") == 0);
}

TEST_CASE("a server close with 4200 makes the client reconnect at once and resubscribe", "[sim_client][faults]") {
  auto world = calm_world();
  SimClient& alice = connected(*world, "alice");
  alice.subscribe("news");
  REQUIRE(world->run_until_idle().ok());
  const auto first_socket = alice.protocol().socket_id();
  world->close_from_server("alice", 4200, "reconnect please");
  REQUIRE(world->run_until_idle().ok());
  CHECK(alice.connections_opened() == 2);
  CHECK(alice.state() == ConnectionState::kConnected);
  CHECK(alice.protocol().socket_id() != first_socket);
  CHECK(alice.protocol().subscription_state("news") == SubscriptionState::kSubscribed);
  CHECK(world->engine().channel("1", "news", world->now()).subscription_count == 1);
}

TEST_CASE("a server close with 4001 is a refusal: the client stays disconnected", "[sim_client][faults]") {
  auto world = calm_world();
  SimClient& alice = connected(*world, "alice");
  world->close_from_server("alice", 4001, "no such app");
  REQUIRE(world->run_for(seconds(60)).ok());
  CHECK(alice.connections_opened() == 1);
  CHECK(alice.state() != ConnectionState::kConnected);
  CHECK(world->engine().connection_count() == 0);
}

TEST_CASE("a clean close from the client removes it and it does not come back", "[sim_client][faults]") {
  auto world = calm_world();
  SimClient& alice = connected(*world, "alice");
  world->close("alice", 1000);
  REQUIRE(world->run_for(seconds(10)).ok());
  CHECK(alice.state() == ConnectionState::kDisconnected);
  CHECK(world->engine().connection_count() == 0);
  CHECK(alice.connections_opened() == 1);
}
