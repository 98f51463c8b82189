#pragma once
// Running a suite: choosing scenarios (id globs, tags), one fresh target per scenario, and
// N worker threads whose results are still reported in suite order, so that the output
// of `--jobs 8` is byte for byte that of `--jobs 1`.
#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "harness/executor.hpp"
#include "harness/run_result.hpp"
#include "harness/scenario.hpp"
#include "harness/target.hpp"
#include "harness/target_factory.hpp"
#include "harness/target_profile.hpp"
#include "harness/target_watch.hpp"
#include "protocol/server/defects.hpp"

namespace pushsim::harness {

struct SuiteFilter {
  std::vector<std::string> only;  // id globs to include (none: all)
  std::vector<std::string> skip;  // id globs to exclude
  std::vector<std::string> tags;  // a scenario must carry one of them (none: any)
};

// The scenarios the filter keeps, in suite order.
std::vector<Scenario> select_scenarios(const std::vector<Scenario>& suite, const SuiteFilter& filter);

// The simulation target: the reference engine, or a variant with the given defects.
TargetFactory sim_target_factory(Defects defects = {});

struct SuiteOptions {
  std::uint64_t root_seed = 1;
  unsigned jobs = 1;
  ExecutorOptions executor;
  // The target profile: a scenario requiring a feature it lacks is skipped without building a
  // target, and its deviations mark results (apply_deviation). None: every feature the target
  // claims, no deviations (the built-in reference).
  std::optional<TargetProfile> profile;
  // A live target's watch (target_watch.hpp): asked before and after each scenario that runs;
  // its finding becomes RunResult::target_down. None: nothing watched (the simulation).
  TargetWatch* watch = nullptr;
  // Called once per scenario, in suite order, from whichever thread finished it (never two
  // at once). done counts results reported so far, including this one.
  std::function<void(const ScenarioResult& result, std::size_t done, std::size_t total)> on_result;
  // The wire log (`--log`): each scenario that runs streams its frames, REST calls and webhooks
  // to a sink of its own. Times count from each scenario's start (the simulation's virtual
  // time), or with `wire_log_origin` from that instant of monotonic_now (a live run's start).
  WireLog* wire_log = nullptr;
  std::optional<TimeNs> wire_log_origin;
};

// One scenario as run_suite runs it: the profile's skip, the watch's leave, a fresh target, the
// deviation, the watch's verdict on the server.
// `index`: its place in the suite, which orders its lines in the wire log.
ScenarioResult run_one(const Scenario& scenario, const TargetFactory& factory, const SuiteOptions& options,
                       std::size_t index = 0);

// The result of a scenario not run because the target went away: verdict not-run, the reason.
ScenarioResult not_run_result(const Scenario& scenario, std::uint64_t seed, std::string reason);

RunResult run_suite(const std::vector<Scenario>& scenarios, const TargetFactory& factory, const std::string& target,
                    const SuiteOptions& options);

}  // namespace pushsim::harness
