// pushsim: the command line. Subcommands arrive with the issues that build them; each one
// that is not built yet says so and exits with the usage code instead of pretending.
#include <CLI/CLI.hpp>

#include <iostream>

#include "apps/commands.hpp"

namespace {

using pushsim::apps::kExitUsage;

struct Subcommand {
  const char* name;
  const char* summary;
};

constexpr Subcommand kSubcommands[] = {
    {"explore", "run a scenario over many seeds with faults, looking for invariant violations"},
    {"replay", "reproduce one seed of a scenario exactly"},
    {"serve", "the reference engine behind a real WebSocket + HTTP front"},
    {"bench", "fan-out benchmarks"},
};

}  // namespace

int main(int argc, char** argv) {
  CLI::App app{"pushsim " PUSHSIM_VERSION
               " - deterministic simulation and conformance harness for Pusher Channels servers"};
  app.set_version_flag("--version", "pushsim " PUSHSIM_VERSION);
  app.require_subcommand(0, 1);
  int exit_code = 0;
  pushsim::apps::add_run_command(app, exit_code);
  pushsim::apps::add_lint_command(app, exit_code);
  pushsim::apps::add_selftest_command(app, exit_code);
  for (const auto& sub : kSubcommands) app.add_subcommand(sub.name, sub.summary)->allow_extras();

  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    // --help and --version "fail" with success; anything else is a usage error: exit 2.
    return app.exit(e) == 0 ? 0 : kExitUsage;
  }

  if (app.get_subcommands().empty()) {
    std::cout << app.help();
    return 0;
  }
  const auto* chosen = app.get_subcommands().front();
  for (const char* built : {"run", "lint", "selftest"}) {
    if (chosen->get_name() == built) return exit_code;
  }
  std::cerr << "pushsim " << chosen->get_name() << ": not available in this build yet\n";
  return kExitUsage;
}
