// World-level behaviour with raw-frame clients: the engine, the network and the fake
// services wired together, without the protocol client in the way.
#include <catch2/catch.hpp>

#include "calm_world.hpp"
#include "fakes/raw_client.hpp"
#include "fakes/world.hpp"
#include "names.hpp"

using namespace pushsim;
using namespace pushsim::fakes;
using pushsim::fakes::testing::calm_world;
using pushsim::fakes::testing::numbered;

namespace {

// Subscribes a raw client to a presence or private channel with a signature from the fake
// auth endpoint, as the app server would give it.
void subscribe_signed(World& world, RawClient& client, const std::string& channel, const UserProfile* user) {
  const HttpResponse r = world.auth().authorize_channel(*client.socket_id(), channel, user);
  REQUIRE(r.status == 200);
  const Json body = Json::parse(r.body);
  std::optional<std::string> channel_data;
  if (body.contains("channel_data")) channel_data = body["channel_data"].get<std::string>();
  client.subscribe(channel, body["auth"].get<std::string>(), channel_data);
}

}  // namespace

TEST_CASE("a raw client connects through the network and gets connection_established", "[world]") {
  auto world = calm_world();
  RawClient& alice = world->add_raw_client("alice");
  alice.connect();
  REQUIRE(world->run_until_idle().stop == RunStop::kIdle);
  CHECK(alice.connected());
  REQUIRE(alice.socket_id());
  CHECK(world->engine().socket_id(alice.link()) == alice.socket_id());
  REQUIRE(alice.received().size() == 1);
  CHECK(alice.received()[0].at == kSimulationEpoch + ms(10));  // open there, established back
  CHECK(world->engine().connection_count() == 1);
}

TEST_CASE("a REST trigger fans out to every subscriber and the occupied webhook reaches the receiver", "[world]") {
  auto world = calm_world();
  std::vector<RawClient*> clients;
  for (int i = 0; i < 5; ++i) {
    clients.push_back(&world->add_raw_client(numbered("c", i)));
    clients.back()->connect();
  }
  REQUIRE(world->run_until_idle().ok());
  for (RawClient* c : clients) c->subscribe("news");
  REQUIRE(world->run_until_idle().ok());
  world->trigger({"news"}, "headline", Json{{"n", 1}});
  REQUIRE(world->run_until_idle().stop == RunStop::kIdle);
  for (RawClient* c : clients) {
    const auto got = c->frames("headline");
    REQUIRE(got.size() == 1);
    CHECK(got[0].channel == "news");
    CHECK(got[0].data == Json("{\"n\":1}"));
  }
  REQUIRE(world->rest_log().size() == 1);
  REQUIRE(world->rest_log()[0].response);
  CHECK(world->rest_log()[0].response->status == 200);
  REQUIRE(world->webhooks().accepted_events().size() == 1);
  CHECK(world->webhooks().accepted_events()[0] == Json{{"name", "channel_occupied"}, {"channel", "news"}});
}

TEST_CASE("an abruptly dropped presence member is removed only when the server's timeout fires", "[world][faults]") {
  auto world = calm_world();
  const UserProfile alice_user{"u1", Json{{"name", "Alice"}}, std::nullopt};
  const UserProfile bob_user{"u2", nullptr, std::nullopt};
  RawClient& alice = world->add_raw_client("alice");
  RawClient& bob = world->add_raw_client("bob");
  alice.connect();
  bob.connect();
  REQUIRE(world->run_until_idle().ok());
  subscribe_signed(*world, alice, "presence-room", &alice_user);
  subscribe_signed(*world, bob, "presence-room", &bob_user);
  REQUIRE(world->run_until_idle().ok());
  REQUIRE(alice.count("pusher_internal:member_added") == 1);
  const TimeNs bob_last_heard = world->now() - ms(5);  // his subscribe arrived one hop ago
  world->drop("bob");
  // Alice stays alive (she answers pings); bob is silent from now on.
  REQUIRE(world->run_for(seconds(149)).ok());
  CHECK(alice.count("pusher_internal:member_removed") == 0);
  CHECK(world->engine().channel("1", "presence-room", world->now()).members.size() == 2);
  REQUIRE(world->run_for(seconds(2)).ok());
  const auto removed = alice.frames("pusher_internal:member_removed");
  REQUIRE(removed.size() == 1);
  CHECK(removed[0].decoded_data() == Json{{"user_id", "u2"}});
  // activity_timeout (120 s) of silence, then pong_timeout (30 s), then one hop to alice.
  const TimeNs removed_at = alice.received().back().at;
  CHECK(removed_at == bob_last_heard + seconds(150) + ms(5));
  CHECK(world->engine().channel("1", "presence-room", world->now()).members.size() == 1);
  CHECK(world->trace().count(TraceKind::kDrop) >= 2);  // the ping and the 4201 close were lost
}

