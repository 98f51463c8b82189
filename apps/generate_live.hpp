#pragma once
// `pushsim generate --target serve|ws://...`: generated workloads (harness/workload.hpp, live
// form) run against a live server, seed after seed; the first that fails is shrunk by running
// candidates live again (harness/workload_live.hpp) and written out as a scenario file. Live
// runs are not deterministic, and the output says so with the final workload's reproduction
// count ("reproduced k of K").
#include <cstdint>
#include <string>
#include <vector>

#include "net/wire_log.hpp"

namespace pushsim::apps {

struct LiveGenerateArgs {
  std::string target;  // serve, ws://HOST:PORT
  std::uint64_t seed = 1;
  std::uint64_t seeds = 1;
  int clients = 4;
  int steps = 40;
  std::vector<std::string> defects;  // serve only
  std::string out = "generated";
  bool no_shrink = false;
  std::string wait_cap = "10s";
  std::string advance_budget = "60s";
  unsigned runs = 2;  // a shrink candidate still fails when it fails in 1 of these
  std::string shrink_budget = "180s";
  std::size_t shrink_max = 200;
  std::string webhook_listen;  // ws:// targets: HOST:PORT the server's webhooks go to
  WireLog* log = nullptr;      // --log: every live run's wire log, one sink each
};

// The exit code: 0 every seed passed, 1 one failed (its scenario is written), 2 bad input or a
// workload the target skipped.
int generate_live(const LiveGenerateArgs& args);

}  // namespace pushsim::apps
