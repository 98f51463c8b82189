#include <catch2/catch.hpp>
#include <fstream>

#include "harness/scenario_loader.hpp"
#include "harness_test_support.hpp"

using namespace pushsim::harness;
using pushsim::harness::test::fixtures;

namespace {

std::vector<std::string> ids(const std::vector<Scenario>& scenarios) {
  std::vector<std::string> out;
  for (const auto& scenario : scenarios) out.push_back(scenario.id);
  return out;
}

}  // namespace

TEST_CASE("a folder is searched recursively for yaml files, sorted by path", "[suite]") {
  const auto suite = fixtures() / "suite";
  std::vector<Diagnostic> diagnostics;
  const auto files = find_scenario_files({suite}, diagnostics);
  CHECK(diagnostics.empty());
  CHECK(files == std::vector<std::filesystem::path>{suite / "a_area/nested/three.yaml", suite / "a_area/one.yml",
                                                    suite / "b_area/two.yaml", suite / "zeta.yaml"});
  auto loaded = load_suite({suite});
  REQUIRE(loaded.ok());
  CHECK(ids(*loaded) == std::vector<std::string>{"suite.3", "suite.1", "suite.2", "suite.4"});
}

TEST_CASE("paths keep their given order and a file named twice is read once", "[suite]") {
  const auto suite = fixtures() / "suite";
  auto loaded = load_suite({suite / "zeta.yaml", suite / "b_area", suite / "b_area/../zeta.yaml"});
  REQUIRE(loaded.ok());
  CHECK(ids(*loaded) == std::vector<std::string>{"suite.4", "suite.2"});
}

TEST_CASE("a missing path is an error", "[suite]") {
  const auto missing = fixtures() / "no-such-folder";
  auto loaded = load_suite({missing});
  REQUIRE_FALSE(loaded.ok());
  CHECK(loaded.error().message == missing.string() + ": no such file or directory");
}

TEST_CASE("a duplicate scenario id names both files", "[suite]") {
  const auto folder = fixtures() / "suite_duplicates";
  const auto outcome = check_suite({folder});
  CHECK(outcome.files_read == 2);
  CHECK(ids(outcome.scenarios) == std::vector<std::string>{"dup.1"});
  REQUIRE(outcome.diagnostics.size() == 1);
  CHECK(outcome.diagnostics[0].to_string() == (folder / "second.yaml").string() +
                                                  ":1:5: duplicate scenario id 'dup.1' (also used by " +
                                                  (folder / "first.yaml").string() + ":1:5)");
  CHECK_FALSE(load_suite({folder}).ok());
}

TEST_CASE("retired ids stay reserved and their replacements must exist", "[suite]") {
  const auto folder = fixtures() / "suite_retired";
  const auto outcome = check_suite({folder});
  CHECK(outcome.files_read == 2);  // retired.yaml is not a scenario
  CHECK(ids(outcome.scenarios) == std::vector<std::string>{"ret.1"});
  REQUIRE(outcome.retired.size() == 2);
  CHECK(outcome.retired[0].id == "ret.2");
  CHECK(outcome.retired[0].replaced_by == "ret.1");
  CHECK(outcome.retired[0].why == "the same check as ret.1");
  std::vector<std::string> messages;
  for (const auto& diagnostic : outcome.diagnostics) messages.push_back(diagnostic.to_string());
  const auto retired_file = (folder / "retired.yaml").string();
  CHECK(messages == std::vector<std::string>{
                        retired_file + ":7:3: retired id 'ret.2' is listed twice (first at " + retired_file + ":1:3)",
                        (folder / "two.yaml").string() + ":1:5: scenario id 'ret.2' is retired (" + retired_file +
                            ":1:3); ids are never reused: take the next free number of the area",
                        retired_file + ":4:3: retired id 'ret.3' is replaced by 'ret.9', which is not in the suite",
                    });
  CHECK_FALSE(load_suite({folder}).ok());
}

TEST_CASE("a malformed retired.yaml is reported with its place", "[suite]") {
  const auto folder = std::filesystem::temp_directory_path() / "pushsim_retired_malformed";
  std::filesystem::create_directories(folder);
  { std::ofstream(folder / "retired.yaml") << "- id: x.1\n  replaced: x.2\n"; }
  const auto outcome = check_suite({folder});
  REQUIRE_FALSE(outcome.diagnostics.empty());
  const auto text = join_diagnostics(outcome.diagnostics);
  CHECK_THAT(text, Catch::Contains("retired.yaml:2:3"));
  CHECK_THAT(text, Catch::Contains("missing key 'why'"));
  std::filesystem::remove_all(folder);
}
