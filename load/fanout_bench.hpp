#pragma once
// `pushsim bench fanout`: a live fan-out load generator. It opens the subscribers, publishes
// stamped events at fixed rates, and measures what arrives (see fanout_options.hpp for the
// knobs and fanout_report.hpp for the figures).
//
// Theory of operation. The generator is one thread running one io_context: every subscriber,
// the REST publisher (or the client-event publishers) and the publishing timer live there, so
// its CPU time is one getrusage(RUSAGE_THREAD) and nothing needs a lock. An in-process serve
// runs on its own threads. For each rate: events are due at t0 + i/rate; each carries the
// time it was due, so a publisher that falls behind shows as latency rather than hiding it.
// Events due in the warm-up are sent but not counted; events due in the measured window owe
// one delivery per subscriber of their channel; after the window a drain waits for late ones,
// and whatever is still missing is lost. Every phase has a deadline under the overall one,
// and every connection is closed (or dropped, when it will not close) before returning.
#include <functional>
#include <string>

#include "load/fanout_options.hpp"
#include "load/fanout_report.hpp"
#include "protocol/result.hpp"

namespace pushsim::load {

struct FanoutProgress {
  std::string phase;    // "connecting", "rate 400/s", "closing"
  double fraction = 0;  // of the phase, 0..1
  std::string detail;   // e.g. "2400/5000 subscribed" or "312000 deliveries"
};
using FanoutProgressFn = std::function<void(const FanoutProgress&)>;

// An Error only when nothing could run (bad options, no server to talk to); a benchmark cut
// short still returns its report, with stopped_early saying why.
Result<FanoutReport> run_fanout_bench(const FanoutOptions& options, const FanoutProgressFn& progress = {});

}  // namespace pushsim::load
