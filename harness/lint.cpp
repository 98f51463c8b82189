#include "harness/lint.hpp"

#include "harness/scenario_loader.hpp"

namespace pushsim::harness {

LintReport lint_paths(const std::vector<std::filesystem::path>& paths) {
  SuiteOutcome outcome = check_suite(paths);
  LintReport report;
  report.diagnostics = std::move(outcome.diagnostics);
  report.files = outcome.files_read;
  report.scenarios_ok = outcome.scenarios.size();
  if (report.files == 0) {
    std::string names;
    for (const auto& path : paths) names += (names.empty() ? "" : ", ") + path.string();
    report.diagnostics.push_back(Diagnostic{SourceLocation{"lint", 0, 0},
                                            "no scenario files (*.yaml, *.yml) found in: " +
                                                (names.empty() ? std::string("(no paths given)") : names)});
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
         (report.scenarios_ok == 1 ? "" : "s") + " ok, " + plural(report.error_count(), "error") + "\n";
  return out;
}

int lint_exit_code(const LintReport& report) { return report.ok() ? 0 : 1; }

}  // namespace pushsim::harness
