// Engine::invariant_violations() holds through the engine's whole lifecycle: subscriptions of
// every kind, a user on two connections, refusals, timeouts and closes. The fuzz target
// fuzz/fuzz_engine checks it after every input; these pin down the ordinary paths.
#include <catch2/catch.hpp>

#include "engine_fixture.hpp"
#include "engine_test_access.hpp"
#include "process_stop.hpp"

using namespace pushsim;
using namespace pushsim::test;

namespace {

std::vector<std::string> names_of(const std::vector<EngineInvariantViolation>& violations) {
  std::vector<std::string> names;
  for (const auto& violation : violations) names.push_back(violation.name);
  return names;
}

std::string joined(const std::vector<EngineInvariantViolation>& violations) {
  std::string out;
  for (const auto& violation : violations) out += violation.name + ": " + violation.detail + "\n";
  return out;
}

}  // namespace

TEST_CASE("a fresh engine has no invariant violation", "[engine][invariants]") {
  EngineFixture f;
  CHECK(f.engine.invariant_violations().empty());
}

TEST_CASE("invariants hold across subscriptions, presence, sign-in and closes", "[engine][invariants]") {
  EngineFixture f;
  auto a = f.connect();
  auto b = f.connect();
  auto c = f.connect();
  f.subscribe(a, "my-channel");
  f.subscribe(b, "private-room");
  f.join_presence(a, "presence-room", "u1", Json{{"name", "Ann"}});
  f.join_presence(b, "presence-room", "u1");  // the same user twice
  f.join_presence(c, "presence-room", "u2");
  f.signin(c, R"({"id":"u2"})");
  INFO(joined(f.engine.invariant_violations()));
  CHECK(f.engine.invariant_violations().empty());
  CHECK(f.engine.channel("1", "presence-room", f.now).members.size() == 2);

  f.unsubscribe(a, "presence-room");
  f.close(b);
  INFO(joined(f.engine.invariant_violations()));
  CHECK(f.engine.invariant_violations().empty());
  CHECK(f.engine.channel("1", "presence-room", f.now).members.size() == 1);

  f.close(a);
  f.close(c);
  CHECK(f.engine.invariant_violations().empty());
  CHECK(f.engine.channels("1", f.now).empty());
}

TEST_CASE("invariants hold after refused opens and pong timeouts", "[engine][invariants]") {
  EngineFixture f;
  f.open("/app/unknown?protocol=7");
  f.open("/nope");
  auto a = f.connect();
  f.subscribe(a, "my-channel");
  f.advance(seconds(120));  // our ping
  f.advance(seconds(30));   // no pong: closed 4201
  INFO(joined(f.engine.invariant_violations()));
  CHECK(f.engine.invariant_violations().empty());
  CHECK(f.engine.connection_count() == 0);
  CHECK(f.engine.channels("1", f.now).empty());
}

// Each section plants one inconsistency the engine's code never makes, straight into its
// state, and the whole-state check must name the rule it breaks.
TEST_CASE("the whole-state check names the invariant a planted inconsistency breaks", "[engine][invariants]") {
  EngineFixture f;
  auto a = f.connect();
  auto b = f.connect();
  f.subscribe(a, "my-channel");
  f.join_presence(b, "presence-room", "u1");
  REQUIRE(f.engine.invariant_violations().empty());
  EngineTestAccess::State& state = EngineTestAccess::state(f.engine);
  const std::string checked = "1";
  std::string expected;

  SECTION("a connection forgets a channel it is subscribed to") {
    state.connections.at(a).channels.erase("my-channel");
    expected = "connection-lists-its-channels";
  }
  SECTION("the registry forgets a subscription its connection lists") {
    state.registry.unsubscribe(checked, "my-channel", a);
    expected = "connection-channels-are-subscriptions";
  }
  SECTION("a connection's deadline entry is lost") {
    state.deadlines.erase({*state.connections.at(a).scheduled_deadline, a});
    expected = "one-deadline-per-connection";
  }
  SECTION("a socket id is no longer indexed") {
    state.by_socket_id.erase(state.connections.at(b).socket_id);
    expected = "socket-id-indexed";
  }
  SECTION("a presence channel gets a subscriber that is no member") {
    EngineChecksOff off;  // subscribe() and join() would stop on it
    state.registry.subscribe(checked, "presence-room", a, std::nullopt);
    state.connections.at(a).channels.insert("presence-room");
    expected = "presence-subscribers-are-members";
  }
  SECTION("a non-cache channel gets a cache entry") {
    EngineChecksOff off;  // store_cache() would stop on it
    state.registry.store_cache(checked, "my-channel", CachedEvent{"e", "d", f.now + seconds(1)});
    expected = "cache-only-for-cache-channels";
  }
  SECTION("the reference engine keeps deferred work") {
    state.defer(f.now, [](TimeNs) {});
    expected = "deferred-work-only-in-race-variants";
  }

  const auto violations = f.engine.invariant_violations();
  INFO(joined(violations));
  CHECK_THAT(names_of(violations), Catch::Matchers::VectorContains(expected));
}

