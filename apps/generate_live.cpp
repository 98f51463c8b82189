#include "apps/generate_live.hpp"

#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <random>
#include <variant>

#include "apps/commands.hpp"
#include "apps/wire_log_option.hpp"
#include "harness/duration.hpp"
#include "harness/live_target.hpp"
#include "harness/workload_live.hpp"
#include "net/real_clock.hpp"
#include "protocol/server/defects.hpp"

namespace pushsim::apps {
namespace {

constexpr const char* kNotDeterministic =
    "live runs are not deterministic: a workload fixes what pushsim sends and the relay's delays, not the "
    "server's own timing";

std::string generate_env_value(const char* name) {
  const char* value = std::getenv(name);
  return value == nullptr ? std::string() : std::string(value);
}

// The live target's options from the arguments, or what is wrong with them.
std::variant<harness::LiveTargetOptions, std::string> live_options(const LiveGenerateArgs& args) {
  harness::LiveTargetOptions options;
  const auto wait_cap = harness::parse_duration(args.wait_cap);
  if (!wait_cap || *wait_cap <= 0) return "--live-wait-cap: expected a positive duration such as 10s";
  const auto budget = harness::parse_duration(args.advance_budget);
  if (!budget || *budget < 0) return "--live-advance-budget: expected a duration such as 60s";
  options.wait_max = std::chrono::milliseconds(*wait_cap / 1'000'000);
  options.advance_budget = std::chrono::milliseconds(*budget / 1'000'000);
  for (const auto& name : args.defects) {
    auto defect = parse_defect(name);
    if (!defect) return "no defect '" + name + "' (see protocol/server/defects.hpp)";
    options.serve_defects.add(*defect);
  }
  if (args.target == "serve") {
    options.serve = true;
    return options;
  }
  if (!args.target.starts_with("ws://"))
    return "--target is sim, serve or ws://HOST:PORT (the relay carries ws:// only)";
  if (!args.defects.empty()) return "--defect needs --target serve (or start `pushsim serve --defect` yourself)";
  options.name = options.ws_url = args.target;
  options.app = AppCredentials{generate_env_value("PUSHER_APP_ID"), generate_env_value("PUSHER_APP_KEY"),
                               generate_env_value("PUSHER_APP_SECRET")};
  if (options.app.app_id.empty() || options.app.key.empty() || options.app.secret.empty()) {
    return "a ws:// target needs PUSHER_APP_ID, PUSHER_APP_KEY and PUSHER_APP_SECRET";
  }
  if (!args.webhook_listen.empty()) {
    const auto colon = args.webhook_listen.rfind(':');
    const int port = colon == std::string::npos ? -1 : std::atoi(args.webhook_listen.c_str() + colon + 1);
    if (port <= 0 || port > 65535) return "--webhook-listen wants HOST:PORT";
    options.webhook_host = args.webhook_listen.substr(0, colon);
    options.webhook_port = static_cast<std::uint16_t>(port);
  }
  return options;
}

// A factory that gives every run names of its own on a long-lived ws:// server (the shrinker
// runs one workload id many times; cache channels and members must not carry over).
harness::TargetFactory run_factory(const harness::LiveTargetOptions& options, bool isolate) {
  auto runs = std::make_shared<std::uint64_t>(0);
  const std::string token = "g" + std::to_string(std::random_device{}() % 100'000);
  return [options, isolate, runs, token](const harness::Scenario& scenario, std::uint64_t seed) {
    harness::LiveTargetOptions mine = options;
    if (isolate) mine.run_token = token + "r" + std::to_string(++*runs);
    return harness::live_target_factory(mine)(scenario, seed);
  };
}

std::string joined_names(const std::vector<std::string>& names, const std::string& separator) {
  std::string out;
  for (const auto& name : names) out += (out.empty() ? "" : separator) + name;
  return out;
}

int write_failure(const LiveGenerateArgs& args, std::uint64_t seed, const harness::Workload& workload,
                  const std::vector<std::string>& comment) {
  const std::string suffix = args.defects.empty() ? "reference" : joined_names(args.defects, "_");
  const std::string file = "generated_live_" + std::to_string(seed) + "_" + suffix + ".yaml";
  const auto rendered = harness::render_workload(workload, comment);
  std::error_code error;
  std::filesystem::create_directories(args.out, error);
  const auto path = std::filesystem::path(args.out) / file;
  std::ofstream stream(path, std::ios::binary);
  stream << rendered.yaml;
  stream.close();
  if (error || !stream) {
    std::cerr << "pushsim generate: cannot write " << path.string() << "\n";
    return kExitUsage;
  }
  std::cout << "  wrote " << path.string() << " (" << rendered.steps << " steps, " << rendered.clients << " clients)\n";
  return 1;
}

int report_live_failure(const LiveGenerateArgs& args, const harness::TargetFactory& factory, std::uint64_t seed,
                        const harness::Workload& workload, const std::string& failure) {
  std::string flags;
  for (const auto& name : args.defects) flags += " --defect " + name;
  harness::Workload written = workload;
  if (!args.defects.empty())
    written.id = "generated.live-" + joined_names(args.defects, "-") + "-" + std::to_string(seed);
  std::string how = "as generated";
  std::string reproduced;
  std::string final_failure = failure;
  if (!args.no_shrink) {
    harness::LiveShrinkOptions shrink;
    shrink.runs = args.runs;
    shrink.budget = std::chrono::milliseconds(*harness::parse_duration(args.shrink_budget) / 1'000'000);
    shrink.attempts_max = args.shrink_max;
    const auto shrunk = harness::shrink_workload_live(written, factory, shrink);
    written = shrunk.workload;
    how = "shrunk live in " + std::to_string(shrunk.attempts) + " attempts" +
          (shrunk.budget_spent ? " (stopped by the " + args.shrink_budget + " budget)" : "");
    reproduced = "reproduced " + std::to_string(shrunk.reproduced) + " of " + std::to_string(shrunk.runs);
    if (!shrunk.failure.empty()) final_failure = shrunk.failure;
    std::cout << "  shrunk: " << shrunk.rendered.ops_kept << " operations, " << shrunk.rendered.steps << " steps, "
              << shrunk.rendered.clients << " clients (from " << workload.ops.size() << " operations), " << how
              << "\n  " << reproduced << " (" << kNotDeterministic << ")\n";
    if (shrunk.reproduced == 0) {
      std::cout << "  the shrunk workload did not fail again: writing the workload as generated\n";
      written = workload;
      if (!args.defects.empty())
        written.id = "generated.live-" + joined_names(args.defects, "-") + "-" + std::to_string(seed);
      how = "as generated; the shrunk one did not reproduce";
      final_failure = failure;
    }
  }
  const std::string target = "--target " + args.target;
  const std::vector<std::string> comment = {
      "Generated by: pushsim generate " + target + " --seed " + std::to_string(seed) + " --clients " +
          std::to_string(args.clients) + " --steps " + std::to_string(args.steps) + flags + " (" + how + ")",
      "Failed live" + (args.defects.empty() ? std::string(" on the reference") : " on" + flags) + ": " +
          first_line(final_failure),
      "Live runs are not deterministic" + (reproduced.empty() ? std::string() : " (" + reproduced + ")") +
          ": check it again with pushsim explore FILE " + target + flags +
          " --max-latency 0ms --replay-seed 1 --runs 10",
  };
  return write_failure(args, seed, written, comment);
}

}  // namespace

int generate_live(const LiveGenerateArgs& args) {
  auto options = live_options(args);
  if (auto* message = std::get_if<std::string>(&options)) {
    std::cerr << "pushsim generate: " << *message << "\n";
    return kExitUsage;
  }
  if (!harness::parse_duration(args.shrink_budget) || *harness::parse_duration(args.shrink_budget) <= 0) {
    std::cerr << "pushsim generate: --live-shrink-budget: expected a positive duration such as 180s\n";
    return kExitUsage;
  }
  const auto& live = std::get<harness::LiveTargetOptions>(options);
  const auto factory = logging_factory(run_factory(live, !live.serve), args.log, monotonic_now());
  std::string flags;
  for (const auto& name : args.defects) flags += " --defect " + name;
  std::cout << "pushsim generate --target " << args.target << flags << ": seeds " << args.seed << ".."
            << args.seed + args.seeds - 1 << ", " << args.clients << " clients, " << args.steps
            << " operations, live (drop-timeout left out: a relay drop resets the server's side at once)\n"
            << "  " << kNotDeterministic << "\n";
  for (std::uint64_t k = 0; k < args.seeds; ++k) {
    const std::uint64_t seed = args.seed + k;
    harness::WorkloadOptions workload_options;
    workload_options.seed = seed;
    workload_options.clients = args.clients;
    workload_options.steps = args.steps;
    workload_options.live = true;
    const auto workload = harness::generate_workload(workload_options);
    const auto run = harness::run_workload_live(workload, factory);
    if (run.skipped || !run.loaded) {
      std::cout << "  seed " << seed << ": not run: " << first_line(run.failure) << "\n";
      return kExitUsage;
    }
    if (!run.failed) {
      std::cout << "  seed " << seed << ": pass (" << run.wall_ms << " ms)\n" << std::flush;
      continue;
    }
    std::cout << "FAIL seed " << seed << " (seed " << k + 1 << " of this run) live on "
              << (args.defects.empty() ? std::string("the reference") : "defect " + joined_names(args.defects, "+"))
              << ": " << first_line(run.failure) << "\n"
              << std::flush;
    return report_live_failure(args, factory, seed, workload, run.failure);
  }
  std::cout << args.seeds << " seeds passed live\n";
  return 0;
}

}  // namespace pushsim::apps
