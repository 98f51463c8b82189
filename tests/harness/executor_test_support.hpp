#pragma once
// Running scenario text on the simulation target, for the executor tests.
#include <catch2/catch.hpp>

#include <string>

#include "harness/executor.hpp"
#include "harness/scenario_loader.hpp"
#include "harness/sim_target.hpp"

namespace pushsim::harness::test {

// The header every test scenario shares; `body` holds clients and steps.
inline std::string scenario_text(const std::string& level, const std::string& body) {
  return "id: test.1\nname: a test\nlevel: " + level + "\nsection: \"1.1\"\n" + body;
}

inline Scenario load(const std::string& text) {
  auto scenario = load_scenario_text(text, "t.yaml");
  INFO((scenario ? std::string() : scenario.error().message));
  REQUIRE(scenario.ok());
  return *scenario;
}

inline ScenarioResult run_text(const std::string& text, SimTargetOptions options = {},
                               const ExecutorOptions& executor = {}) {
  const Scenario scenario = load(text);
  SimTarget target(std::move(options));
  return run_scenario(scenario, target, 7, executor);
}

inline ScenarioResult run_must(const std::string& body, SimTargetOptions options = {},
                               const ExecutorOptions& executor = {}) {
  return run_text(scenario_text("must", body), std::move(options), executor);
}

// Every failure message of a result, one a line, for Catch's INFO.
inline std::string failures_of(const ScenarioResult& result) {
  std::string out;
  for (const auto& failure : result.failures) out += failure + "\n";
  return out;
}

}  // namespace pushsim::harness::test