TEST_CASE("a state change that breaks what it assumes stops the process with the invariant's name",
          "[engine][invariants]") {
  REQUIRE(engine_checks_enabled());  // on in every test binary

  SECTION("closing a connection whose deadline entry is gone") {
    const auto stop = test::run_in_child([] {
      EngineFixture f;
      auto a = f.connect();
      EngineTestAccess::State& state = EngineTestAccess::state(f.engine);
      state.deadlines.clear();
      f.engine.on_closed(f.now, a);  // unschedule() finds no entry
    });
    INFO(stop.stderr_text);
    CHECK(stop.aborted);
    CHECK_THAT(stop.stderr_text, Catch::Contains("engine invariant broken: one-deadline-per-connection"));
    CHECK_THAT(stop.stderr_text, Catch::Contains("liveness.cpp"));
  }
  SECTION("leaving a channel the registry does not have the connection in") {
    const auto stop = test::run_in_child([] {
      EngineFixture f;
      auto a = f.connect();
      f.subscribe(a, "my-channel");
      EngineTestAccess::state(f.engine).registry.unsubscribe("1", "my-channel", a);
      f.engine.on_closed(f.now, a);  // leave() of a channel the connection lists
    });
    INFO(stop.stderr_text);
    CHECK(stop.aborted);
    CHECK_THAT(stop.stderr_text, Catch::Contains("engine invariant broken: connection-lists-its-channels"));
  }
  SECTION("a deadline entry its connection does not record, which tick() would handle forever") {
    const auto stop = test::run_in_child([] {
      EngineFixture f;
      auto a = f.connect();
      EngineTestAccess::state(f.engine).deadlines.emplace(f.now, a);
      f.engine.on_tick(f.now);
    });
    INFO(stop.stderr_text);
    CHECK(stop.aborted);
    CHECK_THAT(stop.stderr_text, Catch::Contains("engine invariant broken: handled-deadline-leaves-the-queue"));
  }
  SECTION("a cache entry for a channel that is not a cache channel") {
    const auto stop = test::run_in_child([] {
      ChannelRegistry registry;
      registry.store_cache("1", "news", CachedEvent{"e", "d", 0});
    });
    CHECK(stop.aborted);
    CHECK_THAT(stop.stderr_text, Catch::Contains("engine invariant broken: cache-only-for-cache-channels"));
  }
  SECTION("the whole-state check after an input of the fixture") {
    const auto stop = test::run_in_child([] {
      EngineFixture f;
      auto a = f.connect();
      f.subscribe(a, "my-channel");
      EngineTestAccess::state(f.engine).connections.at(a).channels.erase("my-channel");
      f.advance(seconds(1));
    });
    CHECK(stop.aborted);
    CHECK_THAT(stop.stderr_text, Catch::Contains("engine invariant broken: connection-lists-its-channels"));
    CHECK_THAT(stop.stderr_text, Catch::Contains("found by the whole-state check"));
  }
}

TEST_CASE("with the engine checks off, a broken assumption does not stop the process", "[engine][invariants]") {
  const auto stop = test::run_in_child([] {
    set_engine_checks_enabled(false);
    ChannelRegistry registry;
    registry.store_cache("1", "news", CachedEvent{"e", "d", 0});
  });
  CHECK(stop.returned);
  CHECK(stop.stderr_text.empty());
}
