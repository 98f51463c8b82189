#include <unistd.h>
#include <catch2/catch.hpp>

#include <filesystem>
#include <fstream>

#include "harness/scenario_loader.hpp"
#include "harness/suite_fingerprint.hpp"
#include "harness_test_support.hpp"

using namespace pushsim::harness;
using pushsim::harness::test::fixtures;

namespace {

std::vector<Scenario> loaded_suite(const std::filesystem::path& folder) {
  auto loaded = load_suite({folder});
  REQUIRE(loaded.ok());
  return *loaded;
}

// A copy of the fixture suite in a fresh temporary folder of this process.
std::filesystem::path copied_suite(const std::string& name) {
  const auto copy =
      std::filesystem::temp_directory_path() / ("pushsim-fingerprint-" + std::to_string(::getpid()) + "-" + name);
  std::filesystem::remove_all(copy);
  std::filesystem::copy(fixtures() / "suite", copy, std::filesystem::copy_options::recursive);
  return copy;
}

}  // namespace

TEST_CASE("the suite fingerprint is sha256 in hex, and the same files anywhere give the same one",
          "[suite][fingerprint]") {
  const auto original = suite_fingerprint(loaded_suite(fixtures() / "suite"));
  CHECK(original.size() == 7 + 64);
  CHECK(original.starts_with("sha256:"));
  CHECK(original.find_first_not_of("0123456789abcdef", 7) == std::string::npos);
  const auto copy = copied_suite("moved");
  CHECK(suite_fingerprint(loaded_suite(copy)) == original);
  std::filesystem::remove_all(copy);
}

TEST_CASE("the order scenarios are given in does not change the fingerprint", "[suite][fingerprint]") {
  auto scenarios = loaded_suite(fixtures() / "suite");
  const auto in_suite_order = suite_fingerprint(scenarios);
  std::reverse(scenarios.begin(), scenarios.end());
  CHECK(suite_fingerprint(scenarios) == in_suite_order);
}

TEST_CASE("one scenario fewer, or one byte changed in a file, changes the fingerprint", "[suite][fingerprint]") {
  auto scenarios = loaded_suite(fixtures() / "suite");
  const auto whole = suite_fingerprint(scenarios);
  auto fewer = scenarios;
  fewer.pop_back();
  CHECK(suite_fingerprint(fewer) != whole);

  const auto copy = copied_suite("edited");
  {
    std::ofstream out(copy / "zeta.yaml", std::ios::app);
    out << "\n";  // a trailing newline: the scenario loads the same, the file differs
  }
  const auto edited = loaded_suite(copy);
  CHECK(edited.size() == scenarios.size());
  CHECK(suite_fingerprint(edited) != whole);
  std::filesystem::remove_all(copy);
}

TEST_CASE("a scenario whose file is gone still counts, as unreadable", "[suite][fingerprint]") {
  const auto copy = copied_suite("gone");
  const auto scenarios = loaded_suite(copy);
  const auto before = suite_fingerprint(scenarios);
  std::filesystem::remove(copy / "zeta.yaml");
  const auto after = suite_fingerprint(scenarios);
  CHECK(after != before);
  auto without = scenarios;
  std::erase_if(without, [](const Scenario& s) { return s.where.file.ends_with("zeta.yaml"); });
  CHECK(after != suite_fingerprint(without));
  std::filesystem::remove_all(copy);
}
