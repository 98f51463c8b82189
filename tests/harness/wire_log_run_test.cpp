// The wire log of scenario runs (`pushsim run --log`): what the simulation and live targets
// report, deterministic in simulation whatever --jobs, secrets and signatures masked, and
// without changing the run.
#include <catch2/catch.hpp>

#include <regex>
#include <set>
#include <sstream>

#include "executor_test_support.hpp"
#include "harness/live_target.hpp"
#include "harness/sim_target.hpp"
#include "harness/suite_runner.hpp"
#include "net/real_clock.hpp"

namespace pushsim::harness {
namespace {

using test::load;

// Private and presence auth, a signed REST call with an answer, webhooks.
std::string wired_scenario(const std::string& id) {
  return "id: " + id + R"(
name: a run with everything on the wire
level: must
section: "1.1"
clients:
  alice: { user_id: u1 }
  bob:
steps:
  - connect: alice
  - expect: { client: alice, event: "pusher:connection_established" }
  - subscribe: { client: alice, channel: presence-room }
  - expect: { client: alice, event: "pusher_internal:subscription_succeeded", channel: presence-room }
  - connect: bob
  - expect: { client: bob, event: "pusher:connection_established" }
  - subscribe: { client: bob, channel: private-news }
  - expect: { client: bob, event: "pusher_internal:subscription_succeeded", channel: private-news }
  - trigger: { channels: [private-news], event: headline, data: { n: 1 } }
  - expect: { client: bob, event: headline, channel: private-news }
  - expect_webhook: { name: member_added, channel: presence-room, user_id: u1 }
)";
}

// The hex signatures pushsim sent in this run, read from its trace: auth fields and
// auth_signature parameters.
std::set<std::string> signatures_in(const ScenarioResult& result) {
  std::set<std::string> out;
  static const std::regex kSignature(R"((?:app-key:|auth_signature=)([0-9a-f]{64}))");
  for (const auto& entry : result.trace) {
    for (std::sregex_iterator it(entry.text.begin(), entry.text.end(), kSignature), end; it != end; ++it) {
      out.insert((*it)[1]);
    }
  }
  return out;
}

struct LoggedRun {
  ScenarioResult result;
  std::string log;
};

LoggedRun run_sim_logged(WireLogFormat format) {
  const Scenario scenario = load(wired_scenario("wired.1"));
  std::ostringstream out;
  WireLogOptions options;
  options.format = format;
  WireLog log(out, options);
  LoggedRun run;
  {
    SimTarget target(SimTargetOptions{});
    auto sink = log.scenario(0, scenario.id, target.now());
    target.set_wire_log(sink.get());
    run.result = run_scenario(scenario, target, 7);
  }
  run.log = out.str();
  return run;
}

bool has(const std::string& text, const std::string& part) { return text.find(part) != std::string::npos; }

// Every secret and signature of the run is absent from the log, and the run had some to hide.
void check_masked(const ScenarioResult& result, const std::string& log) {
  const auto signatures = signatures_in(result);
  REQUIRE(signatures.size() >= 3);  // two channel auths and a REST call at least
  for (const auto& signature : signatures) {
    INFO(signature);
    CHECK_FALSE(has(log, signature));
  }
  CHECK_FALSE(has(log, "app-secret"));
  CHECK(has(log, "app-key:<redacted>"));
  CHECK(has(log, "auth_signature=<redacted>"));
}

}  // namespace

