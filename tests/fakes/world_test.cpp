// The world's own machinery: run loops and their bounds, verbs in virtual time, run identity.
#include <catch2/catch.hpp>

#include "fakes/raw_client.hpp"
#include "fakes/world.hpp"
#include "names.hpp"

using namespace pushsim;
using namespace pushsim::fakes;
using pushsim::fakes::testing::numbered;

TEST_CASE("a world starts at the simulation epoch and is identified by scenario, seed and fault profile", "[world]") {
  WorldBuilder builder;
  builder.scenario("join").seed(77).faults(FaultProfile::flaky());
  auto world = builder.build();
  CHECK(world->now() == kSimulationEpoch);
  CHECK(world->run_id() == RunId{"join", 77, "flaky"});
  CHECK(world->trace().header_line().find(R"("run":{"scenario":"join","seed":77,"faults":"flaky"})") !=
        std::string::npos);
}

TEST_CASE("verbs scheduled with at() run at their virtual time", "[world]") {
  auto world = WorldBuilder{}.build();
  std::vector<TimeNs> ran;
  world->at(kSimulationEpoch + seconds(5), [&](World& w) { ran.push_back(w.now()); });
  world->after(seconds(1), [&](World& w) { ran.push_back(w.now()); });
  CHECK_FALSE(world->idle());
  REQUIRE(world->run_until_idle().stop == RunStop::kIdle);
  CHECK(ran == std::vector<TimeNs>{kSimulationEpoch + seconds(1), kSimulationEpoch + seconds(5)});
}

TEST_CASE("run_until_idle reports a partition that never heals as a time limit, not a hang", "[world]") {
  auto world = WorldBuilder{}.build();
  RawClient& alice = world->add_raw_client("alice");
  alice.connect();
  world->partition("alice");
  const RunOutcome outcome = world->run_until_idle(seconds(30));
  CHECK(outcome.stop == RunStop::kTimeReached);
  CHECK(world->now() == kSimulationEpoch + seconds(30));
  CHECK(world->network().packets_in_flight() == 1);  // the open, held
}

TEST_CASE("a livelock at one instant is stopped by the world's event limit", "[world]") {
  WorldBuilder builder;
  builder.max_events(500);
  auto world = builder.build();
  std::function<void(World&)> again = [&](World& w) { w.after(0, again); };
  world->after(0, again);
  const RunOutcome outcome = world->run_for(seconds(1));
  CHECK(outcome.stop == RunStop::kEventLimit);
  CHECK_FALSE(outcome.ok());
  CHECK(outcome.events == 500);
}

TEST_CASE("extra latency on one client delays its frames by exactly that much", "[world][faults]") {
  WorldBuilder builder;
  builder.latency(Latency::fixed(ms(5))).http_latency(Latency::fixed(ms(1)));
  auto world = builder.build();
  RawClient& alice = world->add_raw_client("alice");
  RawClient& bob = world->add_raw_client("bob");
  alice.connect();
  bob.connect();
  REQUIRE(world->run_until_idle().ok());
  alice.subscribe("news");
  bob.subscribe("news");
  REQUIRE(world->run_until_idle().ok());
  world->extra_latency("alice", Latency::fixed(ms(300)));
  const TimeNs sent = world->now();
  world->trigger({"news"}, "e", "x");
  REQUIRE(world->run_until_idle().ok());
  CHECK(bob.received().back().at == sent + ms(1) + ms(5));
  CHECK(alice.received().back().at == sent + ms(1) + ms(305));
  world->extra_latency("alice", std::nullopt);
  const TimeNs again = world->now();
  world->trigger({"news"}, "e", "y");
  REQUIRE(world->run_until_idle().ok());
  CHECK(alice.received().back().at == again + ms(1) + ms(5));
}

TEST_CASE("lost REST requests are logged without an answer after the app's timeout", "[world][faults]") {
  WorldBuilder builder;
  builder.http_loss(Ratio{1, 1});
  auto world = builder.build();
  world->trigger({"news"}, "e", "x");
  REQUIRE(world->run_until_idle().stop == RunStop::kIdle);
  REQUIRE(world->rest_log().size() == 1);
  CHECK_FALSE(world->rest_log()[0].response);
  CHECK(world->rest_log()[0].answered_at == kSimulationEpoch + world->config().rest_timeout);
}

TEST_CASE("a seed-drawn fault plan is played by the world and written to the trace", "[world][faults]") {
  WorldBuilder builder;
  FaultProfile profile = FaultProfile::flaky();
  profile.partition_chance = {1, 1};
  builder.seed(5).faults(profile);
  auto world = builder.build();
  for (int i = 0; i < 3; ++i) world->add_raw_client(numbered("c", i)).connect();
  const auto plan = world->plan_faults(world->now());
  REQUIRE(world->run_for(seconds(120)).ok());
  std::size_t partitions = 0;
  for (const auto& f : plan) partitions += f.kind == PlannedFault::Kind::kPartition ? 1 : 0;
  CHECK(partitions == 3);
  std::size_t traced = 0;
  for (const auto& r : world->trace().records())
    traced += r.kind == TraceKind::kFault && *r.text == "partition" ? 1 : 0;
  CHECK(traced == 3);
}

TEST_CASE("faults naming a client that does not exist do nothing and say so", "[world][faults]") {
  auto world = WorldBuilder{}.build();
  world->add_raw_client("alice").connect();
  CHECK_FALSE(world->partition("nobody"));
  CHECK_FALSE(world->drop("nobody"));
  CHECK_FALSE(world->close("nobody", 1000));
  CHECK_FALSE(world->close_from_server("nobody", 4200));
  CHECK_FALSE(world->extra_latency("nobody", Latency::fixed(1)));
  CHECK(world->find_client("nobody") == nullptr);
  CHECK(world->partition("alice"));
  CHECK(world->trace().count(TraceKind::kFault) == 1);
}
