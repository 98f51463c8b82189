#include "apps/explore_live.hpp"

#include <chrono>
#include <cstdlib>
#include <iostream>
#include <random>

#include "apps/commands.hpp"
#include "apps/wire_log_option.hpp"
#include "harness/duration.hpp"
#include "harness/executor.hpp"
#include "harness/live_target.hpp"
#include "net/real_clock.hpp"
#include "protocol/random.hpp"
#include "protocol/server/defects.hpp"

namespace pushsim::apps {
namespace {

// The fault schedule of one run: every client's latency range from the start.
struct LiveSchedule {
  DurationNs latency_max = 0;

  std::string describe() const {
    return "latency 0-" + harness::format_duration(latency_max) + " on every client from the start";
  }
};

LiveSchedule schedule_for(std::uint64_t seed, DurationNs latency_max) {
  Rng rng = Rng(seed).derive("live-explore-schedule");
  return LiveSchedule{rng.between(0, latency_max)};
}

std::string env_value(const char* name) {
  const char* value = std::getenv(name);
  return value == nullptr ? std::string() : std::string(value);
}

// One run of the scenario under the seed's schedule; the first failure, or nullopt.
std::optional<std::string> run_once(const harness::Scenario& scenario, harness::LiveTargetOptions options,
                                    std::uint64_t seed, DurationNs latency_max, WireLog* log, TimeNs log_origin) {
  options.initial_latency = std::make_pair(DurationNs{0}, schedule_for(seed, latency_max).latency_max);
  const auto factory = logging_factory(harness::live_target_factory(options), log, log_origin,
                                       scenario.id + " seed " + std::to_string(seed));
  const std::uint64_t scenario_seed = harness::scenario_seed(seed, scenario.id);
  auto target = factory(scenario, scenario_seed);
  const auto result = harness::run_scenario(scenario, *target, scenario_seed);
  if (result.verdict == harness::Verdict::kSkipped) return "skipped: " + result.skip_reason;
  if (result.verdict != harness::Verdict::kFail && result.verdict != harness::Verdict::kNonStrict) return std::nullopt;
  return result.failures.empty() ? std::string(harness::to_string(result.verdict)) : result.failures.front();
}

}  // namespace

int explore_live(const harness::Scenario& scenario, const LiveExploreArgs& args) {
  harness::LiveTargetOptions options;
  options.relay = true;
  auto latency_max = harness::parse_duration(args.max_latency);
  const auto budget = harness::parse_duration(args.advance_budget);
  if (!latency_max || *latency_max < 0 || !budget || *budget < 0) {
    std::cerr << "pushsim explore: --max-latency and --live-advance-budget want durations like 30ms, 61s\n";
    return kExitUsage;
  }
  std::string latency_text = args.max_latency;
  if (scenario.fault_delay_max && *scenario.fault_delay_max < *latency_max) {
    latency_max = *scenario.fault_delay_max;
    latency_text = harness::format_duration(*latency_max) + " (the scenario's fault_delay_max)";
  }
  options.advance_budget = std::chrono::milliseconds(*budget / 1'000'000);
  for (const auto& name : args.defects) {
    auto defect = parse_defect(name);
    if (!defect) {
      std::cerr << "pushsim explore: no defect '" << name << "' (see protocol/server/defects.hpp)\n";
      return kExitUsage;
    }
    options.serve_defects.add(*defect);
  }
  if (!args.serve_cluster.empty()) {  // checked against the target by the command (serve_cluster_error)
    if (args.serve_nodes < 1 || args.serve_nodes > 8) {
      std::cerr << "pushsim explore: --serve-nodes wants 1 to 8 nodes\n";
      return kExitUsage;
    }
    options.serve_cluster = args.serve_cluster;
    options.serve_nodes = args.serve_nodes;
  }
  if (args.target == "serve") {
    options.serve = true;
  } else if (args.target.starts_with("ws://")) {
    if (!args.defects.empty()) {
      std::cerr << "pushsim explore: --defect needs --target serve (or start `pushsim serve --defect` yourself)\n";
      return kExitUsage;
    }
    options.name = options.ws_url = args.target;
    options.app =
        AppCredentials{env_value("PUSHER_APP_ID"), env_value("PUSHER_APP_KEY"), env_value("PUSHER_APP_SECRET")};
    if (options.app.app_id.empty() || options.app.key.empty() || options.app.secret.empty()) {
      std::cerr << "pushsim explore: a ws:// target needs PUSHER_APP_ID, PUSHER_APP_KEY and PUSHER_APP_SECRET\n";
      return kExitUsage;
    }
    // Unique to this exploration, so that runs never meet earlier ones' channels on the server.
    options.run_token = "e" + std::to_string(std::random_device{}() % 100'000);
  } else {
    std::cerr << "pushsim explore: --target is sim, serve or ws://HOST:PORT (the relay carries ws:// only)\n";
    return kExitUsage;
  }

  std::string defects_flag;  // what the replay command repeats besides the target
  for (const auto& name : args.defects) defects_flag += " --defect " + name;
  if (!args.serve_cluster.empty()) {
    defects_flag += " --serve-cluster " + args.serve_cluster + " --serve-nodes " + std::to_string(args.serve_nodes);
  }
  const TimeNs log_origin = monotonic_now();  // live log lines count from the exploration's start
  if (args.replay_seed) {
    const auto schedule = schedule_for(*args.replay_seed, *latency_max);
    std::cout << "pushsim explore " << scenario.id << " --target " << args.target << ": replaying seed "
              << *args.replay_seed << " (" << schedule.describe() << ") " << args.runs << " times\n";
    unsigned failed = 0;
    std::optional<std::string> first;
    for (unsigned run = 0; run < args.runs; ++run) {
      auto failure = run_once(scenario, options, *args.replay_seed, *latency_max, args.log, log_origin);
      if (failure && !failure->starts_with("skipped: ")) {
        ++failed;
        if (!first) first = failure;
      }
    }
    std::cout << "reproduced " << failed << " of " << args.runs
              << " (live runs are not deterministic: the schedule fixes the relay's delays, not the server's timing)\n";
    if (first) std::cout << "  first failure: " << *first << "\n";
    return failed > 0 ? 1 : 0;
  }

  std::cout << "pushsim explore " << scenario.id << " --target " << args.target << ": seeds 1.." << args.seeds
            << ", every client through the relay, latency up to " << latency_text << defects_flag << "\n";
  for (std::uint64_t seed = 1; seed <= args.seeds; ++seed) {
    const auto started = std::chrono::steady_clock::now();
    auto failure = run_once(scenario, options, seed, *latency_max, args.log, log_origin);
    const auto took_ms =
        std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::steady_clock::now() - started).count();
    if (failure && failure->starts_with("skipped: ")) {
      std::cout << "  " << scenario.id << " " << *failure << "\n";
      if (args.target == "serve" && scenario.cluster_nodes && *scenario.cluster_nodes > options.serve_nodes) {
        std::cout << "  (a cluster scenario explores live on `--target serve --serve-cluster redis://HOST:PORT "
                     "--serve-nodes "
                  << *scenario.cluster_nodes << "`)\n";
      }
      return kExitUsage;
    }
    if (!failure) {
      std::cout << "  seed " << seed << ": pass (" << took_ms << " ms)\n" << std::flush;
      continue;
    }
    std::cout << "  seed " << seed << ": FAIL after " << seed << " run(s)\n"
              << "  schedule: " << schedule_for(seed, *latency_max).describe() << "\n"
              << "  " << *failure << "\n"
              << "replay: pushsim explore " << args.scenario_argument << " --target " << args.target << defects_flag
              << " --max-latency " << args.max_latency << " --replay-seed " << seed << " --runs 10\n";
    return 1;
  }
  std::cout << "no failure in " << args.seeds << " runs\n";
  return 0;
}

}  // namespace pushsim::apps
