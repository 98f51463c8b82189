// pushsim: the command line. Each subcommand is registered by its own file (commands.hpp) and
// sets the exit code from its callback.
#include <CLI/CLI.hpp>

#include <iostream>
#include <string>

#include "apps/build_info.hpp"
#include "apps/commands.hpp"
#include "protocol/server/engine_checks.hpp"

int main(int argc, char** argv) {
  using pushsim::apps::kExitUsage;
  // The engine's self-checks: on in Debug and sanitizer builds of this binary, off otherwise
  // for exploration speed (protocol/server/engine_checks.hpp explains the switch).
  pushsim::set_engine_checks_enabled(PUSHSIM_ENGINE_CHECKS != 0);
  CLI::App app{"pushsim " PUSHSIM_VERSION
               " - deterministic simulation and conformance harness for Pusher Channels servers"};
  // The first line says what this binary is; the others, which bundled data it would use.
  app.set_version_flag("--version", [] {
    using namespace pushsim::apps;
    return "pushsim " PUSHSIM_VERSION " (commit " + std::string(build_commit()) +
           ") (allocator: " + allocator_description() +
           ") (engine checks: " + (pushsim::engine_checks_enabled() ? "on" : "off") +
           ")\nscenarios: " + bundled_scenarios().string() + "\nprofiles: " + bundled_profiles().string() +
           "\nprotocol document: " + bundled_protocol_document().string();
  });
  app.require_subcommand(0, 1);
  int exit_code = 0;
  pushsim::apps::add_run_command(app, exit_code);
  pushsim::apps::add_lint_command(app, exit_code);
  pushsim::apps::add_selftest_command(app, exit_code);
  pushsim::apps::add_profiles_command(app, exit_code);
  pushsim::apps::add_explore_command(app, exit_code);
  pushsim::apps::add_replay_command(app, exit_code);
  pushsim::apps::add_bench_command(app, exit_code);
  pushsim::apps::add_serve_command(app, exit_code);
  pushsim::apps::add_compare_command(app, exit_code);
  pushsim::apps::add_generate_command(app, exit_code);

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
  return exit_code;
}
