// Misbehaving peers, through the suite runner as `pushsim run --target ws://...` drives them:
// for each way a server (or a webhook sender) can misbehave, the affected scenario fails
// within its deadline with a message naming what the peer did, the next scenario (against a
// good served engine) still passes, and every socket and thread opened is closed again.
#include <catch2/catch.hpp>

#include <chrono>
#include <exception>
#include <filesystem>
#include <thread>

#include "executor_test_support.hpp"
#include "harness/live_target.hpp"
#include "harness/suite_runner.hpp"
#include "support/free_port.hpp"
#include "support/rogue_server.hpp"
#include "support/rogue_webhooks.hpp"

namespace pushsim::harness {
namespace {

using namespace std::chrono_literals;
using pushsim::test::Misbehaviour;
using pushsim::test::RogueThread;
using test::failures_of;
using test::load;
using test::scenario_text;

std::size_t entries_in(const char* directory) {
  std::size_t count = 0;
  for (auto it = std::filesystem::directory_iterator(directory); it != std::filesystem::directory_iterator(); ++it) {
    ++count;
  }
  return count;
}

// Open descriptors and threads of this process. Declared first in a test, it checks at the
// end of the test that both are back where they started; a thread that has been joined may
// linger in /proc for a moment, hence the short grace.
class ResourceCheck {
 public:
  ResourceCheck() : fds_(entries_in("/proc/self/fd")), threads_(entries_in("/proc/self/task")) {}
  ~ResourceCheck() {
    if (std::uncaught_exceptions() > 0) return;
    const auto give_up = std::chrono::steady_clock::now() + 2s;
    while (!back() && std::chrono::steady_clock::now() < give_up) std::this_thread::sleep_for(10ms);
    CHECK(entries_in("/proc/self/fd") == fds_);
    CHECK(entries_in("/proc/self/task") == threads_);
  }

 private:
  bool back() const { return entries_in("/proc/self/fd") == fds_ && entries_in("/proc/self/task") == threads_; }
  std::size_t fds_;
  std::size_t threads_;
};

const char* const kConnectAndSubscribeWithin2s = R"(clients:
  alice:
steps:
  - connect: alice
  - expect: { client: alice, event: "pusher:connection_established", within: 2s }
  - subscribe: { client: alice, channel: news }
  - expect: { client: alice, event: "pusher_internal:subscription_succeeded", channel: news, within: 2s }
)";

const char* const kTrigger = R"(steps:
  - trigger: { channels: [news], event: headline, data: { n: 1 } }
  - expect_response: { status: 200 }
)";

const char* const kAwaitWebhook = R"(steps:
  - expect_webhook: { name: channel_occupied, channel: news, within: 2s }
)";

// Short limits, so that each case takes a few seconds. The connect limit leaves room for a rogue
// that sends a megabyte before its verdict on a loaded machine (1 s was too short under ASan there).
LiveTargetOptions against(const std::string& ws_url, const std::string& http_url) {
  LiveTargetOptions options;
  options.name = ws_url;
  options.ws_url = ws_url;
  options.http_url = http_url;
  options.wait_max = 2'000ms;
  options.connect_max = 4'000ms;
  options.request_max = 1'000ms;
  options.write_stall_max = 1'000ms;
  options.frames_max = 2'000;
  return options;
}

// The rogue's scenario, then a good one against a fresh served engine, in one suite run.
struct AbuseRun {
  ScenarioResult rogue;
  ScenarioResult good;
};

AbuseRun run_with_rogue(const LiveTargetOptions& rogue_options, Scenario first) {
  first.id = "abuse.rogue";
  Scenario second = load(scenario_text("must", kConnectAndSubscribeWithin2s));
  second.id = "abuse.good";
  LiveTargetOptions served;
  served.serve = true;
  const TargetFactory rogue = live_target_factory(rogue_options);
  const TargetFactory good = live_target_factory(served);
  const TargetFactory factory = [&](const Scenario& scenario, std::uint64_t seed) {
    return scenario.id == "abuse.good" ? good(scenario, seed) : rogue(scenario, seed);
  };
  auto run = run_suite({first, second}, factory, rogue_options.name, SuiteOptions{});
  REQUIRE(run.scenarios.size() == 2);
  return {run.scenarios[0], run.scenarios[1]};
}

// The checks every case shares: a clear failure in bounded time, and the suite went on.
void check_reported(const AbuseRun& run, const std::string& expected, std::chrono::seconds wall_max) {
  const std::string failures = failures_of(run.rogue);
  INFO(failures);
  CHECK(run.rogue.verdict == Verdict::kFail);
  CHECK_THAT(failures, Catch::Contains(expected));
  CHECK(std::chrono::nanoseconds(run.rogue.wall_ns) < wall_max);
  INFO("the good scenario: " + failures_of(run.good));
  CHECK(run.good.verdict == Verdict::kPass);
}

