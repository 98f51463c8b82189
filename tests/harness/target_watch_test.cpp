// The target watch in the suite runner: a probe that finds the server gone after a failure
// gives one finding naming that scenario, and every later scenario is not run (exit code 3); a
// probe that finds it there leaves a failure a plain failure. The scenarios run in simulation
// (health_suite/: health.4 fails there too); the probe is scripted.
#include <catch2/catch.hpp>

#include "harness/scenario_loader.hpp"
#include "harness/suite_runner.hpp"
#include "harness/target_watch.hpp"
#include "test_paths.hpp"

namespace pushsim::harness {
namespace {

std::vector<Scenario> health_suite() {
  auto suite = load_suite({pushsim::test::source_root() / "tests" / "harness" / "health_suite"});
  REQUIRE(suite.ok());
  REQUIRE(suite->size() == 5);
  return *suite;
}

struct Watched {
  RunResult run;
  int probes = 0;
};

Watched run_watched(std::optional<std::string> probe_says, unsigned jobs = 1) {
  Watched out;
  LiveWatchOptions options;
  options.probe = [&out, probe_says] {
    ++out.probes;
    return probe_says;
  };
  options.secrets = {"s3cret"};
  LiveTargetWatch watch(options);
  SuiteOptions suite;
  suite.watch = &watch;
  suite.jobs = jobs;
  out.run = run_suite(health_suite(), sim_target_factory(), "sim", suite);
  return out;
}

const ScenarioResult& result_of(const RunResult& run, const std::string& id) {
  for (const auto& r : run.scenarios) {
    if (r.id == id) return r;
  }
  FAIL("no result for " << id);
  return run.scenarios.front();
}

TEST_CASE("a failure on a server that is still there stays a plain failure") {
  const auto watched = run_watched(std::nullopt);
  CHECK(watched.probes == 1);  // after health.4, the only failure
  CHECK_FALSE(watched.run.target_down);
  CHECK(result_of(watched.run, "health.4").verdict == Verdict::kFail);
  CHECK(watched.run.count(Verdict::kPass) == 4);
  CHECK(watched.run.count(Verdict::kNotRun) == 0);
  CHECK(watched.run.exit_code() == kExitFailed);
}

TEST_CASE("a server gone after a failure is reported once, and later scenarios are not run") {
  const auto watched = run_watched(std::string("WebSocket ws://x: TCP connect: Connection refused (key s3cret)"));
  CHECK(watched.probes == 1);
  REQUIRE(watched.run.target_down);
  const auto& finding = *watched.run.target_down;
  CHECK(finding.scenario == "health.4");
  CHECK_FALSE(finding.before_scenario);
  CHECK(finding.reason == "WebSocket ws://x: TCP connect: Connection refused (key <secret>)");
  CHECK(finding.headline() == "the server went away during scenario health.4: " + finding.reason);
  CHECK_FALSE(finding.last_sent.empty());
  INFO(finding.last_sent.back());
  CHECK(finding.last_sent.back().find(" dave ") != std::string::npos);
  const auto& culprit = result_of(watched.run, "health.4");
  CHECK(culprit.verdict == Verdict::kFail);
  CHECK(culprit.failures.back() == "the server went away during this scenario: " + finding.reason);
  const auto& later = result_of(watched.run, "health.5");
  CHECK(later.verdict == Verdict::kNotRun);
  CHECK(later.skip_reason == "target down: " + finding.headline());
  for (const auto& step : later.steps) CHECK(step.outcome == StepOutcome::kNotRun);
  CHECK(watched.run.count(Verdict::kPass) == 3);
  CHECK(watched.run.count(Verdict::kNotRun) == 1);
  CHECK(watched.run.exit_code() == kExitTargetDown);
}

TEST_CASE("the simulation's results are the same with a watch that finds the server there") {
  SuiteOptions plain;
  const auto unwatched = run_suite(health_suite(), sim_target_factory(), "sim", plain);
  CHECK(without_wall_times(run_watched(std::nullopt).run) == without_wall_times(unwatched));
}

TEST_CASE("with several jobs the finding is still given once") {
  const auto watched = run_watched(std::string("gone"), 4);
  REQUIRE(watched.run.target_down);
  CHECK(watched.run.target_down->scenario == "health.4");
  CHECK(watched.run.exit_code() == kExitTargetDown);
  CHECK(watched.run.count(Verdict::kFail) == 1);
}

}  // namespace
}  // namespace pushsim::harness
