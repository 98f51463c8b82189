#include "load/fanout_options.hpp"

#include <charconv>

namespace pushsim::load {
namespace {

constexpr std::string_view kMarker = "pushsim-bench r=";

std::optional<Error> out_of_range(const std::string& option, const std::string& range) {
  return make_error(option + " must be " + range);
}

// Reads the digits after `key` (e.g. " t=") at or after `from`; moves `from` past them.
template <class T>
bool read_number(std::string_view text, std::string_view key, std::size_t& from, T& out) {
  const std::size_t at = text.find(key, from);
  if (at == std::string_view::npos) return false;
  const char* begin = text.data() + at + key.size();
  const char* end = text.data() + text.size();
  auto [next, ec] = std::from_chars(begin, end, out);
  if (ec != std::errc() || next == begin) return false;
  from = static_cast<std::size_t>(next - text.data());
  return true;
}

}  // namespace

std::optional<Error> check_fanout_options(const FanoutOptions& options) {
  using std::chrono::milliseconds;
  if (!options.ws_url.empty() && !options.ws_url.starts_with("ws://")) {
    return make_error("--target must be serve or ws://HOST:PORT (wss:// is not supported by bench fanout)");
  }
  if (!options.node_urls.empty()) {
    if (options.node_urls.front() != options.ws_url) {
      return make_error("the first node's URL must be the --target (" + options.ws_url + ")");
    }
    for (const auto& url : options.node_urls) {
      if (!url.starts_with("ws://")) {
        return make_error("--target " + url + ": several --target values must each be a node's ws:// URL");
      }
    }
    if (options.subscribers < options.node_urls.size()) {
      return make_error("--subscribers must be at least the number of nodes (" +
                        std::to_string(options.node_urls.size()) + ") to put one on each");
    }
  }
  if (options.app.app_id.empty() || options.app.key.empty() || options.app.secret.empty()) {
    return make_error("--app-id, --key and --secret (or PUSHER_APP_ID/_KEY/_SECRET) must not be empty");
  }
  if (options.subscribers < 1 || options.subscribers > kFanoutSubscribersMax) {
    return out_of_range("--subscribers", "1.." + std::to_string(kFanoutSubscribersMax));
  }
  if (options.channels < 1 || options.channels > options.subscribers) {
    return out_of_range("--channels", "1..--subscribers (" + std::to_string(options.subscribers) + ")");
  }
  if (options.rate_per_s && !(*options.rate_per_s > 0 && *options.rate_per_s <= kFanoutRateMax)) {
    return out_of_range("--rate", "a number of events per second in (0, 1000000], or max");
  }
  if (options.payload_bytes < kFanoutPayloadMin || options.payload_bytes > kFanoutPayloadMax) {
    return out_of_range("--payload-bytes",
                        std::to_string(kFanoutPayloadMin) + ".." + std::to_string(kFanoutPayloadMax));
  }
  if (options.duration < milliseconds(100) || options.duration > milliseconds(3'600'000)) {
    return out_of_range("--duration", "100ms..1h");
  }
  if (options.warmup < milliseconds(0) || options.warmup > milliseconds(600'000)) {
    return out_of_range("--warmup", "0..10m");
  }
  if (options.p99_bound <= milliseconds(0)) return out_of_range("--p99-bound", "above 0");
  if (options.shard_count < 1 || options.shard_index >= options.shard_count) {
    return make_error("--shard must be I/N with 0 <= I < N");
  }
  if (options.sharded()) {
    if (options.ws_url.empty()) {
      return make_error("--shard needs a server every shard reaches (ws://HOST:PORT), not --target serve");
    }
    if (!options.rate_per_s) return make_error("--shard needs a fixed --rate: shards cannot search for one together");
    if (options.subscribers < options.shard_count) {
      return make_error("--shard " + std::to_string(options.shard_index) + "/" + std::to_string(options.shard_count) +
                        " needs at least " + std::to_string(options.shard_count) + " --subscribers");
    }
  } else if (options.shard_publish || options.start_at_unix_ms) {
    return make_error("--shard-publish and --start-at go with --shard I/N (N > 1)");
  }
  if (options.deadline < options.warmup + options.duration) {
    return make_error("--deadline must leave room for --warmup plus --duration");
  }
  if (options.connect_parallel < 1 || options.rest_connections < 1 || options.max_search_runs < 1 ||
      options.serve_io_threads < 1) {
    return make_error("connection parallelism, REST connections, search runs and io threads must be at least 1");
  }
  return std::nullopt;
}

std::size_t fanout_channel_of(std::size_t subscriber, std::size_t channels) { return subscriber % channels; }

std::string fanout_channel_name(PublishVia via, std::size_t channel) {
  // Client events travel only on private (or presence) channels.
  return (via == PublishVia::kClientEvents ? "private-bench-" : "bench-") + std::to_string(channel);
}

std::string fanout_payload(int run, std::int64_t scheduled_ns, std::uint64_t seq, std::size_t payload_bytes) {
  std::string data(kMarker);
  data += std::to_string(run);
  data += " t=";
  data += std::to_string(scheduled_ns);
  data += " s=";
  data += std::to_string(seq);
  data += ' ';
  if (data.size() < payload_bytes) data.append(payload_bytes - data.size(), 'x');
  return data;
}

std::optional<FanoutStamp> find_fanout_stamp(std::string_view frame_text) {
  const std::size_t at = frame_text.find(kMarker);
  if (at == std::string_view::npos) return std::nullopt;
  FanoutStamp stamp;
  std::size_t from = at;
  if (!read_number(frame_text, kMarker, from, stamp.run)) return std::nullopt;
  if (!read_number(frame_text, " t=", from, stamp.scheduled_ns)) return std::nullopt;
  if (!read_number(frame_text, " s=", from, stamp.seq)) return std::nullopt;
  return stamp;
}

}  // namespace pushsim::load
