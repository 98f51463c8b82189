#include "harness/suite_runner.hpp"

#include <algorithm>
#include <atomic>
#include <chrono>
#include <mutex>
#include <optional>
#include <thread>

#include "harness/glob_match.hpp"
#include "harness/sim_target.hpp"

namespace pushsim::harness {

std::vector<Scenario> select_scenarios(const std::vector<Scenario>& suite, const SuiteFilter& filter) {
  auto any_glob = [](const std::vector<std::string>& globs, const std::string& id) {
    return std::any_of(globs.begin(), globs.end(), [&](const std::string& g) { return glob_match(g, id); });
  };
  std::vector<Scenario> out;
  for (const auto& scenario : suite) {
    if (!filter.only.empty() && !any_glob(filter.only, scenario.id)) continue;
    if (any_glob(filter.skip, scenario.id)) continue;
    if (!filter.tags.empty() && std::none_of(filter.tags.begin(), filter.tags.end(), [&](const std::string& tag) {
          return std::find(scenario.tags.begin(), scenario.tags.end(), tag) != scenario.tags.end();
        })) {
      continue;
    }
    out.push_back(scenario);
  }
  return out;
}

TargetFactory sim_target_factory(Defects defects) {
  return [defects](const Scenario& scenario, std::uint64_t seed) -> std::unique_ptr<Target> {
    SimTargetOptions options;
    options.scenario = scenario.id;
    options.seed = seed;
    options.defects = defects;
    for (const auto& client : scenario.clients) {
      if (client.app && *client.app != "default") options.app_names.insert(*client.app);
    }
    options.app_settings = scenario.apps;
    options.webhook_endpoints = scenario.webhook_endpoints;
    for (const auto& feature : scenario.requires_features) {
      if (feature == "subscription_count" || feature == "batch_webhooks") options.enable.insert(feature);
    }
    options.cluster_nodes = scenario.cluster_nodes;
    return std::make_unique<SimTarget>(std::move(options));
  };
}

ScenarioResult run_one(const Scenario& scenario, const TargetFactory& factory, const SuiteOptions& options,
                       std::size_t index) {
  const std::uint64_t seed = scenario_seed(options.root_seed, scenario.id);
  if (options.profile) {
    if (auto reason = profile_skip_reason(scenario, *options.profile)) {
      return skipped_result(scenario, seed, std::move(*reason));
    }
  }
  if (options.watch) {
    if (auto reason = options.watch->before(scenario)) return not_run_result(scenario, seed, std::move(*reason));
  }
  ScenarioResult result;
  {
    // The target is closed before the watch probes the server: its connections are gone then.
    auto target_instance = factory(scenario, seed);
    std::unique_ptr<WireSink> wire;
    if (options.wire_log) {
      wire = options.wire_log->scenario(index, scenario.id, options.wire_log_origin.value_or(target_instance->now()));
      target_instance->set_wire_log(wire.get());
    }
    result = run_scenario(scenario, *target_instance, seed, options.executor);
    // Whatever failed then was the harness's doing, not the server's: no verdict on it.
    if (auto error = target_instance->harness_error()) {
      result = not_run_result(scenario, seed, "the harness could not run it: " + *error);
    }
    target_instance.reset();  // before its sink
  }
  if (options.profile) {
    if (const auto* deviation = find_deviation(*options.profile, scenario.id)) apply_deviation(result, deviation->note);
  }
  if (options.watch) options.watch->after(scenario, result);
  return result;
}

ScenarioResult not_run_result(const Scenario& scenario, std::uint64_t seed, std::string reason) {
  ScenarioResult result = skipped_result(scenario, seed, std::move(reason));
  result.verdict = Verdict::kNotRun;
  return result;
}

RunResult run_suite(const std::vector<Scenario>& scenarios, const TargetFactory& factory, const std::string& target,
                    const SuiteOptions& options) {
  const auto wall_start = std::chrono::steady_clock::now();
  RunResult run;
  run.target = target;
  run.root_seed = options.root_seed;
  if (options.profile) run.profile = options.profile->name;
  std::vector<std::optional<ScenarioResult>> results(scenarios.size());
  std::atomic<std::size_t> next{0};
  std::mutex report_mutex;
  std::size_t reported = 0;

  auto worker = [&] {
    for (std::size_t i = next++; i < scenarios.size(); i = next++) {
      ScenarioResult result = run_one(scenarios[i], factory, options, i);
      std::lock_guard lock(report_mutex);
      results[i] = std::move(result);
      while (reported < results.size() && results[reported]) {
        ++reported;
        // A scenario's wire log lines (held with --jobs N in simulation) go just before its verdict.
        if (options.wire_log) options.wire_log->end(reported - 1);
        if (options.on_result) options.on_result(*results[reported - 1], reported, results.size());
      }
    }
  };
  const unsigned jobs = std::max(1u, std::min<unsigned>(options.jobs, static_cast<unsigned>(scenarios.size())));
  std::vector<std::thread> threads;
  for (unsigned j = 1; j < jobs; ++j) threads.emplace_back(worker);
  worker();
  for (auto& thread : threads) thread.join();

  for (auto& result : results) run.scenarios.push_back(std::move(*result));
  if (options.watch) run.target_down = options.watch->finding();
  run.wall_ns =
      std::chrono::duration_cast<std::chrono::nanoseconds>(std::chrono::steady_clock::now() - wall_start).count();
  return run;
}

}  // namespace pushsim::harness
