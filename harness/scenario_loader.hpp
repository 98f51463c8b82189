#pragma once
// Loading scenario files: YAML text -> checked Scenario, or every error of the file.
//
// Every error reads `file:line:col: <what was expected>, found <what>`, in file order, at
// most kErrorsPerFileMax per file. Nothing here throws: yaml-cpp's exceptions are
// caught inside and become diagnostics, and every depth and size is bounded.
#include <filesystem>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "harness/retired_ids.hpp"
#include "harness/scenario.hpp"
#include "harness/source_location.hpp"
#include "protocol/result.hpp"

namespace pushsim::harness {

inline constexpr std::size_t kScenarioFileBytesMax = 1024 * 1024;
// `cluster: { nodes: N }` takes 1..kClusterNodesMax.
inline constexpr int kClusterNodesMax = 8;

// The scenario, or the diagnostics that stopped it (never both).
struct LoadOutcome {
  std::optional<Scenario> scenario;
  std::vector<Diagnostic> diagnostics;
};

// display_name is what messages call the file ("presence.yaml").
LoadOutcome check_scenario_text(std::string_view text, const std::string& display_name);
// The path, as given, is the display name.
LoadOutcome check_scenario_file(const std::filesystem::path& path);

// As above, with all diagnostics joined one per line into the Error's message.
Result<Scenario> load_scenario_text(std::string_view text, const std::string& display_name);
Result<Scenario> load_scenario_file(const std::filesystem::path& path);

// The scenario files named by paths: a file as is, a directory searched recursively for
// *.yaml and *.yml, sorted by path. Paths keep their given order; a file named twice is
// read once. A missing path is a diagnostic.
std::vector<std::filesystem::path> find_scenario_files(const std::vector<std::filesystem::path>& paths,
                                                       std::vector<Diagnostic>& diagnostics);

struct SuiteOutcome {
  std::vector<Scenario> scenarios;  // those without errors, in file order
  std::vector<RetiredId> retired;   // from each searched folder's retired.yaml (retired_ids.hpp)
  std::vector<Diagnostic> diagnostics;
  std::size_t files_read = 0;
};

// Loads every file and checks the suite as a whole: scenario ids must be unique (a duplicate
// names both files) and none may be a retired one.
SuiteOutcome check_suite(const std::vector<std::filesystem::path>& paths);
Result<std::vector<Scenario>> load_suite(const std::vector<std::filesystem::path>& paths);

}  // namespace pushsim::harness
