// `pushsim explore SCENARIO`: the scenario over many seeds under a fault profile, looking for
// a run that breaks an invariant or an expectation; then the failing seed, a trace excerpt,
// the replay command, and a shrunk run with its own replay command.
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <iostream>
#include <memory>
#include <thread>

#include "apps/commands.hpp"
#include "apps/explore_live.hpp"
#include "apps/explore_report.hpp"
#include "apps/wire_log_option.hpp"
#include "harness/duration.hpp"
#include "harness/explorer.hpp"
#include "harness/fault_profile_file.hpp"

namespace pushsim::apps {
namespace {

struct ExploreArgs {
  std::string scenario;
  std::uint64_t seeds = 1000;
  std::string time;  // a duration; wall time
  std::string profile = "jitter";
  std::vector<std::string> defects;
  std::string shard = "1/1";
  unsigned jobs = 0;  // 0: every core
  bool keep_going = false;
  bool no_shrink = false;
  std::string target = "sim";
  std::string serve_cluster;  // live, --target serve: nodes over this Redis
  int serve_nodes = 2;
  LiveExploreArgs live;
  WireLogArg log;  // --log [FILE]: the wire log of the first failing seed, run again
};

std::optional<std::pair<unsigned, unsigned>> parse_shard(const std::string& text) {
  const auto slash = text.find('/');
  if (slash == std::string::npos) return std::nullopt;
  try {
    const unsigned long index = std::stoul(text.substr(0, slash));
    const unsigned long count = std::stoul(text.substr(slash + 1));
    if (count == 0 || count > 1'000'000 || index == 0 || index > count) return std::nullopt;
    return std::make_pair(static_cast<unsigned>(index), static_cast<unsigned>(count));
  } catch (const std::exception&) {
    return std::nullopt;
  }
}

// A progress line: a bar on a terminal (redrawn in place), a plain line every tenth otherwise.
class Progress {
 public:
  Progress(bool tty, std::optional<std::uint64_t> total) : tty_(tty), total_(total), start_(Clock::now()) {}

  void update(std::uint64_t done, std::uint64_t failed) {
    const auto now = Clock::now();
    if (tty_ && now - last_ < std::chrono::milliseconds(100)) return;
    if (!tty_ && !plain_line_due(done, now)) return;
    last_ = now;
    const double rate = static_cast<double>(done) / std::max(1e-9, std::chrono::duration<double>(now - start_).count());
    std::string line = tty_ ? "\r\x1b[2K" + bar(done) + " " : "explored ";
    line += std::to_string(done) + (total_ ? "/" + std::to_string(*total_) : "") + " seeds, " +
            std::to_string(static_cast<std::uint64_t>(rate)) + " seeds/s" +
            (failed > 0 ? ", " + std::to_string(failed) + " failing" : "");
    std::cout << line << (tty_ ? "" : "\n") << std::flush;
  }
  void clear() {
    if (tty_) std::cout << "\r\x1b[2K" << std::flush;
  }

 private:
  using Clock = std::chrono::steady_clock;
  bool plain_line_due(std::uint64_t done, Clock::time_point now) {
    if (total_) {
      const std::uint64_t step = std::max<std::uint64_t>(1, *total_ / 10);
      if (done / step == printed_) return false;
      printed_ = done / step;
      return true;
    }
    return now - last_ >= std::chrono::seconds(5);
  }
  std::string bar(std::uint64_t done) const {
    constexpr std::size_t kWidth = 30;
    if (!total_ || *total_ == 0) return "[" + std::string(kWidth, '.') + "]";
    const std::size_t filled = static_cast<std::size_t>(std::min<std::uint64_t>(kWidth, done * kWidth / *total_));
    return "[" + std::string(filled, '#') + std::string(kWidth - filled, '.') + "]";
  }

