// `pushsim lint [PATHS...]`: check scenario and target profile files without running them.
#include <iostream>

#include "apps/build_paths.hpp"
#include "apps/commands.hpp"
#include "harness/lint.hpp"
#include "harness/protocol_document.hpp"

namespace pushsim::apps {

std::filesystem::path bundled_scenarios() {
  return bundled_dir("PUSHSIM_SCENARIOS", "scenarios", source_scenarios_dir());
}

std::filesystem::path bundled_protocol_document() {
  return bundled_dir("PUSHSIM_DOCS", "docs", source_docs_dir()) / "protocol.md";
}

std::string bundled_protocol_document_name() {
  const std::filesystem::path document = bundled_protocol_document();
  if (document == std::filesystem::path(source_docs_dir()) / "protocol.md") {
    return std::string(harness::kProtocolDocumentPath);
  }
  return document.string();
}

void add_lint_command(CLI::App& app, int& exit_code) {
  auto* cmd = app.add_subcommand("lint", "check scenario and target profile files without running them");
  auto paths = std::make_shared<std::vector<std::string>>();
  cmd->add_option("paths", *paths, "scenario or profile files or folders (default: the bundled suite and profiles)");
  cmd->callback([paths, &exit_code] {
    std::vector<std::filesystem::path> given(paths->begin(), paths->end());
    if (given.empty()) {
      given.push_back(bundled_scenarios());
      std::error_code ec;
      if (std::filesystem::is_directory(bundled_profiles(), ec)) given.push_back(bundled_profiles());
    }
    harness::LintOptions options;
    options.fallback_suite.push_back(bundled_scenarios());
    options.protocol_document = bundled_protocol_document();
    options.protocol_document_name = bundled_protocol_document_name();
    const auto report = harness::lint_paths(given, options);
    std::cout << harness::format_lint_report(report);
    exit_code = harness::lint_exit_code(report);
  });
}

}  // namespace pushsim::apps
