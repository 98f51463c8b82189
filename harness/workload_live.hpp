#pragma once
// Generated workloads (workload.hpp) run against a live server, and shrunk there.
//
// A live workload (WorkloadOptions::live) runs as its rendered scenario through a live target
// factory (live_target.hpp: `pushsim serve` in process, or a ws:// server; through the fault
// relay when the workload plays network faults). It fails on one of its own expectations, on
// a live invariant (live_invariants.hpp, end states from a final REST query included), or on
// its deliveries: once the run is over, every published event must have reached exactly the
// connections the model owes it to (RenderedWorkload::deliveries), which the scenario's own
// expectations alone do not check for connections that were not subscribed.
//
// Live runs are not deterministic: a schedule fixes what pushsim sends and the relay's delays,
// not the server's own timing. So live shrinking keeps a candidate when it fails in at least
// one of `runs` runs, stops trying candidates where the final runs would pass `budget` of
// wall time in all, and runs the final workload `runs` times more to say how often it
// reproduces.
#include <chrono>
#include <cstdint>
#include <string>
#include <vector>

#include "harness/target.hpp"
#include "harness/target_factory.hpp"
#include "harness/workload.hpp"

namespace pushsim::harness {

struct LiveWorkloadRun {
  bool loaded = true;    // false: the rendered YAML did not load (a generator bug)
  bool skipped = false;  // the target skipped it (an advance past the live budget, a missing feature)
  bool failed = false;
  std::string failure;  // first failure (step, invariant or delivery), or why it was skipped
  std::int64_t wall_ms = 0;
};

// The deliveries a live trace shows against what the model owes (workload.hpp,
// WorkloadDelivery): one line per (client, event, channel) received a wrong number of times.
std::vector<std::string> check_workload_deliveries(const std::vector<WorkloadDelivery>& owed,
                                                   const std::vector<TraceLine>& trace);

// One live run of the workload's rendered scenario on a target from `factory`; its scenario
// seed as `pushsim run` derives it from root seed 1.
LiveWorkloadRun run_workload_live(const Workload& workload, const TargetFactory& factory);

struct LiveShrinkOptions {
  unsigned runs = 2;                          // a candidate still fails when it fails in 1 of these
  std::chrono::milliseconds budget{180'000};  // wall time for the whole shrink, final runs included
  std::size_t attempts_max = 200;
};

struct LiveWorkloadShrink {
  Workload workload;
  RenderedWorkload rendered;
  std::size_t attempts = 0;
  bool budget_spent = false;  // shrinking stopped on the budget, not because nothing was left
  unsigned reproduced = 0;    // final workload: failing runs of `runs`
  unsigned runs = 0;
  std::string failure;  // the final workload's first failure seen
};

LiveWorkloadShrink shrink_workload_live(const Workload& failing, const TargetFactory& factory,
                                        const LiveShrinkOptions& options);

}  // namespace pushsim::harness