struct WsCase {
  Misbehaviour misbehaviour;
  const char* expected;
};

}  // namespace

TEST_CASE("abuse: a misbehaving WebSocket server fails its scenario naming what it did, and the run goes on") {
  const WsCase c = GENERATE(
      WsCase{Misbehaviour::kSilentUpgrade, "waiting for an answer to the WebSocket upgrade request"},
      WsCase{Misbehaviour::kHttp404, ": HTTP 404 Not Found"},
      WsCase{Misbehaviour::kNoEstablished, "waiting for pusher:connection_established"},
      WsCase{Misbehaviour::kGarbage, "this is not json{"}, WsCase{Misbehaviour::kGarbageLater, "{\"event\":"},
      WsCase{Misbehaviour::kBinaryLater, "binary frame of 3 bytes received: the protocol uses text frames only"},
      WsCase{Misbehaviour::kCloseMidFrame, "server closed the TCP connection without a WebSocket close frame"},
      WsCase{Misbehaviour::kHugeFrame, "server sent a message larger than the 1048576-byte limit"},
      WsCase{Misbehaviour::kWrongDataType, "connection_established data is not an object"},
      WsCase{Misbehaviour::kFlood, "server flooded the connection: more than 2000 frames received"});
  ResourceCheck resources;
  RogueThread rogue(c.misbehaviour);
  const Scenario scenario = load(scenario_text("must", kConnectAndSubscribeWithin2s));
  const auto run = run_with_rogue(against(rogue.url(), rogue.http_url()), scenario);
  check_reported(run, c.expected, 10s);
}

TEST_CASE("abuse: a server that stops reading fails the scenario once our writes stall, without a hang") {
  ResourceCheck resources;
  RogueThread rogue(Misbehaviour::kStopReading);
  std::string body =
      "clients:\n  alice:\nsteps:\n  - connect: alice\n"
      "  - expect: { client: alice, event: \"pusher:connection_established\", within: 2s }\n";
  for (int i = 0; i < 8; ++i) body += "  - send: { client: alice, text: big }\n";
  body +=
      "  - subscribe: { client: alice, channel: news }\n"
      "  - expect: { client: alice, event: \"pusher_internal:subscription_succeeded\", within: 2s }\n";
  // 8 MB of frames, more than the loopback socket buffers take while the server does not read
  // (and more than a scenario file may hold, hence set here).
  Scenario scenario = load(scenario_text("must", body));
  for (auto& step : scenario.steps) {
    if (auto* send = std::get_if<SendStep>(&step.action)) send->text.assign(1024 * 1024, 'x');
  }
  const auto run = run_with_rogue(against(rogue.url(), rogue.http_url()), scenario);
  check_reported(run, "alice: the server stopped reading: a write to 127.0.0.1:", 10s);
}

TEST_CASE("abuse: a misbehaving REST API fails the call naming what it answered, and the run goes on") {
  const WsCase c = GENERATE(WsCase{Misbehaviour::kRestGarbage, "REST POST /apps/1/events: POST http://127.0.0.1:"},
                            WsCase{Misbehaviour::kRest500, "status: expected 200, got 500 (body: something broke)"},
                            WsCase{Misbehaviour::kRestTrickle, "bytes of the response had arrived)"},
                            WsCase{Misbehaviour::kRestRedirect,
                                   "answered 307, a redirect to http://127.0.0.1:9/elsewhere, which is not followed"});
  ResourceCheck resources;
  RogueThread rogue(c.misbehaviour);
  const auto run = run_with_rogue(against(rogue.url(), rogue.http_url()), load(scenario_text("must", kTrigger)));
  check_reported(run, c.expected, 10s);
}

TEST_CASE("abuse: webhooks with bad signatures are rejected and named, whether a few or a flood") {
  const std::size_t count = GENERATE(std::size_t{3}, std::size_t{1'000'000});
  ResourceCheck resources;
  LiveTargetOptions options = against("ws://127.0.0.1:9", "http://127.0.0.1:9");
  options.webhook_port = pushsim::test::free_loopback_port();
  std::size_t answered = 0;
  AbuseRun run;
  {
    pushsim::test::RogueWebhookPoster poster(options.webhook_port, count, count > 3 ? 8 : 1);
    run = run_with_rogue(options, load(scenario_text("must", kAwaitWebhook)));
    answered = poster.answered();
  }
  check_reported(run, "webhooks: rejected a POST to /webhooks: ", 10s);
  if (count > 3) {
    INFO("deliveries answered: " << answered);
    CHECK(answered > 100);  // it was a flood, and the listener kept answering
    CHECK_THAT(failures_of(run.rogue), Catch::Contains("deliveries rejected in all"));
  }
}

}  // namespace pushsim::harness
