#include "load/fanout_args.hpp"

#include <charconv>

#include "harness/duration.hpp"

namespace pushsim::load {
namespace {

std::string from_env(const EnvLookup& env, const char* name) {
  const char* value = env ? env(name) : nullptr;
  return value == nullptr ? std::string() : std::string(value);
}

Result<std::chrono::milliseconds> read_ms(const std::string& flag, const std::string& text) {
  auto parsed = harness::parse_duration(text);
  if (!parsed) return make_error(flag + ": " + parsed.error().message);
  if (*parsed % kNsPerMs != 0) return make_error(flag + ": '" + text + "' is finer than a millisecond");
  return std::chrono::milliseconds(*parsed / kNsPerMs);
}

Result<std::optional<double>> read_rate(const std::string& text) {
  if (text == "max") return std::optional<double>();
  std::string_view digits = text;
  if (digits.ends_with("/s")) digits.remove_suffix(2);
  double rate = 0;
  auto [end, ec] = std::from_chars(digits.data(), digits.data() + digits.size(), rate);
  if (ec != std::errc() || end != digits.data() + digits.size() || digits.empty()) {
    return make_error("--rate: '" + text + "' is neither a number of events per second (e.g. 500 or 500/s) nor max");
  }
  return std::optional<double>(rate);
}

// serve -> "" (in-process), ws://... as given, live -> ws://PUSHER_HOST[:PUSHER_PORT].
Result<std::string> read_target(const std::string& target, const EnvLookup& env) {
  if (target == "serve") return std::string();
  if (target.starts_with("ws://") || target.starts_with("wss://")) return target;
  if (target == "live") {
    const std::string host = from_env(env, "PUSHER_HOST");
    if (host.empty()) return make_error("--target live needs PUSHER_HOST (and PUSHER_PORT)");
    const std::string port = from_env(env, "PUSHER_PORT");
    return "ws://" + host + (port.empty() ? "" : ":" + port);
  }
  return make_error("--target: '" + target + "' is not one of serve, ws://HOST:PORT, live (PUSHER_HOST)");
}

// "I/N", both decimal.
std::optional<Error> read_shard(const std::string& text, FanoutOptions& options) {
  const auto slash = text.find('/');
  auto number = [](std::string_view digits, std::size_t& out) {
    auto [end, ec] = std::from_chars(digits.data(), digits.data() + digits.size(), out);
    return ec == std::errc() && end == digits.data() + digits.size() && !digits.empty();
  };
  const std::string_view view = text;
  if (slash == std::string::npos || !number(view.substr(0, slash), options.shard_index) ||
      !number(view.substr(slash + 1), options.shard_count)) {
    return make_error("--shard: '" + text + "' is not I/N (e.g. 0/4: the first of four shards)");
  }
  return std::nullopt;
}

// Seconds since the epoch, with an optional fraction.
Result<std::int64_t> read_start_at(const std::string& text) {
  double seconds = 0;
  auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), seconds);
  if (ec != std::errc() || end != text.data() + text.size() || text.empty() || seconds < 1e9 || seconds > 1e10) {
    return make_error("--start-at: '" + text + "' is not a unix time in seconds (e.g. $(( $(date +%s) + 10 )))");
  }
  return static_cast<std::int64_t>(seconds * 1000);
}

}  // namespace

Result<FanoutOptions> fanout_options_from_args(const FanoutArgs& args, const EnvLookup& env) {
  FanoutOptions options;
  auto target = read_target(args.target, env);
  if (!target) return target.error();
  options.ws_url = *target;
  if (!args.more_targets.empty()) {
    if (options.ws_url.empty() || args.target == "live") {
      return make_error("--target " + args.target +
                        " is one server: several --target values must each be a node's ws:// URL");
    }
    options.node_urls.push_back(options.ws_url);
    options.node_urls.insert(options.node_urls.end(), args.more_targets.begin(), args.more_targets.end());
  }
  // The in-process server serves whatever credentials are asked for; a live one needs its own.
  auto credential = [&](const std::string& given, const char* name, const std::string& fallback) {
    if (!given.empty()) return given;
    std::string value = from_env(env, name);
    return value.empty() && options.ws_url.empty() ? fallback : value;
  };
  options.app = AppCredentials{credential(args.app_id, "PUSHER_APP_ID", "app-id"),
                               credential(args.key, "PUSHER_APP_KEY", "app-key"),
                               credential(args.secret, "PUSHER_APP_SECRET", "app-secret")};
  options.subscribers = args.subscribers;
  options.channels = args.channels;
  auto rate = read_rate(args.rate);
  if (!rate) return rate.error();
  options.rate_per_s = *rate;
  if (args.via == "rest") {
    options.via = PublishVia::kRest;
  } else if (args.via == "client-events") {
    options.via = PublishVia::kClientEvents;
  } else {
    return make_error("--via: '" + args.via + "' is not rest or client-events");
  }
  options.payload_bytes = args.payload_bytes;
  const std::pair<const char*, std::pair<const std::string*, std::chrono::milliseconds*>> durations[] = {
      {"--duration", {&args.duration, &options.duration}},
      {"--warmup", {&args.warmup, &options.warmup}},
      {"--p99-bound", {&args.p99_bound, &options.p99_bound}},
      {"--connect-timeout", {&args.connect_timeout, &options.connect_timeout}},
      {"--deadline", {&args.deadline, &options.deadline}},
  };
  for (const auto& [flag, slot] : durations) {
    auto value = read_ms(flag, *slot.first);
    if (!value) return value.error();
    *slot.second = *value;
  }
  options.rest_connections = args.rest_connections;
  options.serve_io_threads = args.serve_io_threads;
  options.delayed_acks = args.delayed_acks;
  if (!args.shard.empty()) {
    if (auto error = read_shard(args.shard, options)) return *error;
  }
  options.shard_publish = args.shard_publish;
  if (!args.start_at.empty()) {
    auto start_at = read_start_at(args.start_at);
    if (!start_at) return start_at.error();
    options.start_at_unix_ms = *start_at;
  }
  if (auto error = check_fanout_options(options)) return *error;
  return options;
}

}  // namespace pushsim::load
