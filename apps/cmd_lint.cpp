// `pushsim lint [PATHS...]`: check scenario files without running them.
#include <iostream>

#include "apps/commands.hpp"
#include "harness/lint.hpp"

namespace pushsim::apps {

std::filesystem::path bundled_scenarios() {
  if (const char* env = std::getenv("PUSHSIM_SCENARIOS"); env != nullptr && *env != '\0') return env;
#ifdef PUSHSIM_SCENARIOS_DIR
  return PUSHSIM_SCENARIOS_DIR;
#else
  return "scenarios";
#endif
}

void add_lint_command(CLI::App& app, int& exit_code) {
  auto* cmd = app.add_subcommand("lint", "check scenario files without running them");
  auto paths = std::make_shared<std::vector<std::string>>();
  cmd->add_option("paths", *paths, "scenario files or folders (default: the bundled suite)");
  cmd->callback([paths, &exit_code] {
    std::vector<std::filesystem::path> given(paths->begin(), paths->end());
    if (given.empty()) given.push_back(bundled_scenarios());
    const auto report = harness::lint_paths(given);
    std::cout << harness::format_lint_report(report);
    exit_code = harness::lint_exit_code(report);
  });
}

}  // namespace pushsim::apps
