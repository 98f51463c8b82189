// The live target over real loopback sockets, against an in-process server (serve mode).
// Misbehaving servers are in live_target_abuse_test.cpp.
#include <catch2/catch.hpp>

#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
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

TEST_CASE("live target: an advance past the budget sleeps what is left of it, and the clock skips to its deadline") {
  LiveTargetOptions options = served();
  options.advance_budget = std::chrono::milliseconds(100);
  LiveTarget target(options);
  const auto wall_start = std::chrono::steady_clock::now();
  const TimeNs start = target.now();
  target.advance_to(start + 60 * kNsPerSecond);
  const auto slept = std::chrono::steady_clock::now() - wall_start;
  CHECK(slept >= std::chrono::milliseconds(100));
  CHECK(slept < std::chrono::seconds(5));
  CHECK(target.now() >= start + 60 * kNsPerSecond);
}

TEST_CASE("live target: an advance within the budget is a real sleep") {
  const auto wall_start = std::chrono::steady_clock::now();
  const auto result = run_live(std::string(kConnectAndSubscribe) + "  - advance: 1500ms\n");
  INFO(failures_of(result));
  CHECK(result.verdict == Verdict::kPass);
  CHECK(std::chrono::steady_clock::now() - wall_start >= std::chrono::milliseconds(1500));
}

TEST_CASE("live target: a scenario whose advances exceed the budget is skipped with the reason, not failed") {
  LiveTargetOptions options = served();
  options.advance_budget = std::chrono::milliseconds(1'000);
  const auto result = run_live(
      std::string(kConnectAndSubscribe) + "  - concurrently:\n      - advance: 800ms\n  - advance: 400ms\n", options);
  CHECK(result.verdict == Verdict::kSkipped);
  CHECK(result.skip_reason ==
        "its advance steps take 1200 ms of real time in all, over the live advance budget of 1000 ms "
        "(--live-advance-budget)");
}

TEST_CASE("live target: without the relay, partitions are refused with the reason") {
  LiveTarget target(served());
  REQUIRE_FALSE(target.declare_client(ClientSpec{"alice", std::nullopt, std::nullopt, "default"}));
  const auto error = target.partition("alice");
  REQUIRE(error);
  CHECK(*error == "partition needs the fault relay, which this live target was started without");
}

TEST_CASE("live target: through the relay, a partition holds an event until the heal") {
  LiveTargetOptions options = served();
  options.relay = true;
  const auto result = run_live(std::string(kConnectAndSubscribe) + R"(  - partition: alice
  - trigger: { channel: news, event: update, data: { n: 1 } }
  - expect_response: { status: 200 }
  - trigger: { channel: news, event: update, data: { n: 2 } }
  - expect_response: { status: 200 }
  - expect_none: { client: alice, event: update, for: 1s }
  - heal: alice
  - expect: { client: alice, event: update, channel: news, data: { n: 1 }, within: 5s }
  - expect: { client: alice, event: update, channel: news, data: { n: 2 }, after_previous: true }
)",
                               options);
  INFO(failures_of(result));
  CHECK(result.verdict == Verdict::kPass);
}

TEST_CASE("live target: a partition the scenario never heals fails the expectation, as a lost event would") {
  LiveTargetOptions options = served();
  options.relay = true;
  const auto result = run_live(std::string(kConnectAndSubscribe) + R"(  - partition: alice
  - trigger: { channel: news, event: update, data: { n: 1 } }
  - expect_response: { status: 200 }
  - expect: { client: alice, event: update, channel: news, within: 1s }
)",
                               options);
  CHECK(result.verdict == Verdict::kFail);
}

TEST_CASE("live target: through the relay, latency delays frames and keeps their order") {
  LiveTargetOptions options = served();
  options.relay = true;
  const auto result = run_live(std::string(kConnectAndSubscribe) + R"(  - latency: { min: 20ms, max: 80ms }
  - trigger: { channel: news, event: e, data: { n: 1 } }
  - trigger: { channel: news, event: e, data: { n: 2 } }
  - trigger: { channel: news, event: e, data: { n: 3 } }
  - expect: { client: alice, event: e, data: { n: 1 }, within: 5s }
  - expect: { client: alice, event: e, data: { n: 2 }, after_previous: true, within: 5s }
  - expect: { client: alice, event: e, data: { n: 3 }, after_previous: true, within: 5s }
)",
                               options);
  INFO(failures_of(result));
  CHECK(result.verdict == Verdict::kPass);
}

TEST_CASE("live target: through the relay, a drop resets the server's side too, which it notices at once") {
  LiveTargetOptions options = served();
  options.relay = true;
  const auto result = run_live(R"(clients:
  alice: { user_id: u1 }
  bob: { user_id: u2 }
steps:
  - connect: alice
  - subscribe: { client: alice, channel: presence-lobby }
  - expect: { client: alice, event: "pusher_internal:subscription_succeeded", channel: presence-lobby }
  - connect: bob
  - subscribe: { client: bob, channel: presence-lobby }
  - expect: { client: bob, event: "pusher_internal:subscription_succeeded", channel: presence-lobby }
  - expect: { client: alice, event: "pusher_internal:member_added", data: { user_id: u2 } }
  - drop: bob
  - expect: { client: alice, event: "pusher_internal:member_removed", data: { user_id: u2 }, within: 3s }
  - expect_none: { client: bob, for: 200ms, after_previous: true }
)",
                               options);
  INFO(failures_of(result));
  CHECK(result.verdict == Verdict::kPass);
}

TEST_CASE("live target: the factory turns the relay on for scenarios with network faults only") {
  const Scenario plain = load(scenario_text("must", kConnectAndSubscribe));
  const Scenario faulty =
      load(scenario_text("must", std::string(kConnectAndSubscribe) + "  - concurrently:\n      - "
                                                                     "latency: { min: 1ms, max: 2ms }\n"));
  CHECK_FALSE(uses_network_faults(plain.steps));
  CHECK(uses_network_faults(faulty.steps));
  const auto factory = live_target_factory(served());
  auto target = factory(faulty, 7);
  CHECK_FALSE(target->latency(std::nullopt, ms(1), ms(2)).has_value());
  auto direct = factory(plain, 7);
  REQUIRE(direct->latency(std::nullopt, ms(1), ms(2)).has_value());
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

namespace pushsim::harness {

TEST_CASE("live target: a webhook port the harness cannot take makes the scenario not run, not a server FAIL") {
  boost::asio::io_context context;
  boost::asio::ip::tcp::acceptor squatter(context, {boost::asio::ip::make_address("127.0.0.1"), 0});
  LiveTargetOptions options = served();
  options.webhook_port = squatter.local_endpoint().port();
  const Scenario scenario = test::load(test::scenario_text("must", kConnectAndSubscribe));
  const auto run = run_suite(
      {scenario}, [&](const Scenario&, std::uint64_t) { return std::make_unique<LiveTarget>(options); }, "serve",
      SuiteOptions{});
  REQUIRE(run.scenarios.size() == 1);
  const auto& result = run.scenarios.front();
  CHECK(result.verdict == Verdict::kNotRun);
  CHECK_THAT(result.skip_reason, Catch::Contains("the harness could not run it: webhook listener") &&
                                     Catch::Contains("cannot listen on 127.0.0.1:"));
}

}  // namespace pushsim::harness
