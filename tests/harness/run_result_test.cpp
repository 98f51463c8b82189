// The run's exit code: what a CI job reads, so each outcome must have its own.
#include <catch2/catch.hpp>

#include "harness/run_result.hpp"

namespace pushsim::harness {
namespace {

RunResult run_of(std::initializer_list<Verdict> verdicts) {
  RunResult run;
  for (const auto verdict : verdicts) {
    ScenarioResult scenario;
    scenario.id = "s." + std::to_string(run.scenarios.size() + 1);
    scenario.verdict = verdict;
    run.scenarios.push_back(scenario);
  }
  return run;
}

}  // namespace

TEST_CASE("run result: exit 0 only when nothing failed and everything ran") {
  CHECK(run_of({Verdict::kPass, Verdict::kSkipped, Verdict::kNonStrict, Verdict::kInformational}).exit_code() == 0);
  CHECK(run_of({Verdict::kPass, Verdict::kFail}).exit_code() == kExitFailed);
  // Not run for the harness's own trouble: no verdict on the server, but no green run either.
  CHECK(run_of({Verdict::kPass, Verdict::kNotRun}).exit_code() == kExitNotRun);
  // A failure is the stronger finding.
  CHECK(run_of({Verdict::kNotRun, Verdict::kFail}).exit_code() == kExitFailed);
  auto down = run_of({Verdict::kFail, Verdict::kNotRun});
  down.target_down = TargetDownFinding{};
  CHECK(down.exit_code() == kExitTargetDown);
}

}  // namespace pushsim::harness
