// The simulator runs the engine's whole-state check after every input it feeds the engine
// (protocol/server/engine_checks.hpp): an inconsistency planted between two inputs stops the
// run at the next one, naming the broken invariant and the seed that reproduces it.
#include <catch2/catch.hpp>

#include "calm_world.hpp"
#include "fakes/raw_client.hpp"
#include "fakes/world.hpp"
#include "process_stop.hpp"
#include "protocol/server/engine_test_access.hpp"

using namespace pushsim;
using namespace pushsim::fakes;
using pushsim::fakes::testing::calm_world;

namespace {

// A world whose one client is subscribed to "news", with the engine's state corrupted by
// `plant` once everything has settled.
template <class Plant>
std::unique_ptr<World> planted_world(RawClient*& alice, Plant&& plant) {
  auto world = calm_world(7);
  alice = &world->add_raw_client("alice");
  alice->connect();
  REQUIRE(world->run_until_idle().ok());
  alice->subscribe("news");
  REQUIRE(world->run_until_idle().ok());
  plant(EngineTestAccess::state(world->engine()), alice->link());
  return world;
}

void forget_channel(EngineTestAccess::State& state, LinkId link) { state.connections.at(link).channels.erase("news"); }

}  // namespace

TEST_CASE("the simulator stops at the first input after a planted inconsistency", "[world][engine-checks]") {
  const auto stop = test::run_in_child([] {
    RawClient* alice = nullptr;
    auto world = planted_world(alice, forget_channel);
    alice->send(R"({"event":"pusher:ping","data":{}})");
    world->run_until_idle();
  });
  INFO(stop.stderr_text);
  CHECK(stop.aborted);
  CHECK_THAT(stop.stderr_text, Catch::Contains("engine invariant broken: connection-lists-its-channels"));
  CHECK_THAT(stop.stderr_text, Catch::Contains("scenario adhoc, seed 7"));
}

TEST_CASE("a consistent simulated run is not stopped by the checks", "[world][engine-checks]") {
  REQUIRE(engine_checks_enabled());
  RawClient* alice = nullptr;
  auto world = planted_world(alice, [](EngineTestAccess::State&, LinkId) {});
  alice->send(R"({"event":"pusher:ping","data":{}})");
  CHECK(world->run_until_idle().ok());
  CHECK(world->engine().invariant_violations().empty());
}

TEST_CASE("with the engine checks off the simulator does not run the whole-state check", "[world][engine-checks]") {
  RawClient* alice = nullptr;
  auto world = planted_world(alice, forget_channel);
  EngineChecksOff off;
  alice->send(R"({"event":"pusher:ping","data":{}})");
  CHECK(world->run_until_idle().ok());
  CHECK_FALSE(world->engine().invariant_violations().empty());  // still there, unreported
}