TEST_CASE("a partitioned raw client misses nothing after heal on a live connection", "[world][faults]") {
  auto world = calm_world();
  RawClient& alice = world->add_raw_client("alice");
  alice.connect();
  REQUIRE(world->run_until_idle().ok());
  alice.subscribe("news");
  REQUIRE(world->run_until_idle().ok());
  world->partition("alice");
  for (int i = 0; i < 10; ++i) {
    world->trigger({"news"}, "tick", std::to_string(i));
    REQUIRE(world->run_for(seconds(1)).ok());
  }
  CHECK(alice.count("tick") == 0);
  world->heal("alice");
  REQUIRE(world->run_until_idle().stop == RunStop::kIdle);
  const auto ticks = alice.frames("tick");
  REQUIRE(ticks.size() == 10);
  for (int i = 0; i < 10; ++i) CHECK(ticks[i].data == Json(std::to_string(i)));
  CHECK(alice.connected());
}

TEST_CASE("a partition longer than the server's patience ends the connection with 4201", "[world][faults]") {
  auto world = calm_world();
  RawClient& alice = world->add_raw_client("alice");
  alice.connect();
  REQUIRE(world->run_until_idle().ok());
  world->partition("alice");
  REQUIRE(world->run_for(seconds(200)).ok());
  CHECK(world->engine().connection_count() == 0);
  CHECK(alice.connected());  // she cannot know yet
  world->heal("alice");
  REQUIRE(world->run_until_idle().ok());
  CHECK(alice.count("pusher:ping") == 1);
  CHECK(alice.close_code() == 4201);
  CHECK_FALSE(alice.connected());
}

TEST_CASE("a failing webhook receiver sees the documented retries, then success", "[world][faults][webhooks]") {
  auto world = calm_world();
  RawClient& alice = world->add_raw_client("alice");
  alice.connect();
  REQUIRE(world->run_until_idle().ok());
  world->fail_webhooks(3, 500);
  alice.subscribe("news");
  REQUIRE(world->run_for(seconds(30)).ok());
  const auto& batches = world->webhooks().batches();
  REQUIRE(batches.size() == 4);
  std::vector<int> statuses;
  for (const auto& b : batches) statuses.push_back(b.status);
  CHECK(statuses == std::vector<int>{500, 500, 500, 200});
  // Back-off 1 s, 2 s, 4 s after each failure is seen (each answer takes two 2 ms hops).
  CHECK(batches[1].arrived_at - batches[0].arrived_at == seconds(1) + ms(4));
  CHECK(batches[2].arrived_at - batches[1].arrived_at == seconds(2) + ms(4));
  CHECK(batches[3].arrived_at - batches[2].arrived_at == seconds(4) + ms(4));
  // The same body every time: the event and its creation time_ms do not change.
  for (const auto& b : batches) CHECK(b.body == batches[0].body);
  CHECK(world->webhooks().accepted_count() == 1);
}

TEST_CASE("a silent webhook receiver makes the engine retry after its response timeout", "[world][faults][webhooks]") {
  auto world = calm_world();
  RawClient& alice = world->add_raw_client("alice");
  alice.connect();
  REQUIRE(world->run_until_idle().ok());
  world->silence_webhooks(1);
  alice.subscribe("news");
  REQUIRE(world->run_for(seconds(30)).ok());
  const auto& batches = world->webhooks().batches();
  REQUIRE(batches.size() == 2);
  CHECK(batches[0].status == 0);
  CHECK(batches[1].status == 200);
  // response_timeout 10 s, then the first back-off of 1 s.
  CHECK(batches[1].arrived_at - batches[0].arrived_at == seconds(11));
}

