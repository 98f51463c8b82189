// The live target over real loopback sockets, against an in-process server (serve mode).
// Misbehaving servers are in live_target_abuse_test.cpp.
#include <catch2/catch.hpp>

#include <chrono>

#include "executor_test_support.hpp"
#include "harness/live_target.hpp"
#include "harness/suite_runner.hpp"

namespace pushsim::harness {
namespace {

using test::failures_of;
using test::load;
using test::scenario_text;

LiveTargetOptions served() {
  LiveTargetOptions options;
  options.serve = true;
  return options;
}

ScenarioResult run_live(const std::string& body, LiveTargetOptions options = served()) {
  const Scenario scenario = load(scenario_text("must", body));
  LiveTarget target(std::move(options));
  REQUIRE_FALSE(target.start_error());
  return run_scenario(scenario, target, 7);
}

const char* const kConnectAndSubscribe = R"(clients:
  alice:
steps:
  - connect: alice
  - expect: { client: alice, event: "pusher:connection_established" }
  - subscribe: { client: alice, channel: news }
  - expect: { client: alice, event: "pusher_internal:subscription_succeeded", channel: news }
)";

}  // namespace

TEST_CASE("live target: a published event reaches a real WebSocket subscriber of the served engine") {
  const auto result = run_live(R"(clients:
  alice:
steps:
  - connect: alice
  - expect: { client: alice, event: "pusher:connection_established" }
  - subscribe: { client: alice, channel: news }
  - expect: { client: alice, event: "pusher_internal:subscription_succeeded", channel: news }
  - trigger: { channels: [news], event: headline, data: { n: 1 } }
  - expect_response: { status: 200, body: {} }
  - expect: { client: alice, event: headline, channel: news, data: { n: 1 } }
)");
  INFO(failures_of(result));
  CHECK(result.verdict == Verdict::kPass);
}

TEST_CASE("live target: presence auth is signed by the harness and webhooks arrive verified at its listener") {
  const auto result = run_live(R"(clients:
  alice: { user_id: "u1" }
steps:
  - connect: alice
  - subscribe: { client: alice, channel: presence-room }
  - expect: { client: alice, event: "pusher_internal:subscription_succeeded", channel: presence-room }
  - expect_webhook: { name: channel_occupied, channel: presence-room }
  - expect_webhook: { name: member_added, channel: presence-room, user_id: "u1" }
)");
  INFO(failures_of(result));
  CHECK(result.verdict == Verdict::kPass);
}

TEST_CASE("live target: a wrong signature is refused by the server with a pusher:error") {
  const auto result = run_live(R"(clients:
  alice:
steps:
  - connect: alice
  - subscribe: { client: alice, channel: private-room, auth: wrong_signature }
  - expect: { client: alice, event: "pusher:error" }
  - expect_none: { client: alice, event: "pusher_internal:subscription_succeeded", for: 200ms }
)");
  INFO(failures_of(result));
  CHECK(result.verdict == Verdict::kPass);
}

TEST_CASE("live target: an unknown key is closed with 4001, seen as an observation, not an action error") {
  const auto result = run_live(R"(clients:
  alice:
steps:
  - connect: { client: alice, app_key: no-such-key }
  - expect: { client: alice, event: "pusher:error", data: { code: 4001 } }
  - expect_close: { client: alice, code: 4001 }
)");
  INFO(failures_of(result));
  CHECK(result.verdict == Verdict::kPass);
}

TEST_CASE("live target: a long advance is capped in wall time and the clock skips to its deadline") {
  LiveTargetOptions options = served();
  options.wait_max = std::chrono::milliseconds(100);
  LiveTarget target(options);
  const auto wall_start = std::chrono::steady_clock::now();
  const TimeNs start = target.now();
  target.advance_to(start + 60 * kNsPerSecond);
  CHECK(std::chrono::steady_clock::now() - wall_start < std::chrono::seconds(5));
  CHECK(target.now() >= start + 60 * kNsPerSecond);
}

TEST_CASE("live target: partitions are refused with the reason") {
  LiveTarget target(served());
  REQUIRE_FALSE(target.declare_client(ClientSpec{"alice", std::nullopt, std::nullopt, "default"}));
  const auto error = target.partition("alice");
  REQUIRE(error);
  CHECK(*error == "partition needs the simulated network; a live target cannot play it");
}

TEST_CASE("live target: simulation-only scenarios are skipped with their reason") {
  const Scenario scenario =
      load(scenario_text("must", "simulation_only: needs partitions\n" + std::string(kConnectAndSubscribe)));
  LiveTarget target(served());
  const auto result = run_scenario(scenario, target, 7);
  CHECK(result.verdict == Verdict::kSkipped);
  CHECK(result.skip_reason == "simulation only: needs partitions");
}

TEST_CASE("live target: past the run's deadline every action is refused and waits fail at once") {
  LiveTargetOptions options = served();
  options.run_deadline = std::chrono::steady_clock::now();
  LiveTarget target(options);
  REQUIRE_FALSE(target.declare_client(ClientSpec{"alice", std::nullopt, std::nullopt, "default"}));
  const auto error = target.connect("alice", {});
  REQUIRE(error);
  CHECK(*error == "the run's overall deadline has passed");
  CHECK_FALSE(target.wait_until(target.now() + kNsPerSecond, [] { return false; }));
}

}  // namespace pushsim::harness
