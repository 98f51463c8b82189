// `pushsim selftest`: the suite against the reference engine (which must pass), then against
// each deliberately broken variant (protocol/server/defects.hpp), each of which must be
// caught by at least one scenario. Prints a table of which scenarios caught which defect.
#include <algorithm>
#include <iostream>
#include <memory>

#include "apps/commands.hpp"
#include "harness/explorer.hpp"
#include "harness/scenario_loader.hpp"
#include "harness/suite_runner.hpp"

namespace pushsim::apps {
namespace {

constexpr std::size_t kCatchersShown = 4;
// The defect column: the longest name and two spaces.
std::size_t name_width() {
  static const std::size_t width = [] {
    std::size_t longest = 0;
    for (const auto& info : all_defects()) longest = std::max(longest, info.name.size());
    return longest + 2;
  }();
  return width;
}
// A race-only defect must be found by exploring its race scenario within this many seeds.
constexpr std::uint64_t kRaceSeedBudget = 2000;

struct SelftestArgs {
  std::vector<std::string> paths;
  unsigned jobs = 1;
  std::uint64_t seed = 1;
};

// Scenarios whose verdict a defect turned from pass to fail or non-strict.
std::vector<std::string> catchers(const harness::RunResult& reference, const harness::RunResult& broken) {
  std::vector<std::string> out;
  for (std::size_t i = 0; i < broken.scenarios.size(); ++i) {
    const auto verdict = broken.scenarios[i].verdict;
    const bool bad = verdict == harness::Verdict::kFail || verdict == harness::Verdict::kNonStrict;
    if (bad && reference.scenarios[i].verdict == harness::Verdict::kPass) out.push_back(broken.scenarios[i].id);
  }
  return out;
}

// Explores the defect's race scenario under the jitter profile until a seed fails; prints
// the seed and how many seeds it took.
bool race_found(const std::vector<harness::Scenario>& suite, const DefectInfo& info, unsigned jobs) {
  const harness::Scenario* scenario = nullptr;
  for (const auto& s : suite) {
    if (s.id == info.race_scenario) scenario = &s;
  }
  std::cout << padded(std::string(info.name), name_width());
  if (scenario == nullptr) {
    std::cout << padded("0", 8) << "NOT CAUGHT: race scenario " << info.race_scenario << " is not in the suite\n";
    return false;
  }
  harness::RunSpec base;
  base.profile = fakes::FaultProfile::jitter_profile();
  base.defects = Defects{info.defect};
  harness::ExploreOptions options;
  options.seeds = kRaceSeedBudget;
  options.jobs = jobs;
  const auto result = harness::explore(*scenario, base, options);
  if (result.failures.empty()) {
    std::cout << padded("0", 8) << "NOT CAUGHT: explore " << info.race_scenario << " passed " << result.seeds_run
              << " seeds (jitter)\n";
    return false;
  }
  // The failure itself, first line (the signature is the same text with its numbers taken out).
  const auto& first = result.failures.front();
  std::cout << padded("race", 8) << "explore " << info.race_scenario << ": seed " << first.seed << " (" << first.seed
            << " seeds, jitter), " << first_line(first.failure) << "\n";
  return true;
}

int selftest(const SelftestArgs& args) {
  std::vector<std::filesystem::path> paths(args.paths.begin(), args.paths.end());
  if (paths.empty()) paths.push_back(bundled_scenarios());
  const auto suite = harness::check_suite(paths);
  if (!suite.diagnostics.empty() || suite.scenarios.empty()) {
    std::cerr << harness::join_diagnostics(suite.diagnostics) << "\npushsim selftest: the suite does not load\n";
    return kExitUsage;
  }
  harness::SuiteOptions options;
  options.root_seed = args.seed;
  options.jobs = args.jobs;
  options.executor.keep_trace = false;  // the table needs verdicts only
  const auto reference = harness::run_suite(suite.scenarios, harness::sim_target_factory(), "sim", options);
  bool ok = true;
  std::cout << "pushsim selftest: " << suite.scenarios.size() << " scenarios, seed " << args.seed << "\n";
  if (reference.exit_code() != 0) {
    ok = false;
    std::cout << "the reference engine fails:";
    for (const auto& s : reference.scenarios) {
      if (s.verdict == harness::Verdict::kFail) std::cout << " " << s.id;
    }
    std::cout << "\n";
  }
  std::cout << padded("defect", name_width()) << padded("caught", 8) << "by\n";
  std::size_t caught_count = 0;
  for (const auto& info : all_defects()) {
    if (info.race_only) {
      const bool found = race_found(suite.scenarios, info, args.jobs);
      caught_count += found ? 1 : 0;
      ok = ok && found;
      continue;
    }
    const auto broken = harness::run_suite(suite.scenarios, harness::sim_target_factory(Defects{info.defect}),
                                           "sim+" + std::string(info.name), options);
    const auto by = catchers(reference, broken);
    std::string names;
    for (std::size_t i = 0; i < by.size() && i < kCatchersShown; ++i) names += (i == 0 ? "" : ", ") + by[i];
    if (by.size() > kCatchersShown) names += ", +" + std::to_string(by.size() - kCatchersShown) + " more";
    if (by.empty()) names = "NOT CAUGHT: " + std::string(info.summary);
    caught_count += by.empty() ? 0 : 1;
    ok = ok && !by.empty();
    std::cout << padded(std::string(info.name), name_width()) << padded(std::to_string(by.size()), 8) << names << "\n";
  }
  std::cout << caught_count << " of " << all_defects().size() << " defects caught" << (ok ? "" : "; selftest FAILED")
            << "\n";
  return ok ? 0 : 1;
}

}  // namespace

void add_selftest_command(CLI::App& app, int& exit_code) {
  auto* cmd = app.add_subcommand("selftest", "run the suite against deliberately broken engines; each must be caught");
  auto args = std::make_shared<SelftestArgs>();
  cmd->add_option("paths", args->paths, "scenario files or folders (default: the bundled suite)");
  cmd->add_option("--jobs,-j", args->jobs, "scenarios run in parallel")->check(CLI::Range(1u, 256u));
  cmd->add_option("--seed", args->seed, "root seed")->capture_default_str();
  cmd->callback([args, &exit_code] { exit_code = selftest(*args); });
}

}  // namespace pushsim::apps
