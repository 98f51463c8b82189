// Simulation speed (issue 3): simulated frame deliveries per second for one publisher
// fanning out to N simulated clients, and the wall time of one simulated hour of an idle
// world of 1,000 connected clients. Fixed seeds; the world is built outside the timed loop.
#include <benchmark/benchmark.h>

#include <memory>
#include <string>
#include <vector>

#include "fakes/raw_client.hpp"
#include "fakes/sim_client.hpp"
#include "fakes/world.hpp"

using namespace pushsim;
using namespace pushsim::fakes;

namespace {

// Built with += rather than "c" + std::to_string(i): g++ 12 at -O3 warns falsely
// (-Wrestrict, GCC bug 105651) on that operator+.
std::string client_name(int i) {
  std::string name = "c";
  name += std::to_string(i);
  return name;
}

std::unique_ptr<World> make_world(bool trace) {
  WorldBuilder builder;
  builder.scenario("bench").seed(1).latency(ms(1), ms(20)).trace(trace);
  return builder.build();
}

void connect_raw(World& world, int clients, const char* channel) {
  std::vector<RawClient*> all;
  for (int i = 0; i < clients; ++i) {
    all.push_back(&world.add_raw_client(client_name(i)));
    all.back()->connect();
  }
  if (!world.run_until_idle().ok()) std::abort();
  if (channel != nullptr) {
    for (RawClient* c : all) c->subscribe(channel);
    if (!world.run_until_idle().ok()) std::abort();
  }
}

void connect_sim(World& world, int clients, const char* channel, bool record_events) {
  std::vector<SimClient*> all;
  SimClientOptions options;
  options.record_events = record_events;
  for (int i = 0; i < clients; ++i) {
    all.push_back(&world.add_client<SimClient>(client_name(i), options));
    all.back()->connect();
    if (channel != nullptr) all.back()->subscribe(channel);
  }
  if (!world.run_until_idle().ok()) std::abort();
}

enum class Clients { kRaw, kSim, kSimNoEvents };

// One REST trigger per iteration, run until every frame has been delivered.
void fan_out(benchmark::State& state, Clients kind, bool trace) {
  const int clients = static_cast<int>(state.range(0));
  auto world = make_world(trace);
  if (kind == Clients::kRaw) {
    connect_raw(*world, clients, "news");
  } else {
    connect_sim(*world, clients, "news", kind == Clients::kSim);
  }
  const std::uint64_t delivered_before = world->network().delivered();
  for (auto _ : state) {
    world->trigger({"news"}, "headline", "{\"n\":1}");
    if (world->run_until_idle().stop != RunStop::kIdle) state.SkipWithError("did not settle");
  }
  const auto deliveries = static_cast<double>(world->network().delivered() - delivered_before);
  state.counters["deliveries_per_s"] = benchmark::Counter(deliveries, benchmark::Counter::kIsRate);
}

// Simulated pusher-js clients (the protocol client parses every frame), trace on: the
// configuration tests and scenarios run.
void BM_FanOutSim(benchmark::State& state) { fan_out(state, Clients::kSim, true); }
void BM_FanOutSimUntraced(benchmark::State& state) { fan_out(state, Clients::kSim, false); }
void BM_FanOutSimUntracedNoEvents(benchmark::State& state) { fan_out(state, Clients::kSimNoEvents, false); }
// Raw clients only record the frame: the cost of the simulator itself.
void BM_FanOutRaw(benchmark::State& state) { fan_out(state, Clients::kRaw, false); }
void BM_FanOutRawTraced(benchmark::State& state) { fan_out(state, Clients::kRaw, true); }

// One simulated hour of connected, idle clients: only pings and pongs (both sides ping
// after 120 s of silence), trace on.
void idle_hour(benchmark::State& state, Clients kind) {
  for (auto _ : state) {
    state.PauseTiming();
    auto world = make_world(true);
    if (kind == Clients::kRaw) {
      connect_raw(*world, static_cast<int>(state.range(0)), nullptr);
    } else {
      connect_sim(*world, static_cast<int>(state.range(0)), nullptr, true);
    }
    state.ResumeTiming();
    const std::uint64_t events_before = world->scheduler().events_run();
    if (!world->run_for(seconds(3600)).ok()) state.SkipWithError("event limit");
    state.PauseTiming();
    state.counters["simulated_events"] = static_cast<double>(world->scheduler().events_run() - events_before);
    world.reset();
    state.ResumeTiming();
  }
}

void BM_IdleHourSim(benchmark::State& state) { idle_hour(state, Clients::kSim); }
void BM_IdleHourRaw(benchmark::State& state) { idle_hour(state, Clients::kRaw); }

}  // namespace

BENCHMARK(BM_FanOutSim)->Arg(1000)->Arg(10000)->Unit(benchmark::kMillisecond);
BENCHMARK(BM_FanOutSimUntraced)->Arg(1000)->Arg(10000)->Unit(benchmark::kMillisecond);
BENCHMARK(BM_FanOutSimUntracedNoEvents)->Arg(1000)->Arg(10000)->Unit(benchmark::kMillisecond);
BENCHMARK(BM_FanOutRaw)->Arg(1000)->Arg(10000)->Unit(benchmark::kMillisecond);
BENCHMARK(BM_FanOutRawTraced)->Arg(1000)->Arg(10000)->Unit(benchmark::kMillisecond);
BENCHMARK(BM_IdleHourSim)->Arg(1000)->Unit(benchmark::kMillisecond);
BENCHMARK(BM_IdleHourRaw)->Arg(1000)->Unit(benchmark::kMillisecond);

BENCHMARK_MAIN();
