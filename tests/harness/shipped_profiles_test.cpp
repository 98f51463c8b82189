// The profiles shipped in profiles/: each loads, is named after its file, and every
// deviation it lists names a scenario of the bundled suite, so that renaming or removing a
// scenario breaks this test instead of leaving a profile entry that silently does nothing.
#include <catch2/catch.hpp>

#include <algorithm>

#include "harness/lint.hpp"
#include "harness/scenario_loader.hpp"
#include "harness/suite_runner.hpp"
#include "harness/target_profile.hpp"
#include "harness_test_support.hpp"
#include "test_paths.hpp"

using namespace pushsim::harness;

namespace {

std::filesystem::path source_root() { return pushsim::test::source_root(); }

std::vector<std::filesystem::path> shipped() {
  std::vector<std::filesystem::path> files;
  for (const auto& entry : std::filesystem::directory_iterator(source_root() / "profiles")) {
    if (entry.path().extension() == ".yaml") files.push_back(entry.path());
  }
  std::sort(files.begin(), files.end());
  return files;
}

const std::vector<Scenario>& bundled_suite() {
  static const std::vector<Scenario> suite = [] {
    auto loaded = load_suite({source_root() / "scenarios"});
    REQUIRE(loaded.ok());
    return *loaded;
  }();
  return suite;
}

}  // namespace

TEST_CASE("the five promised profiles are shipped", "[profile][shipped]") {
  std::vector<std::string> names;
  for (const auto& file : shipped()) names.push_back(file.stem().string());
  CHECK(names == std::vector<std::string>{"laravel-websockets", "reference", "reverb", "sockudo", "soketi"});
}

TEST_CASE("every shipped profile loads, is named after its file, and its deviations exist", "[profile][shipped]") {
  for (const auto& file : shipped()) {
    INFO(file.string());
    const auto outcome = check_profile_file(file);
    INFO(join_diagnostics(outcome.diagnostics));
    REQUIRE(outcome.profile.has_value());
    CHECK(outcome.profile->name == file.stem().string());
    CHECK(join_diagnostics(inapplicable_deviations(*outcome.profile, bundled_suite())).empty());
    for (const auto& deviation : outcome.profile->deviations) {
      // The shipped ones name scenarios exactly; a glob would hide a renamed one.
      CHECK(deviation.note.scenario.find_first_of("*?") == std::string::npos);
    }
  }
}

TEST_CASE("profiles/reference.yaml says what the built-in default says", "[profile][shipped]") {
  const auto outcome = check_profile_file(source_root() / "profiles" / "reference.yaml");
  REQUIRE(outcome.profile.has_value());
  const TargetProfile builtin = builtin_reference_profile();
  CHECK(outcome.profile->name == builtin.name);
  CHECK(outcome.profile->features == builtin.features);
  CHECK(outcome.profile->deviations == builtin.deviations);
}

TEST_CASE("lint checks the shipped profiles against the bundled suite", "[profile][shipped][lint]") {
  LintOptions options;
  options.fallback_suite.push_back(source_root() / "scenarios");
  const LintReport report = lint_paths({source_root() / "profiles"}, options);
  CHECK(format_lint_report(report) == "lint: 5 files, 0 scenarios ok, 5 profiles ok, 0 errors\n");
}

// A deviation says the server departs from the reference, so every scenario a shipped profile
// lists must pass against the reference engine: listed there, it is an unexpected pass.
TEST_CASE("against the reference engine every shipped deviation is an unexpected pass", "[profile][shipped]") {
  for (const auto& file : shipped()) {
    const auto outcome = check_profile_file(file);
    REQUIRE(outcome.profile.has_value());
    std::vector<Scenario> listed;
    for (const auto& scenario : bundled_suite()) {
      if (find_deviation(*outcome.profile, scenario.id) != nullptr) listed.push_back(scenario);
    }
    SuiteOptions options;
    options.profile = *outcome.profile;
    options.executor.keep_trace = false;
    const RunResult run = run_suite(listed, sim_target_factory(), "sim", options);
    for (const auto& result : run.scenarios) {
      INFO(file.filename().string() << " " << result.id);
      CHECK(result.verdict == Verdict::kUnexpectedPass);
    }
  }
}
