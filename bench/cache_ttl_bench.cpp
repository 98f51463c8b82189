// Memory of the reference engine's cache channels over time (docs/protocol.md §2.2): a
// cache-heavy run where the 30-minute TTL passes several times over. Every virtual minute the
// app publishes to `per_minute` cache channels never used before, and one connection subscribes
// to `per_minute / 10` fresh cache channels nobody published to (each a cache miss, whose
// de-duplication is an entry too) and leaves them. Without pruning the entries would grow with
// every channel ever used; with it they stay those of about one TTL and one prune interval.
//
//   BM_CacheChannelsOverTime/per_minute/minutes/pruned
//
// pruned:0 runs the cache-never-expires variant (protocol/server/defects.hpp), which never
// prunes: the growth the reference avoids.
//
// Counters (the engine's cache_footprint(): entries, and the bytes of their names, events, data
// and nodes): entries_at_30m / bytes_at_30m just before the first events expire,
// entries_peak, and entries_end / bytes_end after `minutes`. Flat means entries_end is about
// entries_at_30m, not minutes / 30 times it. Fixed inputs, no randomness beyond the engine's
// seeded socket ids.
#include <benchmark/benchmark.h>

#include <algorithm>
#include <cstddef>
#include <string>
#include <vector>

#include "protocol/json.hpp"
#include "protocol/random.hpp"
#include "protocol/server/engine.hpp"

using namespace pushsim;

namespace {

constexpr const char* kTarget = "/app/bench-key?protocol=7&client=js&version=8.4.0";

AppConfig bench_app() {
  AppConfig app;
  app.id = "bench";
  app.key = "bench-key";
  app.secret = "bench-secret";
  return app;
}

std::string subscribe_text(const std::string& channel, bool subscribe) {
  return Json{{"event", subscribe ? "pusher:subscribe" : "pusher:unsubscribe"}, {"data", {{"channel", channel}}}}
      .dump();
}

void BM_CacheChannelsOverTime(benchmark::State& state) {
  const auto per_minute = static_cast<std::size_t>(state.range(0));
  const auto minutes = static_cast<int>(state.range(1));
  EngineOptions options;
  if (state.range(2) == 0) options.defects.add(Defect::kCacheNeverExpires);
  CacheFootprint at_30m;
  CacheFootprint end;
  std::size_t peak = 0;
  std::vector<EngineOutput> outputs;
  for (auto _ : state) {
    Rng rng{1};
    Engine engine(options, {bench_app()}, rng);
    const AppConfig& app = *engine.app_by_id("bench");
    TimeNs now = kSimulationEpoch;
    const ConnectionId reader = 1;
    engine.on_open(now, reader, kTarget);
    const std::string data = R"({"score":"1-0","minute":0})";
    for (int minute = 0; minute < minutes; ++minute) {
      for (std::size_t i = 0; i < per_minute; ++i) {
        const std::string channel = "cache-m" + std::to_string(minute) + "-" + std::to_string(i);
        engine.publish(now, app, channel, "score", data, std::nullopt);
      }
      for (std::size_t i = 0; i < per_minute / 10; ++i) {
        const std::string channel = "cache-miss-m" + std::to_string(minute) + "-" + std::to_string(i);
        engine.on_text(now, reader, subscribe_text(channel, true));
        engine.on_text(now, reader, subscribe_text(channel, false));
      }
      engine.take_outputs(outputs);
      peak = std::max(peak, engine.cache_footprint().entries);
      if (minute == 29) at_30m = engine.cache_footprint();
      now += seconds(60);
      engine.on_tick(now);  // the reader's liveness: it answers no pings, which is fine here
    }
    end = engine.cache_footprint();
    benchmark::DoNotOptimize(end);
  }
  state.counters["entries_at_30m"] = static_cast<double>(at_30m.entries);
  state.counters["bytes_at_30m"] = static_cast<double>(at_30m.bytes);
  state.counters["entries_peak"] = static_cast<double>(peak);
  state.counters["entries_end"] = static_cast<double>(end.entries);
  state.counters["bytes_end"] = static_cast<double>(end.bytes);
  state.counters["channels_used"] =
      static_cast<double>(static_cast<std::size_t>(minutes) * (per_minute + per_minute / 10));
}

}  // namespace

BENCHMARK(BM_CacheChannelsOverTime)
    ->ArgNames({"per_minute", "minutes", "pruned"})
    ->Args({1000, 30, 1})
    ->Args({1000, 120, 1})
    ->Args({1000, 240, 1})
    ->Args({1000, 240, 0})
    ->Unit(benchmark::kMillisecond)
    ->Iterations(1);

BENCHMARK_MAIN();
