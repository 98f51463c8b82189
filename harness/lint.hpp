#pragma once
// `pushsim lint PATHS`: load every scenario and target profile file without running anything,
// and report every error of every file (file:line:col: message) with a one-line summary.
// A YAML file whose document has a `profile` key is a profile (target_profile.hpp); any
// other is a scenario.
#include <filesystem>
#include <string>
#include <vector>

#include "harness/protocol_document.hpp"
#include "harness/source_location.hpp"

namespace pushsim::harness {

struct LintReport {
  // Profiles, then scenarios, each file in file order; then citations of sections the protocol
  // document lacks.
  std::vector<Diagnostic> diagnostics;
  std::size_t files = 0;         // files read
  std::size_t scenarios_ok = 0;  // scenarios without errors
  std::size_t profiles = 0;      // profile files read
  std::size_t profiles_ok = 0;   // profiles without errors

  bool ok() const { return diagnostics.empty(); }
  std::size_t error_count() const { return diagnostics.size(); }
};

struct LintOptions {
  // Where a profile's deviation ids are looked up when the linted paths hold no scenario
  // (`pushsim lint profiles/` checks them against the bundled suite).
  std::vector<std::filesystem::path> fallback_suite;
  // The protocol document (docs/protocol.md) whose section headings every linted scenario's
  // `section` must name; empty: citations are not checked. Messages call it
  // `protocol_document_name`.
  std::filesystem::path protocol_document;
  std::string protocol_document_name = std::string(kProtocolDocumentPath);
};

// Finding no file at all is an error too: a CI job linting an empty or mistyped folder
// should fail, not pass.
LintReport lint_paths(const std::vector<std::filesystem::path>& paths, const LintOptions& options = {});

// The diagnostics, one per line, then "lint: 12 files, 11 scenarios ok, 2 errors" (and
// ", 5 profiles ok" when there were profiles).
std::string format_lint_report(const LintReport& report);

// The process exit code for `pushsim lint`: 0 when ok, 1 otherwise.
int lint_exit_code(const LintReport& report);

}  // namespace pushsim::harness
