#pragma once
// `pushsim bench fanout`'s command line, as typed, turned into FanoutOptions: durations as
// scenario files write them (500ms, 2s, 1m), --rate as a number or "max", the target as
// serve, ws://HOST:PORT or live (PUSHER_HOST/PUSHER_PORT), credentials from the flags or the
// PUSHER_* environment. Every mistake is an error naming the flag.
#include <cstddef>
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "load/fanout_options.hpp"
#include "protocol/result.hpp"

namespace pushsim::load {

struct FanoutArgs {
  std::string target = "serve";
  std::vector<std::string> more_targets;  // --target repeated: nodes 1.. of one clustered server
  std::string app_id, key, secret;
  std::size_t subscribers = 1000;
  std::size_t channels = 1;
  std::string rate = "100";
  std::string via = "rest";
  std::size_t payload_bytes = 100;
  std::string duration = "10s";
  std::string warmup = "2s";
  std::string p99_bound = "50ms";
  std::string connect_timeout = "60s";
  std::string deadline = "10m";
  std::size_t rest_connections = 8;
  int serve_io_threads = 2;
  bool delayed_acks = false;
  std::string shard;  // I/N; empty: one process
  bool shard_publish = false;
  std::string start_at;  // unix time in seconds, with an optional fraction
};

// Reads an environment variable; nullptr when unset (std::getenv in the command).
using EnvLookup = std::function<const char*(const char*)>;

Result<FanoutOptions> fanout_options_from_args(const FanoutArgs& args, const EnvLookup& env);

}  // namespace pushsim::load
