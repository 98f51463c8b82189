// pushsim: the command line. Subcommands arrive with the issues that build them; each one
// that is not built yet says so and exits with the usage code instead of pretending.
#include <CLI/CLI.hpp>

#include <cstdint>
#include <iostream>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "net/serve_command.hpp"
#include "net/serve_options.hpp"
#include "protocol/server/engine_checks.hpp"

#include "apps/commands.hpp"

namespace {

using pushsim::apps::kExitUsage;

struct Subcommand {
  const char* name;
  const char* summary;
};

// The flags of `pushsim serve`, as parsed.
struct ServeFlags {
  std::string host = "127.0.0.1";
  int port = 6001;
  std::vector<std::string> apps;
  std::string config;
  std::vector<std::string> webhooks;
  std::optional<std::uint64_t> seed;
};

void add_serve_flags(CLI::App& serve, ServeFlags& flags) {
  serve.add_option("--host", flags.host, "address to listen on")->capture_default_str();
  serve.add_option("--port", flags.port, "port to listen on; 0 picks a free one")
      ->capture_default_str()
      ->check(CLI::Range(0, 65535));
  serve.add_option("--app", flags.apps, "an app as ID:KEY:SECRET (repeatable; default app-id:app-key:app-secret)");
  serve.add_option("--config", flags.config, "JSON config file with apps (incl. webhooks) and engine knobs");
  serve.add_option("--webhook", flags.webhooks, "webhook URL added to every app (repeatable)");
  serve.add_option("--seed", flags.seed, "seed for socket ids (default: random)");
}

// Flags override the config file; --app adds apps to the file's.
int run_serve(const CLI::App& serve, const ServeFlags& flags) {
  pushsim::ServeOptions options;
  if (!flags.config.empty()) {
    auto loaded = pushsim::load_serve_config(flags.config);
    if (!loaded) {
      std::cerr << "pushsim serve: " << loaded.error().message << "\n";
      return kExitUsage;
    }
    options = std::move(*loaded);
  }
  if (flags.config.empty() || serve.count("--host") > 0) options.host = flags.host;
  if (flags.config.empty() || serve.count("--port") > 0) options.port = static_cast<std::uint16_t>(flags.port);
  if (flags.seed) options.seed = flags.seed;
  for (const auto& spec : flags.apps) {
    auto app = pushsim::parse_app_spec(spec);
    if (!app) {
      std::cerr << "pushsim serve: " << app.error().message << "\n";
      return kExitUsage;
    }
    options.apps.push_back(std::move(*app));
  }
  if (options.apps.empty()) options.apps.push_back(pushsim::default_app());
  for (const auto& url : flags.webhooks) pushsim::add_webhook_to_all_apps(options, url);
  return pushsim::run_serve_command(std::move(options), std::cout, std::cerr);
}

constexpr Subcommand kSubcommands[] = {
    {"serve", "the reference engine behind a real WebSocket + HTTP front"},
};

}  // namespace

int main(int argc, char** argv) {
  // The engine's self-checks: on in Debug and sanitizer builds of this binary, off otherwise
  // for exploration speed (protocol/server/engine_checks.hpp explains the switch).
  pushsim::set_engine_checks_enabled(PUSHSIM_ENGINE_CHECKS != 0);
  CLI::App app{"pushsim " PUSHSIM_VERSION
               " - deterministic simulation and conformance harness for Pusher Channels servers"};
  app.set_version_flag("--version", [] {
    return "pushsim " PUSHSIM_VERSION " (allocator: " + pushsim::apps::allocator_description() +
           ") (engine checks: " + (pushsim::engine_checks_enabled() ? "on" : "off") + ")";
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
  ServeFlags serve_flags;
  for (const auto& sub : kSubcommands) {
    CLI::App* command = app.add_subcommand(sub.name, sub.summary);
    if (std::string_view(sub.name) == "serve") {
      add_serve_flags(*command, serve_flags);
    } else {
      command->allow_extras();
    }
  }

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
  if (chosen->get_name() == "serve") return run_serve(*chosen, serve_flags);
  for (const char* built : {"run", "lint", "selftest", "profiles", "explore", "replay", "bench"}) {
    if (chosen->get_name() == built) return exit_code;
  }
  std::cerr << "pushsim " << chosen->get_name() << ": not available in this build yet\n";
  return kExitUsage;
}
