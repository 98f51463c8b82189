// The isolated target: the names the server sees carry the scenario's suffix, and everything the
// executor and the reports see reads as the scenario wrote it. The inner target here is the
// simulation, so that the wire (its trace) can be inspected deterministically; the long-lived
// live server is in long_lived_server_test.cpp.
#include <catch2/catch.hpp>

#include <memory>

#include "executor_test_support.hpp"
#include "harness/isolated_target.hpp"

namespace pushsim::harness {
namespace {

using test::failures_of;
using test::load;
using test::scenario_text;

const std::string kSuffix = isolation_suffix("k3x9qa", "test.1");

struct Run {
  ScenarioResult result;
  std::string wire;  // every line of the inner target's trace
};

Run run_isolated(const std::string& body) {
  const Scenario scenario = load(scenario_text("must", body));
  SimTargetOptions options;
  options.enable = {"subscription_count"};
  auto sim = std::make_unique<SimTarget>(std::move(options));
  const SimTarget& inner = *sim;
  IsolatedTarget target(std::move(sim), NameIsolation(kSuffix));
  Run run;
  run.result = run_scenario(scenario, target, 7);
  for (const auto& line : inner.trace()) run.wire += line.text + "\n";
  return run;
}

std::string reported(const ScenarioResult& result) {
  std::string out;
  for (const auto& entry : result.trace) out += entry.text + "\n";
  return out + failures_of(result);
}

}  // namespace

TEST_CASE("isolated target: presence, REST, client events and webhooks pass with suffixed names on the wire") {
  const auto run = run_isolated(R"(clients:
  alice: { user_id: u1, user_info: { name: Alice } }
  bob: { user_id: u2 }
steps:
  - connect: alice
  - subscribe: { client: alice, channel: presence-room }
  - expect: { client: alice, event: "pusher_internal:subscription_succeeded", channel: presence-room,
              data: { presence: { count: 1, ids: [u1] } } }
  - expect_webhook: { name: member_added, channel: presence-room, user_id: u1 }
  - connect: bob
  - subscribe: { client: bob, channel: presence-room }
  - expect: { client: alice, event: "pusher_internal:member_added", channel: presence-room, data: { user_id: u2 } }
  - client_event: { client: alice, channel: presence-room, event: client-typing, data: { who: u1 } }
  - expect: { client: bob, event: client-typing, channel: presence-room, user_id: u1, data: { who: u1 } }
  - trigger: { channels: [presence-room, news], event: update, data: { n: 1 }, exclude: bob }
  - expect_response: { status: 200 }
  - expect: { client: alice, event: update, channel: presence-room, data: { n: 1 } }
  - query: { path: /channels/presence-room/users }
  - expect_response: { status: 200, body: { users: [{ id: u1 }, { id: u2 }] } }
  - query: { path: /channels, params: { filter_by_prefix: presence-, info: user_count } }
  - expect_response: { status: 200, body: { channels: { presence-room: { user_count: 2 } } } }
  - unsubscribe: { client: bob, channel: presence-room }
  - expect: { client: alice, event: "pusher_internal:member_removed", data: { user_id: u2 } }
)");
  INFO(failures_of(run.result));
  CHECK(run.result.verdict == Verdict::kPass);
  CHECK(run.wire.find("presence-room" + kSuffix) != std::string::npos);
  CHECK(run.wire.find("u1" + kSuffix) != std::string::npos);
  CHECK(run.wire.find("news" + kSuffix) != std::string::npos);
  // The report reads as the scenario was written.
  CHECK(reported(run.result).find(kSuffix) == std::string::npos);
  CHECK(reported(run.result).find("presence-room") != std::string::npos);
}

TEST_CASE("isolated target: a failure names the channel as written, not as the server saw it") {
  const auto run = run_isolated(R"(clients:
  alice:
steps:
  - connect: alice
  - subscribe: { client: alice, channel: news }
  - expect: { client: alice, event: "pusher_internal:subscription_succeeded", channel: other, within: 200ms }
)");
  CHECK(run.result.verdict == Verdict::kFail);
  const std::string failures = failures_of(run.result);
  CHECK(failures.find("#news") != std::string::npos);
  CHECK(failures.find(kSuffix) == std::string::npos);
  CHECK(run.wire.find("news" + kSuffix) != std::string::npos);
}

TEST_CASE("isolated target: names that test exact forms reach the server as written") {
  const std::string at_limit(164, 'c');
  const auto run = run_isolated(R"(clients:
  alice:
steps:
  - connect: alice
  - subscribe: { client: alice, channel: )" +
                                at_limit + R"( }
  - expect: { client: alice, event: "pusher_internal:subscription_succeeded", channel: )" +
                                at_limit + R"( }
  - subscribe: { client: alice, channel: private-, auth: none }
  - expect: { client: alice, event: "pusher:error" }
  - subscribe: { client: alice, channel: "#internal" }
  - expect: { client: alice, event: "pusher:error" }
  - subscribe: { client: alice, channel: "bad name" }
  - expect: { client: alice, event: "pusher:error" }
)");
  INFO(failures_of(run.result));
  CHECK(run.result.verdict == Verdict::kPass);
  CHECK(run.wire.find("\"channel\":\"" + at_limit + "\"") != std::string::npos);
  CHECK(run.wire.find("\"channel\":\"private-\"") != std::string::npos);
  CHECK(run.wire.find("\"channel\":\"#internal\"") != std::string::npos);
}

TEST_CASE("isolated target: a refused auth names the channel as written") {
  const auto run = run_isolated(R"(clients:
  alice:
steps:
  - connect: alice
  - auth_refuse: { client: alice, channel: private-room }
  - subscribe: { client: alice, channel: private-room }
  - expect: { client: alice, event: "pusher:subscription_error", channel: private-room, data: { status: 403 } }
  - subscribe: { client: alice, channel: private-other }
  - expect: { client: alice, event: "pusher_internal:subscription_succeeded", channel: private-other }
)");
  INFO(failures_of(run.result));
  CHECK(run.result.verdict == Verdict::kPass);
}

}  // namespace pushsim::harness