TEST_CASE("a clean close from the server reaches the client with its code", "[world][faults]") {
  auto world = calm_world();
  RawClient& alice = world->add_raw_client("alice");
  alice.connect();
  REQUIRE(world->run_until_idle().ok());
  world->close_from_server("alice", 4200, "going away");
  REQUIRE(world->run_until_idle().ok());
  CHECK(alice.close_code() == 4200);
  CHECK(world->engine().connection_count() == 0);
}

TEST_CASE("a clean close from the client removes its connection from the engine", "[world][faults]") {
  auto world = calm_world();
  RawClient& alice = world->add_raw_client("alice");
  alice.connect();
  REQUIRE(world->run_until_idle().ok());
  alice.subscribe("news");
  REQUIRE(world->run_until_idle().ok());
  world->close("alice", 1000);
  REQUIRE(world->run_until_idle().ok());
  CHECK(world->engine().connection_count() == 0);
  CHECK_FALSE(world->engine().channel("1", "news", world->now()).occupied());
}

TEST_CASE("a slow webhook receiver is retried only when slower than the engine's timeout",
          "[world][faults][webhooks]") {
  auto world = calm_world();
  RawClient& alice = world->add_raw_client("alice");
  alice.connect();
  REQUIRE(world->run_until_idle().ok());
  world->slow_webhooks(seconds(5));  // within the 10 s response timeout
  alice.subscribe("first");
  REQUIRE(world->run_for(seconds(30)).ok());
  CHECK(world->webhooks().batches().size() == 1);
  world->slow_webhooks(seconds(12));  // beyond it: the answer comes too late to count
  alice.subscribe("second");
  REQUIRE(world->run_for(seconds(9)).ok());
  const auto& batches = world->webhooks().batches();
  REQUIRE(batches.size() == 2);
  REQUIRE(world->run_for(seconds(30)).ok());
  CHECK(world->trace().to_json_lines().find("late response 200") != std::string::npos);
  // Timed out at 10 s, retried 1 s later; that answer is late again, and so on.
  REQUIRE(batches.size() >= 3);
  CHECK(batches[2].arrived_at - batches[1].arrived_at == seconds(11));
  CHECK(batches[2].body == batches[1].body);
}

TEST_CASE("the server's WebSocket layer answers a ping with a pong of the same payload", "[world]") {
  auto world = calm_world();
  RawClient& alice = world->add_raw_client("alice");
  alice.connect();
  REQUIRE(world->run_until_idle().stop == RunStop::kIdle);
  const std::size_t frames = alice.received().size();
  const TimeNs sent = world->now();
  REQUIRE(alice.send_ping("hello"));
  REQUIRE(world->run_until_idle().stop == RunStop::kIdle);
  REQUIRE(alice.pongs().size() == 1);
  CHECK(alice.pongs()[0].payload == "hello");
  CHECK(alice.pongs()[0].at == sent + ms(10));  // there and back
  CHECK(alice.received().size() == frames);     // a control frame, not a protocol message
}

TEST_CASE("with no-websocket-pong the ping goes unanswered", "[world][defects]") {
  WorldBuilder builder;
  builder.latency(Latency::fixed(ms(5)));
  EngineOptions engine;
  engine.defects.add(Defect::kNoWebSocketPong);
  builder.engine(engine);
  auto world = builder.build();
  RawClient& alice = world->add_raw_client("alice");
  alice.connect();
  REQUIRE(world->run_until_idle().stop == RunStop::kIdle);
  REQUIRE(alice.send_ping("hello"));
  REQUIRE(world->run_until_idle().stop == RunStop::kIdle);
  CHECK(alice.pongs().empty());
}

TEST_CASE("a server shutdown reaches every client as a close 4200; the broken variant cuts them", "[world]") {
  const bool broken = GENERATE(false, true);
  WorldBuilder builder;
  builder.latency(Latency::fixed(ms(5)));
  EngineOptions engine;
  if (broken) engine.defects.add(Defect::kShutdownWithoutClose);
  builder.engine(engine);
  auto world = builder.build();
  RawClient& alice = world->add_raw_client("alice");
  alice.connect();
  REQUIRE(world->run_until_idle().stop == RunStop::kIdle);
  world->shutdown_server();
  REQUIRE(world->run_until_idle().stop == RunStop::kIdle);
  CHECK(world->engine().connection_count() == 0);
  if (broken) {
    CHECK_FALSE(alice.close_code().has_value());
  } else {
    CHECK(alice.close_code() == std::optional<int>(4200));
  }
}
