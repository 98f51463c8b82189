#pragma once
// `pushsim lint PATHS`: load every scenario file without running anything, and report every
// error of every file (file:line:col: message) with a one-line summary.
#include <filesystem>
#include <string>
#include <vector>

#include "harness/source_location.hpp"

namespace pushsim::harness {

struct LintReport {
  std::vector<Diagnostic> diagnostics;  // files in the order found, each in file order
  std::size_t files = 0;                // files read
  std::size_t scenarios_ok = 0;         // scenarios without errors

  bool ok() const { return diagnostics.empty(); }
  std::size_t error_count() const { return diagnostics.size(); }
};

// Finding no scenario file at all is an error too: a CI job linting an empty or mistyped
// folder should fail, not pass.
LintReport lint_paths(const std::vector<std::filesystem::path>& paths);

// The diagnostics, one per line, then "lint: 12 files, 11 scenarios ok, 2 errors".
std::string format_lint_report(const LintReport& report);

// The process exit code for `pushsim lint`: 0 when ok, 1 otherwise.
int lint_exit_code(const LintReport& report);

}  // namespace pushsim::harness
