#pragma once
// `pushsim explore SCENARIO --target serve|ws://...`: the scenario run again and again against a
// live server, every client through the fault relay, each run under a fault schedule drawn from
// its seed (every client's latency from the start, [0, J] with J drawn up to --max-latency; the
// scenario's own latency steps draw from the same seed). It stops at the first failing run and
// prints the seed, the schedule and the command that replays it; `--replay-seed N --runs K`
// re-runs that schedule K times and says how often it failed again. Live is not deterministic:
// a schedule fixes the delays, not the server's own timing. `--serve-cluster redis://...` makes
// every run's server --serve-nodes fresh `serve --cluster` nodes over that Redis, so a cluster
// scenario's races are explored live too.
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "harness/scenario.hpp"
#include "net/wire_log.hpp"

namespace pushsim::apps {

struct LiveExploreArgs {
  std::string scenario_argument;  // as given, for the replay command
  std::string target;             // serve, ws://HOST:PORT, wss://...
  std::uint64_t seeds = 20;
  std::vector<std::string> defects;  // serve only
  std::string serve_cluster;         // serve: its nodes share this Redis (redis://HOST:PORT[/DB])
  int serve_nodes = 2;               // serve with serve_cluster: how many nodes each run starts
  std::optional<std::uint64_t> replay_seed;
  unsigned runs = 10;
  std::string max_latency = "30ms";
  std::string advance_budget = "61s";
  WireLog* log = nullptr;  // --log: every run's wire log (each a sink of its own, "ID seed N")
};

// The exit code: 0 when no run failed, 1 when one did (or a replay reproduced), 2 on bad input.
int explore_live(const harness::Scenario& scenario, const LiveExploreArgs& args);

}  // namespace pushsim::apps
