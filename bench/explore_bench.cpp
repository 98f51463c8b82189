// Exploration speed (issue 6): seeds per second for a 10-client presence race scenario under
// the `jitter` profile, on one core: each seed builds a world, draws its faults, runs the
// scenario, settles and checks every invariant. Seeds go 1, 2, 3, ... as `explore` runs them.
#include <benchmark/benchmark.h>

#include <cstdlib>
#include <iostream>
#include <string>

#include "harness/explorer.hpp"
#include "harness/scenario_loader.hpp"
#include "protocol/server/engine_checks.hpp"

using namespace pushsim;
using namespace pushsim::harness;

namespace {

// Ten members join one presence channel at once, one leaves while a trigger races them, and
// the end state is checked after the races have settled (the race-scenario conventions).
std::string presence_race_text() {
  std::string clients, connects, subscribes, expects;
  for (int i = 0; i < 10; ++i) {
    std::string name = "c";
    name += std::to_string(i);
    clients += "  " + name + ": { user_id: u" + std::to_string(i) + " }\n";
    connects += "      - connect: " + name + "\n";
    subscribes += "      - subscribe: { client: " + name + ", channel: presence-bench }\n";
    expects += "      - expect: { client: " + name +
               ", event: pusher_internal:subscription_succeeded, channel: presence-bench, within: 30s }\n";
  }
  return "id: bench.1\nname: ten members join a presence channel at once\nlevel: must\nsection: \"3.4\"\n"
         "clients:\n" +
         clients + "steps:\n  - concurrently:\n" + connects + "  - advance: 1s\n  - concurrently:\n" + subscribes +
         "      - trigger: { channel: presence-bench, event: news }\n" + "      - disconnect: c9\n" +
         expects.substr(0, expects.rfind("      - expect: { client: c9")) + "  - advance: 30s\n";
}

const Scenario& race_scenario() {
  static const Scenario scenario = [] {
    auto loaded = load_scenario_text(presence_race_text(), "explore_bench.yaml");
    if (!loaded) {
      std::cerr << loaded.error().message << "\n";
      std::abort();
    }
    return *loaded;
  }();
  return scenario;
}

// `engine_checks`: the engine's self-checks (protocol/server/engine_checks.hpp), off as in a
// RelWithDebInfo or Release pushsim binary, on as in the test binaries and Debug builds.
void explore_seeds(benchmark::State& state, const fakes::FaultProfile& profile, bool engine_checks = false) {
  set_engine_checks_enabled(engine_checks);
  const Scenario& scenario = race_scenario();
  RunSpec spec;
  spec.profile = profile;
  std::uint64_t failed = 0;
  for (auto _ : state) {
    ++spec.seed;
    const SpecRun run = run_spec(scenario, spec);
    failed += run.failed() ? 1 : 0;
    benchmark::DoNotOptimize(run.trace_records);
  }
  if (failed != 0) state.SkipWithError("the reference engine failed a seed");
  state.SetItemsProcessed(state.iterations());
  state.counters["seeds/s"] = benchmark::Counter(static_cast<double>(state.iterations()), benchmark::Counter::kIsRate);
}

void BM_ExploreJitter(benchmark::State& state) { explore_seeds(state, fakes::FaultProfile::jitter_profile()); }
void BM_ExploreJitterEngineChecks(benchmark::State& state) {
  explore_seeds(state, fakes::FaultProfile::jitter_profile(), /*engine_checks=*/true);
}
void BM_ExploreNone(benchmark::State& state) { explore_seeds(state, fakes::FaultProfile::none()); }

}  // namespace

BENCHMARK(BM_ExploreJitter)->Unit(benchmark::kMicrosecond);
BENCHMARK(BM_ExploreJitterEngineChecks)->Unit(benchmark::kMicrosecond);
BENCHMARK(BM_ExploreNone)->Unit(benchmark::kMicrosecond);

BENCHMARK_MAIN();
