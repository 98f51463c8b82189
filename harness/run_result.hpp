#pragma once
// The result model: everything a run found, complete enough for every report writer
// (console, JSON, JUnit, HTML) to work from it alone. Plain values, no pointers into the
// target or the scenario, so a result outlives both and can be compared with ==.
//
// Determinism: everything except `wall_ns` fields comes from the target's clock and the
// seed, so two runs with the same seed give equal results once wall times are cleared
// (without_wall_times()). Virtual times are offsets from the scenario's start.
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "harness/invariant_violation.hpp"
#include "harness/scenario.hpp"
#include "harness/source_location.hpp"
#include "protocol/time.hpp"

namespace pushsim::harness {

// pass; fail (a MUST scenario failed); non_strict (a SHOULD scenario failed: allowed, but
// not the reference's behaviour); informational (an INFO scenario, whatever it found);
// skipped (the target lacks a required feature, or the scenario is simulation-only);
// known-deviation (it failed, and the target profile lists it as a documented deviation);
// unexpected-pass (the profile lists it as a deviation, yet it passed: the server was fixed
// or the profile entry is stale). Neither of the last two fails the run. not-run: a live
// target went away (RunResult::target_down) before the scenario could run; it says nothing
// about the scenario, so it is not a failure, but the run's exit code says the target went away.
enum class Verdict { kPass, kFail, kNonStrict, kInformational, kSkipped, kKnownDeviation, kUnexpectedPass, kNotRun };
inline constexpr Verdict kAllVerdicts[] = {Verdict::kPass,           Verdict::kFail,    Verdict::kNonStrict,
                                           Verdict::kInformational,  Verdict::kSkipped, Verdict::kKnownDeviation,
                                           Verdict::kUnexpectedPass, Verdict::kNotRun};
std::string_view to_string(Verdict verdict);

enum class StepOutcome { kPassed, kFailed, kNotRun };
std::string_view to_string(StepOutcome outcome);

struct StepResult {
  std::string kind;         // "expect", "one_of", ...
  std::string description;  // describe_step(), variables as written
  SourceLocation where;
  StepOutcome outcome = StepOutcome::kNotRun;
  DurationNs started_at = 0;  // offsets from the scenario's start, target time
  DurationNs ended_at = 0;
  std::string message;               // why it failed; empty otherwise
  std::vector<StepResult> children;  // concurrently's steps; one_of's branches' steps

  bool operator==(const StepResult&) const = default;
};

struct TraceEntry {
  DurationNs at = 0;  // offset from the scenario's start
  std::string kind;
  std::string from;
  std::string to;
  std::string text;

  bool operator==(const TraceEntry&) const = default;
};

// A target profile's entry for a scenario: the pattern that matched it, why the server
// behaves differently, and where upstream documents it.
struct DeviationNote {
  std::string scenario;  // the id or glob as written in the profile
  std::string reason;
  std::string link;

  bool operator==(const DeviationNote&) const = default;
};

struct ScenarioResult {
  std::string id;
  std::string name;
  Level level = Level::kMust;
  std::string section;
  std::string file;
  std::vector<std::string> tags;
  Verdict verdict = Verdict::kPass;
  std::uint64_t seed = 0;
  DurationNs duration = 0;                     // target time from start to end
  std::int64_t wall_ns = 0;                    // wall time the run took; not deterministic
  std::string skip_reason;                     // when skipped
  std::optional<DeviationNote> deviation;      // when the target profile lists the scenario
  std::vector<std::string> failures;           // "file:line:col: message", one per failed step, then invariants
  std::vector<InvariantViolation> violations;  // invariants broken (simulation); each also in failures
  std::vector<StepResult> steps;
  std::vector<TraceEntry> trace;

  bool operator==(const ScenarioResult&) const = default;
  bool passed_required() const { return verdict != Verdict::kFail; }
};

// A live target that went away mid-run (target_watch.hpp), reported once for the run: the
// scenario during which the probes first found it gone, why, and what pushsim had last sent it
// (frames and REST requests, signatures redacted).
struct TargetDownFinding {
  std::string scenario;                   // the scenario during (or before) which it went away
  bool before_scenario = false;           // it was gone before `scenario` started (a failed restart)
  std::string reason;                     // what the probe saw, e.g. "TCP connect: connection refused"
  std::vector<std::string> last_sent;     // "+0.120s alice: {...}", oldest first
  std::vector<std::string> also_running;  // other scenarios in flight then (--jobs > 1)

  bool operator==(const TargetDownFinding&) const = default;
  // "the server went away during scenario X: reason"
  std::string headline() const;
};

// The run's exit codes (README "Exit codes"; `pushsim run --help`). Usage errors are 2.
inline constexpr int kExitFailed = 1;
inline constexpr int kExitTargetDown = 3;
// Some scenarios were not run for the harness's own trouble (its webhook listener could not
// take its port, …), and none failed: the run says nothing about the server for those.
inline constexpr int kExitNotRun = 4;

struct RunResult {
  std::string target;
  std::string profile;  // the target profile given (empty: the built-in reference)
  std::uint64_t root_seed = 0;
  std::vector<ScenarioResult> scenarios;  // in suite order
  std::int64_t wall_ns = 0;
  std::optional<TargetDownFinding> target_down;  // live targets only
  std::vector<std::string> invariants;           // the invariants checked after each scenario
  // Which pushsim ran which suite, so that two reports say whether they are comparable: set by
  // the command line, empty where a test makes a result (the writers then leave them out).
  std::string pushsim_version;    // project(VERSION), e.g. "0.1.0"
  std::string pushsim_commit;     // the git commit it was built from, or "unknown"
  std::string suite_fingerprint;  // of the scenarios run (harness/suite_fingerprint.hpp)

  bool operator==(const RunResult&) const = default;
  std::size_t count(Verdict verdict) const;
  // The run's exit code: 3 (kExitTargetDown) when the target went away, else 1 when a
  // scenario failed, else 0. Usage errors are 2.
  int exit_code() const;
};

// A copy with every wall time zeroed: what determinism checks compare.
RunResult without_wall_times(RunResult result);

}  // namespace pushsim::harness
