#pragma once
// Runs one scenario against a target and says what happened: a ScenarioResult with a
// verdict, every step's outcome and time, failure messages and the message trace.
//
// Semantics (scenarios/README.md is the user's version):
// - Steps run in order; the first failing step ends the scenario (later steps: not run).
// - An `expect` waits in target time until a frame that matches and that no earlier expect
//   consumed has arrived by its deadline, and consumes it. `expect_none` fails when a
//   matching unconsumed frame arrives (or had arrived) by the end of its span.
// - `concurrently` issues its actions at one instant; expectations in it count their
//   deadlines from the block's start, so they wait together.
// - `one_of` tries its branches in order against the observations (the world is not run
//   again): each branch starts from the consumption state before the block, deadlines from
//   the block's start; the first branch that passes wins and keeps its consumptions.
// - Every run is bounded by ExecutorOptions: hitting a bound is a failure, never a hang.
#include <cstdint>
#include <string_view>

#include "harness/run_result.hpp"
#include "harness/scenario.hpp"
#include "harness/target.hpp"

namespace pushsim::harness {

struct ExecutorOptions {
  DurationNs time_max = 10 * 60 * kNsPerSecond;  // target time per scenario
  std::size_t steps_max = 10'000;                // steps executed per scenario, nested counted
  DurationNs connect_wait = kNsPerSecond;        // connect waits this long for established
  DurationNs response_wait = 35 * kNsPerSecond;  // expect_response waits this long for an answer
  bool keep_trace = true;
};

// The scenario's own seed: a hash of the root seed and its id, so that filtering the suite
// never changes another scenario's seed.
std::uint64_t scenario_seed(std::uint64_t root_seed, std::string_view scenario_id);

// Skipped (with the reason) when the target lacks a required feature, or the scenario is
// simulation-only and the target is not "sim". Nothing is run then.
std::optional<std::string> skip_reason(const Scenario& scenario, const Target& target);

// The result of a scenario that is not run: verdict skipped, the reason, every step not run.
ScenarioResult skipped_result(const Scenario& scenario, std::uint64_t seed, std::string reason);

// The seed is recorded in the result; the target must already be built with it.
ScenarioResult run_scenario(const Scenario& scenario, Target& target, std::uint64_t seed,
                            const ExecutorOptions& options = {});

}  // namespace pushsim::harness
