// What pushsim's fault relay (net/relay_link.hpp) adds to a live measurement when it plays no
// fault: the round trip of a pusher:ping / pusher:pong between a live client and an in-process
// `pushsim serve` on loopback, direct and through a relay link. Each iteration is one round
// trip; the counters p50_us and p99_us are its percentiles over the run.
//
//   build/bench/relay_bench --benchmark_repetitions=5 --benchmark_report_aggregates_only=true
//
// The client and the relay share one thread (the live target's IoLoop, as in `pushsim run`),
// so the relay's cost includes the extra handler turns on that thread, as it does in a run.
#include <benchmark/benchmark.h>

#include <algorithm>
#include <chrono>
#include <memory>
#include <vector>

#include "net/io_loop.hpp"
#include "net/live_connection.hpp"
#include "net/relay_link.hpp"
#include "net/serve_server.hpp"

namespace {

using namespace pushsim;

struct Percentiles {
  double p50_us = 0;
  double p99_us = 0;
};

Percentiles percentiles(std::vector<double> samples_us) {
  if (samples_us.empty()) return {};
  std::sort(samples_us.begin(), samples_us.end());
  const auto at = [&](double q) {
    return samples_us[std::min(samples_us.size() - 1,
                               static_cast<std::size_t>(q * static_cast<double>(samples_us.size())))];
  };
  return {at(0.50), at(0.99)};
}

void BM_PingRoundTrip(benchmark::State& state) {
  const bool through_relay = state.range(0) != 0;
  ServeOptions serve;
  serve.host = "127.0.0.1";
  serve.port = 0;
  serve.seed = 1;
  serve.io_threads = 1;
  serve.apps.push_back(default_app());
  ServeServer server;
  if (auto error = server.start(serve)) {
    state.SkipWithError(error->message.c_str());
    return;
  }
  IoLoop loop;
  std::unique_ptr<RelayLink> link;
  LiveConnectionOptions live;
  live.url = server.ws_url();
  live.app_key = default_app().key;
  if (through_relay) {
    RelayLinkOptions relay;
    relay.upstream_port = server.port();
    link = std::make_unique<RelayLink>(loop, relay);
    if (auto error = link->start()) {
      state.SkipWithError(error->message.c_str());
      return;
    }
    live.url = "ws://127.0.0.1:" + std::to_string(link->port());
  }
  LiveConnection connection(loop, live);
  if (auto error = connection.connect(deadline_after(std::chrono::seconds(5)))) {
    state.SkipWithError(error->message.c_str());
    return;
  }
  std::vector<double> samples_us;
  for (auto _ : state) {
    const std::size_t before = connection.frames().size();
    const auto sent = std::chrono::steady_clock::now();
    connection.send_ping();
    auto error = connection.wait_for([&] { return connection.frames().size() > before; },
                                     deadline_after(std::chrono::seconds(5)), "pusher:pong");
    if (error) {
      state.SkipWithError(error->message.c_str());
      break;
    }
    samples_us.push_back(std::chrono::duration<double, std::micro>(std::chrono::steady_clock::now() - sent).count());
  }
  const auto p = percentiles(samples_us);
  state.counters["p50_us"] = p.p50_us;
  state.counters["p99_us"] = p.p99_us;
  connection.drop();
  if (link) link->reset();
  loop.poll();
  server.stop();
}

BENCHMARK(BM_PingRoundTrip)->ArgName("relay")->Arg(0)->Arg(1)->Iterations(5000)->Unit(benchmark::kMicrosecond);

}  // namespace

BENCHMARK_MAIN();
