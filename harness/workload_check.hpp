#pragma once
// Running generated workloads (workload.hpp) in simulation, and shrinking a failing one.
//
// A workload runs as its rendered scenario, loaded by the scenario loader (so what runs is
// exactly what a file would hold), in the simulation at root seed 1 with no fault profile:
// the run `pushsim run FILE` makes of the written file. It fails on an invariant or on one of
// its own expectations.
//
// Shrinking is delta debugging (ddmin) over the workload's operations, then over its
// clients (every operation of one client at once), then once more over single operations.
// A candidate is kept when it still fails on the engine under test and still passes on the
// reference engine, so whatever it ends with is a scenario that tells the two apart. With no
// defects (the reference itself failed) a candidate is kept when it still fails. Each
// candidate is re-rendered through the model, which leaves out operations that lost what
// they needed and recomputes every expectation. Deterministic: same workload, same result.
#include <cstdint>
#include <functional>
#include <string>
#include <utility>

#include "harness/workload.hpp"
#include "net/wire_log.hpp"
#include "protocol/server/defects.hpp"

namespace pushsim::harness {

struct WorkloadRun {
  bool loaded = true;  // false: the rendered YAML did not load (a generator bug)
  bool failed = false;
  std::string failure;  // first failure message (invariant or step), when failed
  std::uint64_t trace_digest = 0;
  std::size_t trace_records = 0;
};

// Runs rendered scenario text in simulation on the engine with `defects`; `wire_log`, when
// given, gets the run's wire log (virtual time).
WorkloadRun run_workload_text(const std::string& yaml, const Defects& defects,
                              const std::string& display_name = "generated.yaml", WireSink* wire_log = nullptr);
WorkloadRun run_workload(const Workload& workload, const Defects& defects);

struct WorkloadShrink {
  Workload workload;
  RenderedWorkload rendered;
  WorkloadRun run;  // on the engine under test
  std::size_t attempts = 0;
};

// Whether a candidate still shows the failure being shrunk.
using WorkloadPredicate = std::function<bool(const Workload&)>;

// The shrinking above with any predicate (live: workload_live.hpp): the smallest workload
// found for which `still_fails` held, within attempts_max candidates (none more once `stopped`,
// when given, says so), and the candidates tried.
std::pair<Workload, std::size_t> shrink_workload_by(const Workload& failing, const WorkloadPredicate& still_fails,
                                                    std::size_t attempts_max, const std::function<bool()>& stopped);

// From a workload that fails on `defects` (and passes on the reference), the smallest found
// within attempts_max candidates (each costs two runs at most).
WorkloadShrink shrink_workload(const Workload& failing, const Defects& defects, std::size_t attempts_max = 600);

}  // namespace pushsim::harness
