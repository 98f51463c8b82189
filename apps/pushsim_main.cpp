// pushsim: the command line. Subcommands arrive with the issues that build them; each one
// that is not built yet says so and exits with the usage code instead of pretending.
#include <CLI/CLI.hpp>

#include <iostream>

namespace {

constexpr int kExitUsage = 2;

struct Subcommand {
  const char* name;
  const char* summary;
};

constexpr Subcommand kSubcommands[] = {
    {"run", "run scenarios against the reference engine (simulated) or a live server"},
    {"explore", "run a scenario over many seeds with faults, looking for invariant violations"},
    {"replay", "reproduce one seed of a scenario exactly"},
    {"serve", "the reference engine behind a real WebSocket + HTTP front"},
    {"bench", "fan-out benchmarks"},
    {"lint", "check scenario files without running them"},
};

}  // namespace

int main(int argc, char** argv) {
  CLI::App app{"pushsim " PUSHSIM_VERSION
               " - deterministic simulation and conformance harness for Pusher Channels servers"};
  app.set_version_flag("--version", "pushsim " PUSHSIM_VERSION);
  app.require_subcommand(0, 1);
  for (const auto& sub : kSubcommands) app.add_subcommand(sub.name, sub.summary)->allow_extras();

  CLI11_PARSE(app, argc, argv);

  if (app.get_subcommands().empty()) {
    std::cout << app.help();
    return 0;
  }
  const auto* chosen = app.get_subcommands().front();
  std::cerr << "pushsim " << chosen->get_name() << ": not available in this build yet\n";
  return kExitUsage;
}
