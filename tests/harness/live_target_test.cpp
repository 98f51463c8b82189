// The live target over real loopback sockets: against an in-process server (serve mode) and
// against deliberately misbehaving servers, which must fail their scenario clearly and let
// the run go on.
#include <catch2/catch.hpp>

#include <atomic>
#include <chrono>
#include <thread>

#include "executor_test_support.hpp"
#include "harness/live_target.hpp"
#include "harness/suite_runner.hpp"
#include "net/rogue_server.hpp"

namespace pushsim::harness {
namespace {

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

std::string failures_of(const ScenarioResult& result) {
  std::string out;
  for (const auto& failure : result.failures) out += failure + "\n";
  return out;
}

// A RogueServer on its own loop and thread, since the live target runs its own loop.
class RogueThread {
 public:
  explicit RogueThread(pushsim::test::Misbehaviour misbehaviour) : server_(loop_, misbehaviour) {
    thread_ = std::thread([this] {
      // Short slices: run_until checks stop_ only around handlers, and an idle loop has none.
      const auto end = deadline_after(std::chrono::seconds(60));
      while (!stop_ && std::chrono::steady_clock::now() < end) {
        loop_.run_until([this] { return stop_.load(); }, deadline_after(std::chrono::milliseconds(20)));
      }
    });
  }
  ~RogueThread() {
    stop_ = true;
    thread_.join();
  }
  std::string url() const { return server_.url(); }

 private:
  IoLoop loop_;
  pushsim::test::RogueServer server_;
  std::atomic<bool> stop_{false};
  std::thread thread_;
};

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
  const Scenario scenario = load(scenario_text("must", "simulation_only: needs partitions\n" +
                                                           std::string(kConnectAndSubscribe)));
  LiveTarget target(served());
  const auto result = run_scenario(scenario, target, 7);
  CHECK(result.verdict == Verdict::kSkipped);
  CHECK(result.skip_reason == "simulation only: needs partitions");
}

TEST_CASE("live target: misbehaving servers fail their scenario clearly and the run goes on") {
  const auto misbehaviour = GENERATE(pushsim::test::Misbehaviour::kSilentUpgrade, pushsim::test::Misbehaviour::kHttp404,
                                     pushsim::test::Misbehaviour::kNoEstablished, pushsim::test::Misbehaviour::kGarbage,
                                     pushsim::test::Misbehaviour::kGarbageLater, pushsim::test::Misbehaviour::kCloseMidFrame,
                                     pushsim::test::Misbehaviour::kHugeFrame);
  RogueThread rogue(misbehaviour);
  LiveTargetOptions options;
  options.name = rogue.url();
  options.ws_url = rogue.url();
  options.wait_max = std::chrono::milliseconds(1'000);
  options.connect_max = std::chrono::milliseconds(1'000);
  // Two scenarios: the first fails, the second still runs (and fails on its own).
  Scenario first = load(scenario_text("must", kConnectAndSubscribe));
  Scenario second = first;
  second.id = "test.2";
  const auto wall_start = std::chrono::steady_clock::now();
  const auto run = run_suite({first, second}, live_target_factory(options), rogue.url(), SuiteOptions{});
  CHECK(std::chrono::steady_clock::now() - wall_start < std::chrono::seconds(20));
  REQUIRE(run.scenarios.size() == 2);
  for (const auto& result : run.scenarios) {
    INFO(failures_of(result));
    CHECK(result.verdict == Verdict::kFail);
    REQUIRE_FALSE(result.failures.empty());
  }
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
