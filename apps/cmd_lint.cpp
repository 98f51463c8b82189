// `pushsim lint [PATHS...]`: check scenario and target profile files without running them.
#include <iostream>

#include "apps/build_paths.hpp"
#include "apps/commands.hpp"
#include "harness/lint.hpp"

namespace pushsim::apps {

std::filesystem::path bundled_scenarios() {
  if (const char* env = std::getenv("PUSHSIM_SCENARIOS"); env != nullptr && *env != '\0') return env;
  return source_scenarios_dir();
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
    const auto report = harness::lint_paths(given, options);
    std::cout << harness::format_lint_report(report);
    exit_code = harness::lint_exit_code(report);
  });
}

}  // namespace pushsim::apps
