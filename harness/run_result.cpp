#include "harness/run_result.hpp"

#include <algorithm>

namespace pushsim::harness {

std::string_view to_string(Verdict verdict) {
  switch (verdict) {
    case Verdict::kPass: return "pass";
    case Verdict::kFail: return "fail";
    case Verdict::kNonStrict: return "non-strict";
    case Verdict::kInformational: return "informational";
    case Verdict::kSkipped: return "skipped";
    case Verdict::kKnownDeviation: return "known-deviation";
    case Verdict::kUnexpectedPass: return "unexpected-pass";
    case Verdict::kNotRun: return "not-run";
  }
  return "?";
}

std::string_view to_string(StepOutcome outcome) {
  switch (outcome) {
    case StepOutcome::kPassed: return "passed";
    case StepOutcome::kFailed: return "failed";
    case StepOutcome::kNotRun: return "not_run";
  }
  return "?";
}

std::size_t RunResult::count(Verdict verdict) const {
  return static_cast<std::size_t>(
      std::count_if(scenarios.begin(), scenarios.end(), [&](const ScenarioResult& s) { return s.verdict == verdict; }));
}

int RunResult::exit_code() const {
  if (target_down) return kExitTargetDown;
  if (count(Verdict::kFail) != 0) return kExitFailed;
  return count(Verdict::kNotRun) == 0 ? 0 : kExitNotRun;
}

std::string TargetDownFinding::headline() const {
  return std::string("the server went away ") + (before_scenario ? "before" : "during") + " scenario " + scenario +
         ": " + reason;
}

RunResult without_wall_times(RunResult result) {
  result.wall_ns = 0;
  for (auto& scenario : result.scenarios) scenario.wall_ns = 0;
  return result;
}

}  // namespace pushsim::harness
