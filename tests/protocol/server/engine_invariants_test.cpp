// Engine::invariant_violations() holds through the engine's whole lifecycle: subscriptions of
// every kind, a user on two connections, refusals, timeouts and closes. The fuzz target
// fuzz/fuzz_engine checks it after every input; these pin down the ordinary paths.
#include <catch2/catch.hpp>

#include "engine_fixture.hpp"

using namespace pushsim;
using namespace pushsim::test;

namespace {

std::string joined(const std::vector<std::string>& violations) {
  std::string out;
  for (const auto& violation : violations) out += violation + "\n";
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