TEST_CASE("sim wire log: frames both ways, REST and its answer, webhooks, in virtual time") {
  const auto run = run_sim_logged(WireLogFormat::kConsole);
  INFO(run.log);
  REQUIRE(run.result.verdict == Verdict::kPass);
  CHECK(run.log.starts_with("[0.000s alice ->] connect /app/app-key?protocol=7"));
  CHECK(has(run.log, " alice <-] {\"event\":\"pusher:connection_established\""));
  CHECK(has(run.log, " alice ->] {\"event\":\"pusher:subscribe\",\"data\":{\"auth\":\"app-key:<redacted>\""));
  CHECK(has(run.log, " bob <-] {\"event\":\"headline\",\"channel\":\"private-news\""));
  CHECK(has(run.log, " rest ->] POST /apps/1/events?"));
  CHECK(has(run.log, " rest <-] 200 {}"));
  CHECK(has(run.log, " webhooks <-] answered 200, valid {\"time_ms\":"));
  CHECK_FALSE(has(run.log, "tick"));  // the server's own timers are not on the wire
}

TEST_CASE("sim wire log: the secret and every signature are masked") {
  for (auto format : {WireLogFormat::kConsole, WireLogFormat::kJsonLines}) {
    const auto run = run_sim_logged(format);
    INFO(run.log);
    check_masked(run.result, run.log);
  }
}

TEST_CASE("sim wire log: the same seed gives the same bytes, and logging changes nothing in the run") {
  const auto first = run_sim_logged(WireLogFormat::kJsonLines);
  const auto second = run_sim_logged(WireLogFormat::kJsonLines);
  CHECK(first.log == second.log);
  SimTarget plain(SimTargetOptions{});
  const auto unlogged = run_scenario(load(wired_scenario("wired.1")), plain, 7);
  CHECK(unlogged.verdict == first.result.verdict);
  CHECK(unlogged.trace == first.result.trace);
  CHECK(unlogged.steps == first.result.steps);
}

TEST_CASE("sim wire log of a suite: --jobs 3 writes the bytes of --jobs 1, each line naming its scenario") {
  std::vector<Scenario> scenarios;
  for (const char* id : {"wired.1", "wired.2", "wired.3", "wired.4"}) scenarios.push_back(load(wired_scenario(id)));
  auto logged = [&](unsigned jobs) {
    std::ostringstream out;
    WireLogOptions options;
    options.format = WireLogFormat::kJsonLines;
    options.scenario_ids = true;
    options.ordered_blocks = jobs > 1;
    WireLog log(out, options);
    SuiteOptions suite;
    suite.jobs = jobs;
    suite.wire_log = &log;
    const auto run = run_suite(scenarios, sim_target_factory(), "sim", suite);
    for (const auto& result : run.scenarios) CHECK(result.verdict == Verdict::kPass);
    return out.str();
  };
  const std::string one = logged(1);
  CHECK(one == logged(3));
  CHECK(has(one, "{\"t\":0.000000000,\"scenario\":\"wired.1\",\"kind\":\"connect\",\"client\":\"alice\""));
  CHECK(one.find("\"scenario\":\"wired.2\"") > one.rfind("\"scenario\":\"wired.1\""));
}

TEST_CASE("live wire log: the served engine's frames, REST and verified webhooks with their headers, masked") {
  const Scenario scenario = load(wired_scenario("wired.1"));
  std::ostringstream out;
  WireLog log(out, {});
  ScenarioResult result;
  {
    LiveTargetOptions options;
    options.serve = true;
    LiveTarget target(options);
    REQUIRE_FALSE(target.start_error());
    auto sink = log.scenario(0, scenario.id, monotonic_now());
    target.set_wire_log(sink.get());
    result = run_scenario(scenario, target, 7);
  }
  const std::string text = out.str();
  INFO(text);
  REQUIRE(result.verdict == Verdict::kPass);
  CHECK(has(text, " alice ->] connect /app/app-key"));
  CHECK(has(text, " alice <-] {\"event\":\"pusher:connection_established\""));
  CHECK(has(text, " bob <-] {\"event\":\"headline\""));
  CHECK(has(text, " rest <-] 200 {}"));
  CHECK(has(text,
            " webhooks <-] POST /webhooks X-Pusher-Key: app-key X-Pusher-Signature: <redacted> "
            "answered 200, valid"));
  check_masked(result, text);
}

}  // namespace pushsim::harness
