// The bundled race scenarios (scenarios/races/) and the race-only broken engines they exist
// for: each race-only defect's scenario is there, fails under some seed of a small budget, and
// the reference passes that very seed. `pushsim explore` searches far wider; this keeps the
// pairing from rotting between its runs.
#include <catch2/catch.hpp>

#include <algorithm>
#include <map>

#include "harness/executor.hpp"
#include "harness/scenario_loader.hpp"
#include "harness/suite_runner.hpp"
#include "harness_test_support.hpp"
#include "test_paths.hpp"

namespace pushsim::harness {
namespace {

constexpr std::uint64_t kSeedBudget = 200;  // each is found within 20 root seeds today

std::filesystem::path race_folder() { return pushsim::test::source_root() / "scenarios" / "races"; }

std::map<std::string, Scenario> load_races() {
  const auto suite = check_suite({race_folder()});
  INFO(join_diagnostics(suite.diagnostics));
  REQUIRE(suite.diagnostics.empty());
  std::map<std::string, Scenario> out;
  for (const auto& scenario : suite.scenarios) out.emplace(scenario.id, scenario);
  return out;
}

bool fails(const Scenario& scenario, const TargetFactory& factory, std::uint64_t root_seed) {
  ExecutorOptions options;
  options.keep_trace = false;
  const std::uint64_t seed = scenario_seed(root_seed, scenario.id);
  auto target = factory(scenario, seed);
  const Verdict verdict = run_scenario(scenario, *target, seed, options).verdict;
  return verdict == Verdict::kFail || verdict == Verdict::kNonStrict;
}

bool has_latency_step(const Scenario& scenario) {
  return std::any_of(scenario.steps.begin(), scenario.steps.end(),
                     [](const Step& step) { return std::holds_alternative<LatencyStep>(step.action); });
}

}  // namespace

TEST_CASE("race scenarios follow the conventions of scenarios/README.md", "[races]") {
  const auto races = load_races();
  CHECK(races.size() >= 12);
  for (const auto& [id, scenario] : races) {
    CAPTURE(id);
    CHECK(id.starts_with("races."));
    CHECK(std::count(scenario.tags.begin(), scenario.tags.end(), "race") == 1);
    // Live they run through the fault relay: simulation-only only when they need a silent loss
    // noticed by liveness (minutes of virtual time).
    if (scenario.simulation_only) CHECK_THAT(*scenario.simulation_only, Catch::Contains("liveness"));
    CHECK(has_latency_step(scenario));  // so that --seed varies the interleaving
  }
}

TEST_CASE("each race-only defect is caught by its race scenario at a seed the reference passes", "[races]") {
  auto races = load_races();
  // The cluster-only race defects have their race scenario among the cluster scenarios.
  const auto cluster = check_suite({pushsim::test::source_root() / "scenarios" / "cluster"});
  REQUIRE(cluster.diagnostics.empty());
  for (const auto& scenario : cluster.scenarios) races.emplace(scenario.id, scenario);
  for (const auto& info : all_defects()) {
    if (!info.race_only) continue;
    CAPTURE(info.name, info.race_scenario);
    auto it = races.find(std::string(info.race_scenario));
    REQUIRE(it != races.end());
    const TargetFactory broken = sim_target_factory(Defects{info.defect});
    std::uint64_t found = 0;
    for (std::uint64_t root = 1; root <= kSeedBudget && found == 0; ++root) {
      if (fails(it->second, broken, root)) found = root;
    }
    CHECK(found != 0);
    if (found != 0) CHECK_FALSE(fails(it->second, sim_target_factory(), found));
  }
}

}  // namespace pushsim::harness