  bool tty_;
  std::optional<std::uint64_t> total_;
  Clock::time_point start_;
  Clock::time_point last_ = start_;
  std::uint64_t printed_ = 0;
};

// Thousands of seeds are not logged, only the one that failed: replayed with the log on (a
// replay is the same run, byte for byte).
void log_failing_seed(const harness::Scenario& scenario, harness::RunSpec spec, std::uint64_t seed,
                      const WireLogArg& arg) {
  auto opened = open_wire_log(arg, {});
  auto& log = std::get<OpenedWireLog>(opened).log;  // the file was checked before exploring
  if (!log) return;
  std::cout << "wire log of seed " << seed << (arg.file.empty() ? ":" : " in " + arg.file) << "\n" << std::flush;
  spec.seed = seed;
  auto sink = log->scenario(0, scenario.id, kSimulationEpoch);
  harness::SpecRunOptions options;
  options.wire_log = sink.get();
  harness::run_spec(scenario, spec, options);
}

int explore_command(const ExploreArgs& args) {
  auto scenario = scenario_argument(args.scenario);
  if (auto* error = std::get_if<std::string>(&scenario)) {
    std::cerr << "pushsim explore: " << *error << "\n";
    return kExitUsage;
  }
  if (args.log.given) {
    // Simulated, the file is written only once a seed fails; a path that cannot be written is
    // refused now.
    const auto checked = open_wire_log(args.log, {});
    if (const auto* error = std::get_if<std::string>(&checked)) {
      std::cerr << "pushsim explore: " << *error << "\n";
      return kExitUsage;
    }
  }
  if (!args.serve_cluster.empty()) {
    if (auto error = serve_cluster_error(args.target, args.serve_cluster)) {
      std::cerr << "pushsim explore: " << *error << "\n";
      return kExitUsage;
    }
  }
  if (args.target != "sim") {
    LiveExploreArgs live = args.live;
    live.scenario_argument = args.scenario;
    live.target = args.target;
    live.seeds = args.seeds;
    live.defects = args.defects;
    live.serve_cluster = args.serve_cluster;
    live.serve_nodes = args.serve_nodes;
    // Live runs are not deterministic, so a failing one cannot be run again to log it: with
    // --log every run is logged as it happens, each under "ID seed N run 1".
    WireLogOptions log_options;
    log_options.scenario_ids = true;
    auto opened = open_wire_log(args.log, log_options);
    live.log = std::get<OpenedWireLog>(opened).log.get();
    return explore_live(std::get<harness::Scenario>(scenario), live);
  }
  auto profile = harness::resolve_fault_profile(args.profile);
  if (!profile) {
    std::cerr << "pushsim explore: " << profile.error().message << "\n";
    return kExitUsage;
  }
  auto shard = parse_shard(args.shard);
  if (!shard) {
    std::cerr << "pushsim explore: --shard wants I/N with 1 <= I <= N, like 2/8\n";
    return kExitUsage;
  }
  harness::RunSpec base;
  base.profile = *profile;
  for (const auto& name : args.defects) {
    auto defect = parse_defect(name);
    if (!defect) {
      std::cerr << "pushsim explore: no defect '" << name << "' (see protocol/server/defects.hpp)\n";
      return kExitUsage;
    }
    base.defects.add(*defect);
  }
  harness::ExploreOptions options;
  options.seeds = args.seeds;
  if (!args.time.empty()) {
    auto budget = harness::parse_duration(args.time);
    if (!budget || *budget <= 0) {
      std::cerr << "pushsim explore: --time wants a duration like 60s\n";
      return kExitUsage;
    }
    options.time_budget_s = static_cast<double>(*budget) / 1e9;
  }
  options.shard_index = shard->first;
  options.shard_count = shard->second;
  options.jobs = args.jobs > 0 ? args.jobs : std::max(1u, std::thread::hardware_concurrency());
  options.keep_going = args.keep_going;
  const harness::Scenario& chosen = std::get<harness::Scenario>(scenario);
  ExploreReport report{args.scenario, args.profile, std::cout};
  report.header(chosen, base, options);
  const bool tty = isatty(STDOUT_FILENO) != 0;
  Progress progress(tty, options.time_budget_s
                             ? std::nullopt
                             : std::optional<std::uint64_t>(
                                   (options.seeds + options.shard_count - options.shard_index) / options.shard_count));
  options.on_progress = [&](std::uint64_t done, std::uint64_t failed) { progress.update(done, failed); };
  const auto result = harness::explore(chosen, base, options);
  progress.clear();
  report.outcome(chosen, base, result, !args.no_shrink);
  if (!result.failures.empty()) log_failing_seed(chosen, base, result.failures.front().seed, args.log);
  return result.failures.empty() ? 0 : 1;
}

}  // namespace

void add_explore_command(CLI::App& app, int& exit_code) {
  auto* cmd =
      app.add_subcommand("explore", "run a scenario over many seeds with faults, looking for invariant violations");
  auto args = std::make_shared<ExploreArgs>();
  cmd->add_option("scenario", args->scenario, "a scenario file, or the id of a bundled scenario")->required();
  cmd->add_option("--seeds", args->seeds, "explore seeds 1..N (split between shards)")->capture_default_str();
  cmd->add_option("--time", args->time, "explore for this long of wall time instead (e.g. 60s); seeds from 1 up");
  cmd->add_option("--profile", args->profile,
                  "fault profile: none, jitter, lossy, partitions, webhook-failures, or a YAML file")
      ->capture_default_str();
  cmd->add_option("--defect", args->defects, "run a deliberately broken engine variant (repeatable)");
  cmd->add_option("--shard", args->shard, "I/N: this machine explores seeds s with (s - 1) % N == I - 1")
      ->capture_default_str();
  cmd->add_option("--jobs,-j", args->jobs, "parallel runs (default: every core)")->check(CLI::Range(0u, 1024u));
  cmd->add_flag("--keep-going", args->keep_going, "collect every failing seed instead of stopping at the first");
  cmd->add_flag("--no-shrink", args->no_shrink, "do not shrink the failing run");
  cmd->add_option("--target", args->target,
                  "sim (default), or serve / ws://HOST:PORT: runs live, every client through the fault relay "
                  "(see apps/explore_live.hpp)")
      ->capture_default_str();
  cmd->add_option("--serve-cluster", args->serve_cluster,
                  "live, --target serve: redis://HOST:PORT[/DB]; every run starts --serve-nodes fresh "
                  "`serve --cluster` nodes over it (cluster scenarios)");
  cmd->add_option("--serve-nodes", args->serve_nodes, "live, --target serve --serve-cluster: the nodes (default 2)")
      ->capture_default_str();
  cmd->add_option("--replay-seed", args->live.replay_seed, "live: re-run this seed's fault schedule --runs times");
  cmd->add_option("--runs", args->live.runs, "live: how many times --replay-seed re-runs")->capture_default_str();
  cmd->add_option("--max-latency", args->live.max_latency, "live: the schedules' latency bound")->capture_default_str();
  cmd->add_option("--live-advance-budget", args->live.advance_budget, "live: real time a run's advances may sleep")
      ->capture_default_str();
  add_wire_log_option(*cmd, args->log);
  cmd->callback([cmd, args, &exit_code] {
    wire_log_given(*cmd, args->log);
    exit_code = explore_command(*args);
  });
}

}  // namespace pushsim::apps
