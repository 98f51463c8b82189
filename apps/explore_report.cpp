#include "apps/explore_report.hpp"

#include <cstdio>

#include "apps/commands.hpp"
#include "harness/duration.hpp"

namespace pushsim::apps {
namespace {

std::string rate_text(std::uint64_t seeds, double wall_s) {
  char text[64];
  std::snprintf(text, sizeof text, "%.2f s, %.0f seeds/s", wall_s,
                wall_s > 0 ? static_cast<double>(seeds) / wall_s : 0.0);
  return text;
}

std::string defect_list(const Defects& defects) {
  std::string out;
  for (const auto& info : all_defects()) {
    if (defects.has(info.defect)) out += (out.empty() ? "" : ", ") + std::string(info.name);
  }
  return out;
}

}  // namespace

std::string ExploreReport::replay_command(const harness::RunSpec& spec) const {
  return "pushsim replay " + scenario_argument_ + " " + spec.replay_flags(profile_argument_);
}

void ExploreReport::header(const harness::Scenario& scenario, const harness::RunSpec& base,
                           const harness::ExploreOptions& options) {
  out_ << "pushsim explore: " << scenario.id << " (" << scenario.where.file << "), profile " << base.profile.name;
  const std::string defects = defect_list(base.defects);
  if (!defects.empty()) out_ << ", engine with " << defects;
  if (scenario.fault_delay_max) {
    out_ << ", every fault held to " << harness::format_duration(*scenario.fault_delay_max)
         << " (the scenario's fault_delay_max)";
  }
  if (options.time_budget_s) {
    out_ << ", for " << *options.time_budget_s << " s";
  } else {
    out_ << ", seeds 1.." << options.seeds;
  }
  out_ << ", shard " << options.shard_index << "/" << options.shard_count << ", " << options.jobs << " jobs\n";
}

void ExploreReport::failing_run(const harness::Scenario& scenario, const harness::RunSpec& spec,
                                const std::string& title) {
  harness::SpecRunOptions options;
  options.excerpt = true;
  const auto run = harness::run_spec(scenario, spec, options);
  out_ << title << "\n  " << run.failure << "\n";
  if (!run.applied.empty()) {
    out_ << "  faults:";
    for (const auto& fault : run.applied) out_ << " [" << fakes::describe(fault, run.began_at) << "]";
    out_ << "\n";
  }
  out_ << "  trace (" << run.trace_records << " records) around it:\n";
  for (const auto& line : run.excerpt) out_ << "    " << line << "\n";
  out_ << "  replay: " << replay_command(spec) << "\n";
}

void ExploreReport::outcome(const harness::Scenario& scenario, const harness::RunSpec& base,
                            const harness::ExploreResult& result, bool shrink) {
  if (result.failures.empty()) {
    out_ << "PASS " << result.seeds_run << " seeds, no failure (" << rate_text(result.seeds_run, result.wall_s)
         << ")\n";
    return;
  }
  out_ << "FAIL " << result.failures.size() << (result.failures.size() == 1 ? " seed" : " seeds") << " of "
       << result.seeds_run << " failed (" << rate_text(result.seeds_run, result.wall_s) << ")\n";
  for (const auto& failure : result.failures) {
    harness::RunSpec spec = base;
    spec.seed = failure.seed;
    failing_run(scenario, spec, "seed " + std::to_string(failure.seed) + ": " + first_line(failure.failure));
  }
  if (!shrink) return;
  harness::RunSpec first = base;
  first.seed = result.failures.front().seed;
  const auto before = harness::run_spec(scenario, first);
  const auto shrunk = harness::shrink(scenario, first);
  out_ << "shrinking seed " << first.seed << ": " << shrunk.attempts << " runs; faults " << before.applied.size()
       << " -> " << shrunk.run.applied.size() << ", steps skipped " << shrunk.spec.skip_steps.size()
       << ", spans halved " << shrunk.spec.shorten << " times; trace " << before.trace_records << " -> "
       << shrunk.run.trace_records << " records\n";
  failing_run(scenario, shrunk.spec, "smallest: " + first_line(shrunk.run.failure));
}

}  // namespace pushsim::apps
