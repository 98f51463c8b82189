#pragma once
// Exploration: one scenario run over many seeds in simulation, each seed drawing network
// delays and a fault plan from a fault profile, the invariants checked after every run;
// replay of one run; shrinking of a failing run.
//
// A run is named by a RunSpec: (scenario, seed, profile, defects) plus what shrinking took
// away (faults kept, spans shortened, steps skipped). The same spec gives the same trace,
// byte for byte, on any machine and with any --jobs: the seed is the root seed the scenario's
// own seed is derived from (scenario_seed), exactly as `pushsim run --seed` derives it, so
// `replay --seed N --profile none` is the run that `run --seed N` makes of that scenario.
//
// Shrinking is greedy and keeps only changes that fail the same way (same invariant, or the
// same failing step): it removes fault groups (a partition with its heal), then halves the
// kept faults' spans and delays as often as it can, then skips steps, top level and inside
// `concurrently` blocks. Every attempt is one run, so the budget is a count of runs.
#include <atomic>
#include <cstdint>
#include <functional>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "fakes/fault_plan.hpp"
#include "harness/executor.hpp"
#include "harness/run_result.hpp"
#include "harness/scenario.hpp"
#include "protocol/server/defects.hpp"

namespace pushsim::harness {

struct RunSpec {
  std::uint64_t seed = 1;
  fakes::FaultProfile profile;
  Defects defects;
  std::optional<std::vector<std::size_t>> keep_faults;  // indices into the seed's plan; none: all
  int shorten = 0;                                      // halve spans and delays this many times
  std::set<std::string> skip_steps;                     // step paths: "3", "4.2" (1-based)

  // The flags that select this run for `pushsim replay` after the scenario argument.
  std::string replay_flags(const std::string& profile_argument) const;
};

struct SpecRun {
  ScenarioResult result;
  std::string signature;  // empty when the run passed; "invariant NAME" or "step FILE:LINE:COL: reason"
  std::string failure;    // the first failure message
  std::vector<fakes::PlannedFault> planned;  // what the seed drew
  std::vector<fakes::PlannedFault> applied;  // what was applied after keep/shorten
  TimeNs began_at = 0;
  std::size_t trace_records = 0;
  std::uint64_t trace_digest = 0;
  std::vector<std::string> excerpt;  // trace lines around where it failed (when asked for)
  std::string trace_json_lines;      // the whole trace (when asked for); record N is line N + 2

  bool failed() const { return !signature.empty(); }
};

struct SpecRunOptions {
  bool keep_trace = false;        // fill result.trace (reports, HTML)
  bool excerpt = false;           // fill excerpt and trace_digest
  std::size_t excerpt_lines = 6;  // each side of the failure
  bool trace_json_lines = false;  // fill trace_json_lines
  WireSink* wire_log = nullptr;   // stream the run's wire log here (virtual time)
};

// Executor bounds for exploration: a connect waits long enough for a healed partition.
ExecutorOptions exploration_executor_options();

// The scenario without the steps at the given paths.
Scenario without_steps(const Scenario& scenario, const std::set<std::string>& paths);

SpecRun run_spec(const Scenario& scenario, const RunSpec& spec, const SpecRunOptions& options = {});

struct ExploreOptions {
  std::uint64_t seeds = 1000;           // the seed space is 1..seeds (unbounded with a time budget)
  std::optional<double> time_budget_s;  // wall time; the simulation never sees it
  unsigned shard_index = 1;             // this shard takes seeds s with (s - 1) % count == index - 1
  unsigned shard_count = 1;
  unsigned jobs = 1;
  bool keep_going = false;
  // Called now and then from one thread with seeds run so far; for progress displays.
  std::function<void(std::uint64_t done, std::uint64_t failed)> on_progress;
};

struct ExploreFailure {
  std::uint64_t seed = 0;
  std::string signature;
  std::string failure;
};

struct ExploreResult {
  std::uint64_t seeds_run = 0;
  std::vector<ExploreFailure> failures;  // by seed; only the lowest unless keep_going
  double wall_s = 0;
};

// Runs seeds of this shard until one fails (or all, with keep_going), the seed space or the
// time budget is spent. With several jobs the reported first failure is still the lowest
// failing seed of the shard: seeds below it that were started are finished first.
ExploreResult explore(const Scenario& scenario, const RunSpec& base, const ExploreOptions& options);

struct ShrinkResult {
  RunSpec spec;
  SpecRun run;
  std::size_t attempts = 0;
};

// From a failing spec, the smallest run found within `attempts_max` runs that fails with the
// same signature.
ShrinkResult shrink(const Scenario& scenario, const RunSpec& failing, std::size_t attempts_max = 400);

}  // namespace pushsim::harness
