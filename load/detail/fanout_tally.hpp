#pragma once
// What the peers of one `bench fanout` rate count: deliveries inside the measured window and
// their latencies, deliveries of earlier rates still arriving, and errors (the first few kept
// as text). The generator is single-threaded, so peers write here without locks.
#include <chrono>
#include <cstdint>
#include <limits>
#include <string>
#include <vector>

#include "load/fanout_options.hpp"
#include "load/latency_histogram.hpp"

namespace pushsim::load::detail {

// Stamps and receipts use the steady clock: the generator and its peers share one process,
// and a wall-clock step must not show up as latency. Shards of one run in several processes
// (--shard) stamp on the wall clock instead, as the steady clock plus one offset read at the
// start: receipts get the same offset, so latency is still steady-clock arithmetic within a
// process, and comparable across processes and synchronised machines.
inline std::int64_t steady_ns() {
  return std::chrono::duration_cast<std::chrono::nanoseconds>(std::chrono::steady_clock::now().time_since_epoch())
      .count();
}

class FanoutTally {
 public:
  static constexpr std::size_t kErrorTextsMax = 20;

  // A new rate: counts start from zero; stamps of other runs are ignored from now on.
  void reset(int run, std::int64_t measure_from_ns, std::int64_t measure_to_ns) {
    run_ = run;
    measure_from_ns_ = measure_from_ns;
    measure_to_ns_ = measure_to_ns;
    latency_.clear();
    for (auto& node : nodes_) node = NodeTally{};
    delivered_ = 0;
    stale_ = 0;
  }

  // Added to every receipt time: 0, or the wall clock minus the steady clock for shards.
  void set_clock_offset(std::int64_t offset_ns) { clock_offset_ns_ = offset_ns; }

  // Of a clustered server: deliveries and latency are also kept per node (0 .. nodes-1).
  void set_nodes(std::size_t nodes) { nodes_.assign(nodes, NodeTally{}); }

  void delivery(const FanoutStamp& stamp, std::int64_t received_steady_ns, std::size_t node = 0) {
    const std::int64_t received_ns = received_steady_ns + clock_offset_ns_;
    ++received_;
    if (stamp.run != run_) {
      ++stale_;
      return;
    }
    if (stamp.scheduled_ns < measure_from_ns_ || stamp.scheduled_ns >= measure_to_ns_) return;  // warm-up
    ++delivered_;
    latency_.record(received_ns - stamp.scheduled_ns);
    if (node < nodes_.size()) {
      ++nodes_[node].delivered;
      nodes_[node].latency.record(received_ns - stamp.scheduled_ns);
    }
  }

  void error(std::string text) {
    ++error_count_;
    if (errors_.size() < kErrorTextsMax) errors_.push_back(std::move(text));
  }

  const LatencyHistogram& latency() const { return latency_; }
  struct NodeTally {
    std::uint64_t delivered = 0;
    LatencyHistogram latency;
  };
  const std::vector<NodeTally>& nodes() const { return nodes_; }
  std::uint64_t delivered() const { return delivered_; }
  std::uint64_t stale() const { return stale_; }
  // Stamped events received over the whole benchmark, of any run, in the window or not: what
  // the generator's CPU time is divided by.
  std::uint64_t received() const { return received_; }
  std::uint64_t error_count() const { return error_count_; }
  const std::vector<std::string>& errors() const { return errors_; }

 private:
  int run_ = -1;
  std::int64_t clock_offset_ns_ = 0;
  std::int64_t measure_from_ns_ = 0;
  std::int64_t measure_to_ns_ = std::numeric_limits<std::int64_t>::max();
  LatencyHistogram latency_;
  std::vector<NodeTally> nodes_;  // empty: one node
  std::uint64_t delivered_ = 0;
  std::uint64_t stale_ = 0;
  std::uint64_t received_ = 0;
  std::uint64_t error_count_ = 0;  // over the whole benchmark
  std::vector<std::string> errors_;
};

}  // namespace pushsim::load::detail
