#pragma once
// What `pushsim bench fanout` runs: the target, the subscriber population, how events are
// published and for how long, and the bounds that decide whether a rate was sustained.
// Plain values; load/fanout_args.hpp reads them from the command line, and
// check_fanout_options() rejects combinations that cannot run before any socket opens.
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "protocol/result.hpp"
#include "protocol/signing.hpp"

namespace pushsim::load {

enum class PublishVia {
  kRest,          // POST /apps/{id}/events, over keep-alive connections
  kClientEvents,  // client-bench events from one publisher connection per private channel
};

struct FanoutOptions {
  // Empty: an in-process `pushsim serve` on an ephemeral loopback port, on its own threads.
  std::string ws_url;
  // A clustered server: every node's WebSocket URL, node 0 first and equal to ws_url (empty: ws_url
  // is the one node). Subscriber i connects to node i % nodes(); events are published to node 0
  // only, so every delivery on another node crosses the cluster's bus.
  std::vector<std::string> node_urls;
  AppCredentials app{"app-id", "app-key", "app-secret"};
  std::size_t subscribers = 1000;
  std::size_t channels = 1;          // subscriber i listens on channel i % channels
  std::optional<double> rate_per_s;  // events per second over all channels; nullopt: search (--rate max)
  PublishVia via = PublishVia::kRest;
  std::size_t payload_bytes = 100;                    // the event's data string, timestamp included
  std::chrono::milliseconds duration{10'000};         // measured, per rate
  std::chrono::milliseconds warmup{2'000};            // published but not measured, before each rate
  std::chrono::milliseconds p99_bound{50};            // a rate is sustained when p99 stays under this
  std::chrono::milliseconds connect_timeout{60'000};  // for all subscribers to be subscribed
  std::chrono::milliseconds deadline{600'000};        // the whole benchmark, set-up to close
  std::size_t connect_parallel = 256;                 // connection handshakes in flight at once
  std::size_t rest_connections = 8;                   // keep-alive REST connections, one request each in flight
  int max_search_runs = 12;                           // --rate max: at most this many rates tried
  int serve_io_threads = 2;                           // in-process serve only
  // Subscribers acknowledge like most client stacks, every second segment or after a delay,
  // instead of each segment as they read it (load/detail/tcp_acks.hpp).
  bool delayed_acks = false;
  // --shard I/N: this process opens subscribers I, I+N, I+2N, ... of --subscribers (so every
  // channel keeps its share), and the N processes follow one schedule that starts at
  // start_at_unix_ms on the wall clock. Stamps and receipts are then on the wall clock too,
  // so that shards on several machines (with synchronised clocks) judge one another's events.
  std::size_t shard_index = 0;
  std::size_t shard_count = 1;
  // With shards: each publishes the events whose sequence number is I mod N; without, shard 0
  // publishes them all and the others only listen.
  bool shard_publish = false;
  // With shards: when the shared schedule starts; nullopt: the next multiple of 5 s of the
  // wall clock at least 3 s after the subscribers are connected.
  std::optional<std::int64_t> start_at_unix_ms;
  bool sharded() const { return shard_count > 1; }
  std::size_t nodes() const { return node_urls.empty() ? 1 : node_urls.size(); }
  std::size_t node_of(std::size_t subscriber) const { return subscriber % nodes(); }
  bool owns_subscriber(std::size_t i) const { return i % shard_count == shard_index; }
  bool publishes(std::uint64_t seq) const {
    if (!sharded()) return true;
    return shard_publish ? seq % shard_count == shard_index : shard_index == 0;
  }
};

inline constexpr std::size_t kFanoutSubscribersMax = 100'000;
inline constexpr std::size_t kFanoutPayloadMin = 64;         // room for the marker and the timestamp
inline constexpr std::size_t kFanoutPayloadMax = 10 * 1024;  // the official event data limit
inline constexpr double kFanoutRateMax = 1'000'000;

// An error naming the option at fault and its allowed range.
std::optional<Error> check_fanout_options(const FanoutOptions& options);

// The channel subscriber i listens on, and channel c's name for this way of publishing.
std::size_t fanout_channel_of(std::size_t subscriber, std::size_t channels);
std::string fanout_channel_name(PublishVia via, std::size_t channel);

// The event data: "pushsim-bench r=RUN t=SCHEDULED_NS s=SEQ " padded with 'x' to
// payload_bytes. t is the steady-clock time the event was due to be sent, so that latency
// includes any lag of the publisher behind its schedule (no coordinated omission).
std::string fanout_payload(int run, std::int64_t scheduled_ns, std::uint64_t seq, std::size_t payload_bytes);
struct FanoutStamp {
  int run = 0;
  std::int64_t scheduled_ns = 0;
  std::uint64_t seq = 0;
};
// Finds the stamp anywhere in a received frame's text; nullopt when there is none.
std::optional<FanoutStamp> find_fanout_stamp(std::string_view frame_text);

}  // namespace pushsim::load
