#include "harness/lint.hpp"

#include <algorithm>
#include <fstream>
#include <variant>

#include "harness/scenario_loader.hpp"
#include "harness/target_profile.hpp"

namespace pushsim::harness {
namespace {

namespace fs = std::filesystem;

bool is_profile_file(const fs::path& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return false;  // the scenario loader reports the unreadable file
  std::string text(kProfileFileBytesMax + 1, '\0');
  in.read(text.data(), static_cast<std::streamsize>(text.size()));
  text.resize(static_cast<std::size_t>(in.gcount()));
  return looks_like_profile(text);
}

// Every profile's deviations must name scenarios of the suite: the linted one, else the fallback.
void check_deviation_ids(const std::vector<TargetProfile>& profiles, const std::vector<Scenario>& linted,
                         const LintOptions& options, LintReport& report) {
  if (profiles.empty()) return;
  std::vector<Scenario> fallback;
  if (linted.empty() && !options.fallback_suite.empty()) fallback = check_suite(options.fallback_suite).scenarios;
  const std::vector<Scenario>& suite = linted.empty() ? fallback : linted;
  if (suite.empty()) return;
  for (const auto& profile : profiles) {
    auto unmatched = inapplicable_deviations(profile, suite);
    if (!unmatched.empty()) --report.profiles_ok;
    report.diagnostics.insert(report.diagnostics.end(), unmatched.begin(), unmatched.end());
  }
}

// Every scenario's section must be a heading of the protocol document; an unreadable document
// is an error too, since a check that silently does nothing would pass any citation.
void check_citations(const std::vector<Scenario>& scenarios, const LintOptions& options, LintReport& report) {
  if (options.protocol_document.empty() || scenarios.empty()) return;
  auto document = read_protocol_document(options.protocol_document);
  if (const auto* problem = std::get_if<std::string>(&document)) {
    report.diagnostics.push_back(Diagnostic{SourceLocation{options.protocol_document_name, 0, 0},
                                            *problem + " (the protocol document scenarios cite)"});
    return;
  }
  const auto& sections = std::get<ProtocolDocument>(document);
  const auto repeated = repeated_sections(sections, options.protocol_document_name);
  const auto missing = missing_sections(scenarios, sections, options.protocol_document_name);
  report.scenarios_ok -= std::min(report.scenarios_ok, missing.size());
  report.diagnostics.insert(report.diagnostics.end(), repeated.begin(), repeated.end());
  report.diagnostics.insert(report.diagnostics.end(), missing.begin(), missing.end());
}

}  // namespace

LintReport lint_paths(const std::vector<fs::path>& paths, const LintOptions& options) {
  LintReport report;
  const auto files = find_scenario_files(paths, report.diagnostics);
  std::vector<fs::path> scenario_files;
  std::vector<TargetProfile> profiles;
  for (const auto& file : files) {
    if (!is_profile_file(file)) {
      scenario_files.push_back(file);
      continue;
    }
    ++report.profiles;
    auto outcome = check_profile_file(file);
    report.diagnostics.insert(report.diagnostics.end(), outcome.diagnostics.begin(), outcome.diagnostics.end());
    if (outcome.profile) profiles.push_back(std::move(*outcome.profile));
  }
  report.profiles_ok = profiles.size();
  SuiteOutcome outcome;
  if (!scenario_files.empty()) outcome = check_suite(scenario_files);
  report.diagnostics.insert(report.diagnostics.end(), outcome.diagnostics.begin(), outcome.diagnostics.end());
  report.files = outcome.files_read + report.profiles;
  report.scenarios_ok = outcome.scenarios.size();
  check_deviation_ids(profiles, outcome.scenarios, options, report);
  check_citations(outcome.scenarios, options, report);
  if (report.files == 0) {
    std::string names;
    for (const auto& path : paths) names += (names.empty() ? "" : ", ") + path.string();
    report.diagnostics.push_back(Diagnostic{
        SourceLocation{"lint", 0, 0},
        "no scenario files (*.yaml, *.yml) found in: " + (names.empty() ? std::string("(no paths given)") : names)});
  }
  return report;
}

std::string format_lint_report(const LintReport& report) {
  std::string out;
  for (const auto& diagnostic : report.diagnostics) out += diagnostic.to_string() + "\n";
  const auto plural = [](std::size_t n, const char* word) {
    return std::to_string(n) + " " + word + (n == 1 ? "" : "s");
  };
  out += "lint: " + plural(report.files, "file") + ", " + std::to_string(report.scenarios_ok) + " scenario" +
         (report.scenarios_ok == 1 ? "" : "s") + " ok, ";
  if (report.profiles > 0) out += plural(report.profiles_ok, "profile") + " ok, ";
  out += plural(report.error_count(), "error") + "\n";
  return out;
}

int lint_exit_code(const LintReport& report) { return report.ok() ? 0 : 1; }

}  // namespace pushsim::harness
