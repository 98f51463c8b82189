// `pushsim bench fanout`: the live fan-out load generator (load/fanout_bench.hpp) with a table
// on stdout, a progress bar on a terminal (stderr) and an optional JSON report.
#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <iostream>
#include <memory>
#include <string>
#include <vector>

#include "apps/commands.hpp"
#include "load/fanout_args.hpp"
#include "load/fanout_bench.hpp"
#include "load/fanout_shard.hpp"

namespace pushsim::apps {
namespace {

struct BenchArgs {
  load::FanoutArgs fanout;
  std::vector<std::string> targets;  // --target, repeated for the nodes of one clustered server
  std::string json;
  std::string histogram;
  bool no_progress = false;
};

struct MergeArgs {
  std::vector<std::string> files;
  std::string json;
};

bool write_json_file(const std::string& path, const Json& json, const char* command) {
  std::ofstream out(path, std::ios::binary);
  out << json.dump(2) << "\n";
  out.close();
  if (!out) std::cerr << "pushsim bench " << command << ": cannot write " << path << "\n";
  return static_cast<bool>(out);
}

int run_merge(const MergeArgs& args) {
  std::vector<load::FanoutShard> shards;
  for (const auto& file : args.files) {
    std::ifstream in(file, std::ios::binary);
    if (!in) {
      std::cerr << "pushsim bench merge: cannot read " << file << "\n";
      return kExitUsage;
    }
    Json json = Json::parse(in, nullptr, false);
    if (json.is_discarded()) {
      std::cerr << "pushsim bench merge: " << file << ": not JSON\n";
      return kExitUsage;
    }
    auto shard = load::parse_fanout_shard(json, file);
    if (!shard) {
      std::cerr << "pushsim bench merge: " << shard.error().message << "\n";
      return kExitUsage;
    }
    shards.push_back(std::move(*shard));
  }
  auto merged = load::merge_fanout_shards(shards);
  if (!merged) {
    std::cerr << merged.error().message << "\n";
    return kExitUsage;
  }
  load::write_fanout_merged_table(std::cout, *merged);
  if (!args.json.empty() && !write_json_file(args.json, load::fanout_merged_json(*merged), "merge")) return kExitUsage;
  return merged->total.passed ? 0 : 1;
}

void draw_progress(const load::FanoutProgress& progress) {
  constexpr int kWidth = 30;
  const int filled = static_cast<int>(progress.fraction * kWidth);
  std::string bar(static_cast<std::size_t>(filled), '#');
  bar.append(static_cast<std::size_t>(kWidth - filled), '.');
  std::fprintf(stderr, "\r\x1b[2K%-22s [%s] %3.0f%%  %s", progress.phase.c_str(), bar.c_str(), 100 * progress.fraction,
               progress.detail.c_str());
  std::fflush(stderr);
}

int run_fanout(const BenchArgs& args) {
  load::FanoutArgs fanout = args.fanout;
  if (!args.targets.empty()) {
    fanout.target = args.targets.front();
    fanout.more_targets.assign(args.targets.begin() + 1, args.targets.end());
  }
  auto options = load::fanout_options_from_args(fanout, [](const char* name) { return std::getenv(name); });
  if (!options) {
    std::cerr << "pushsim bench fanout: " << options.error().message << "\n";
    return kExitUsage;
  }
  const bool progress = !args.no_progress && isatty(STDERR_FILENO) != 0;
  load::FanoutProgressFn on_progress;
  if (progress) on_progress = draw_progress;
  if (!args.histogram.empty() && !options->rate_per_s) {
    std::cerr << "pushsim bench fanout: --histogram needs a fixed --rate (a --rate max search has several runs)\n";
    return kExitUsage;
  }
  auto report = load::run_fanout_bench(*options, on_progress);
  if (progress) std::fprintf(stderr, "\r\x1b[2K");
  if (!report) {
    std::cerr << report.error().message << "\n";
    return 1;
  }
  load::write_fanout_table(std::cout, *report);
  if (!args.json.empty() && !write_json_file(args.json, load::fanout_report_json(*report), "fanout")) {
    return kExitUsage;
  }
  if (!args.histogram.empty()) {
    auto shard = load::fanout_shard_json(*report);
    if (!shard) {
      std::cerr << "pushsim bench fanout: " << shard.error().message << "\n";
      return kExitUsage;
    }
    if (!write_json_file(args.histogram, *shard, "fanout")) return kExitUsage;
  }
  return report->ok() ? 0 : 1;
}

void add_fanout_options(CLI::App& cmd, BenchArgs& args) {
  load::FanoutArgs& f = args.fanout;
  cmd.add_option("--target", args.targets,
                 "serve (an in-process pushsim serve on its own threads, the default), ws://HOST:PORT, or live "
                 "(PUSHER_HOST:PUSHER_PORT); repeated, the ws:// URLs of one clustered server's nodes: subscribers "
                 "round-robin over them, events published to the first");
  cmd.add_option("--app-id", f.app_id, "the app id (else PUSHER_APP_ID)");
  cmd.add_option("--key", f.key, "the app key (else PUSHER_APP_KEY)");
  cmd.add_option("--secret", f.secret, "the app secret (else PUSHER_APP_SECRET)");
  cmd.add_option("--subscribers", f.subscribers, "subscriber connections")->capture_default_str();
  cmd.add_option("--channels", f.channels, "channels the subscribers are spread over")->capture_default_str();
  cmd.add_option("--rate", f.rate, "events per second over all channels (e.g. 500 or 500/s), or max")
      ->capture_default_str();
  cmd.add_option("--via", f.via, "rest (REST triggers) or client-events (publisher connections)")
      ->capture_default_str();
  cmd.add_option("--payload-bytes", f.payload_bytes, "event data size, timestamp included")->capture_default_str();
  cmd.add_option("--duration", f.duration, "measured time per rate")->capture_default_str();
  cmd.add_option("--warmup", f.warmup, "unmeasured publishing before each rate's measurement")->capture_default_str();
  cmd.add_option("--p99-bound", f.p99_bound, "--rate max: highest p99 latency a sustained rate may have")
      ->capture_default_str();
  cmd.add_option("--connect-timeout", f.connect_timeout, "for every subscriber to be subscribed")
      ->capture_default_str();
  cmd.add_option("--deadline", f.deadline, "the whole benchmark; it stops by itself then")->capture_default_str();
  cmd.add_option("--rest-connections", f.rest_connections, "keep-alive REST connections")->capture_default_str();
  cmd.add_option("--serve-io-threads", f.serve_io_threads, "--target serve: the server's I/O threads")
      ->capture_default_str();
  cmd.add_flag("--delayed-acks", f.delayed_acks,
               "subscribers acknowledge like most client TCP stacks (every second segment, or after the "
               "delayed-ACK timer) instead of each frame as read: a server with Nagle's algorithm on then "
               "shows its stalls as latency");
  cmd.add_option("--shard", f.shard,
                 "I/N: this process is shard I (from 0) of N: subscribers I, I+N, I+2N... of --subscribers, "
                 "on a schedule shared by the N processes (needs ws://HOST:PORT and a fixed --rate)");
  cmd.add_flag("--shard-publish", f.shard_publish,
               "with --shard: each shard publishes its share of the events (else shard 0 publishes them all)");
  cmd.add_option("--start-at", f.start_at,
                 "with --shard: unix time (s) the shared schedule starts (default: the next multiple of 5 s at "
                 "least 3 s after connecting)");
  cmd.add_option("--json", args.json, "write the report as JSON here");
  cmd.add_option("--histogram", args.histogram,
                 "write the run's raw latency histogram and counts here, for pushsim bench merge");
  cmd.add_flag("--no-progress", args.no_progress, "no progress bar, even on a terminal");
}

}  // namespace

void add_bench_command(CLI::App& app, int& exit_code) {
  auto* bench = app.add_subcommand("bench", "fan-out benchmarks against a live server");
  bench->require_subcommand(1);
  auto args = std::make_shared<BenchArgs>();
  auto* fanout = bench->add_subcommand(
      "fanout", "N subscribers over C channels, events published at a fixed rate (or the highest sustained one)");
  add_fanout_options(*fanout, *args);
  fanout->callback([args, &exit_code] { exit_code = run_fanout(*args); });
  auto merge_args = std::make_shared<MergeArgs>();
  auto* merge = bench->add_subcommand(
      "merge", "one report from the shard files of one run (bench fanout --shard I/N --histogram FILE)");
  merge->add_option("files", merge_args->files, "shard files, one per shard")->required();
  merge->add_option("--json", merge_args->json, "write the merged report (and its histogram) as JSON here");
  merge->callback([merge_args, &exit_code] { exit_code = run_merge(*merge_args); });
}

}  // namespace pushsim::apps
