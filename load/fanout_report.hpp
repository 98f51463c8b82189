#pragma once
// The results of `pushsim bench fanout`, and their two forms: a table for people and JSON for
// machines. Plain values, filled by run_fanout_bench(); the writers are pure functions.
#include <cstdint>
#include <optional>
#include <ostream>
#include <string>
#include <vector>

#include "load/fanout_options.hpp"
#include "load/latency_histogram.hpp"
#include "protocol/json.hpp"

namespace pushsim::load {

// One node's share of a run against a clustered server (--target repeated): its subscribers'
// deliveries. Node 0 gets the publishes; every other node's deliveries crossed the cluster's bus.
struct FanoutNodeRun {
  std::string url;
  std::size_t subscribers = 0;  // of this process, on this node
  std::uint64_t expected = 0;
  std::uint64_t delivered = 0;
  std::uint64_t lost = 0;
  LatencyHistogram latency;
};

// One fixed-rate run: warm-up, then the measured window, then a drain for late deliveries.
struct FanoutRun {
  double rate_per_s = 0;
  double measured_s = 0;                 // the window's wall length
  std::uint64_t published = 0;           // events due in the window (each to one channel)
  std::uint64_t publish_failures = 0;    // REST errors or refused client events, whole run
  std::uint64_t expected = 0;            // deliveries the window's events owe: sum of their channels' subscribers
  std::uint64_t delivered = 0;           // of those, received by the end of the drain
  std::uint64_t lost = 0;                // expected - delivered, when positive
  std::uint64_t errors = 0;              // errors of any kind during the run
  LatencyHistogram latency;              // scheduled send -> receipt, per delivery
  std::vector<FanoutNodeRun> nodes;      // per node, node 0 first; empty for a one-node target
  double generator_cpu_s = 0;            // this process's generator thread, in the window
  std::uint64_t received_in_window = 0;  // stamped events the generator read in the window, of any rate
  double process_cpu_s = 0;              // the whole process (includes an in-process serve)
  bool passed = false;                   // no loss, no errors, p99 within the bound
  std::string why;                       // what failed, when it did

  double deliveries_per_s() const { return measured_s > 0 ? static_cast<double>(delivered) / measured_s : 0; }
  double generator_cpu_share() const { return measured_s > 0 ? generator_cpu_s / measured_s : 0; }
  double process_cpu_share() const { return measured_s > 0 ? process_cpu_s / measured_s : 0; }
  // The generator's CPU time per delivery it read, in microseconds (0 when none arrived).
  double generator_cpu_us_per_delivery() const {
    return received_in_window > 0 ? generator_cpu_s * 1e6 / static_cast<double>(received_in_window) : 0;
  }
};

struct FanoutReport {
  std::string target;  // "serve (in-process, ws://127.0.0.1:PORT)" or the URL
  bool in_process = false;
  FanoutOptions options;
  std::string fd_limit_note;  // what was done about RLIMIT_NOFILE
  std::size_t connected = 0;
  double connect_s = 0;
  std::vector<FanoutRun> runs;
  std::optional<double> max_sustained_per_s;  // --rate max: the best rate that passed
  std::vector<std::string> errors;            // the first few, as text
  std::uint64_t error_count = 0;
  std::string stopped_early;       // why the benchmark ended before its plan, if it did
  std::int64_t start_unix_ms = 0;  // --shard: when the shared schedule started

  std::size_t subscribers_here() const;  // this shard's share of options.subscribers

  double connect_per_s() const { return connect_s > 0 ? static_cast<double>(connected) / connect_s : 0; }
  // Exit status: every fixed-rate run passed; for a search, some rate passed.
  bool ok() const;
};

Json fanout_report_json(const FanoutReport& report);
void write_fanout_table(std::ostream& out, const FanoutReport& report);

}  // namespace pushsim::load
