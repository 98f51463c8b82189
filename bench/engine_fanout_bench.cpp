// Fan-out speed of the reference engine in-process (issue 7): no sockets, no simulator, only
// Engine calls. A delivery is one frame for one subscriber (a SendFrame, or one recipient of a
// BroadcastFrame), and it counts only once the driver's side has taken it (take_outputs()) and
// visited it (for_each_frame()), since a driver has to do that too.
//
//   BM_FanOut/N/payload/excluded  one publish to N subscribers of one channel
//   BM_ManyChannels/C/k           one publish to each of C channels of k subscribers
//   BM_PresenceJoinStorm/N        N members join one presence channel (N^2/2 member_added)
//
// Counters: deliveries_per_s and bytes_per_s (frame bytes handed to subscribers; a shared
// buffer counts once per recipient, as it would on the wire). Fixed inputs, no randomness
// beyond the engine's seeded socket ids.
#include <benchmark/benchmark.h>

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <variant>
#include <vector>

#include "protocol/json.hpp"
#include "protocol/random.hpp"
#include "protocol/server/engine.hpp"
#include "protocol/signing.hpp"

using namespace pushsim;

namespace {

constexpr const char* kTarget = "/app/bench-key?protocol=7&client=js&version=8.4.0";

AppConfig bench_app() {
  AppConfig app;
  app.id = "bench";
  app.key = "bench-key";
  app.secret = "bench-secret";
  return app;  // no webhooks: the dispatcher stays out of the measured path
}

EngineOptions bench_options(std::size_t presence_members) {
  EngineOptions options;
  options.limits.presence_members_max = presence_members;
  return options;
}

// One engine with its connections; the outputs of setting them up are thrown away.
class Bench {
 public:
  explicit Bench(std::size_t presence_members = 100) : engine_(bench_options(presence_members), {bench_app()}, rng_) {}

  Engine& engine() { return engine_; }
  const AppConfig& app() const { return *engine_.app_by_id("bench"); }

  ConnectionId connect() {
    ConnectionId id = next_id_++;
    engine_.on_open(now_, id, kTarget);
    return id;
  }
  void subscribe(ConnectionId id, const std::string& channel) {
    engine_.on_text(now_, id, Json{{"event", "pusher:subscribe"}, {"data", {{"channel", channel}}}}.dump());
  }
  void join_presence(ConnectionId id, const std::string& channel) {
    std::string channel_data = Json{{"user_id", "u" + std::to_string(id)}}.dump();
    std::string auth = sign_channel(app().credentials(), *engine_.socket_id(id), channel, channel_data);
    Json data = {{"channel", channel}, {"auth", auth}, {"channel_data", channel_data}};
    engine_.on_text(now_, id, Json{{"event", "pusher:subscribe"}, {"data", data}}.dump());
  }
  std::string socket_id(ConnectionId id) const { return *engine_.socket_id(id); }
  TimeNs now() const { return now_; }

 private:
  Rng rng_{1};
  Engine engine_;
  TimeNs now_ = kSimulationEpoch;
  ConnectionId next_id_ = 1;
};

struct Taken {
  std::size_t frames = 0;
  std::size_t bytes = 0;
};

// Takes the outputs as a fast driver would (into a vector kept from call to call) and visits
// every recipient; the frames and their bytes are what was delivered.
Taken take_frames(Engine& engine) {
  static std::vector<EngineOutput> outputs;
  engine.take_outputs(outputs);
  Taken taken;
  ConnectionId id_sum = 0;  // the driver reads each recipient's id
  for (const auto& output : outputs) {
    for_each_frame(output, [&](ConnectionId connection, const std::shared_ptr<const std::string>& text) {
      ++taken.frames;
      taken.bytes += text->size();
      id_sum += connection;
    });
  }
  benchmark::DoNotOptimize(id_sum);
  return taken;
}

// Event data of the given size: a small JSON object padded with a string, as an app sends.
std::string payload(std::size_t bytes) {
  std::string data = R"({"message":")";
  const std::size_t tail = 2;  // "}
  if (bytes > data.size() + tail) data.append(bytes - data.size() - tail, 'x');
  data += "\"}";
  return data;
}

void set_counters(benchmark::State& state, std::size_t frames, std::size_t bytes) {
  state.counters["deliveries_per_s"] = benchmark::Counter(static_cast<double>(frames), benchmark::Counter::kIsRate);
  state.counters["bytes_per_s"] =
      benchmark::Counter(static_cast<double>(bytes), benchmark::Counter::kIsRate, benchmark::Counter::kIs1024);
}

// One publish to N subscribers of one channel; with an excluded socket (the REST socket_id
// parameter) one subscriber is skipped.
void BM_FanOut(benchmark::State& state) {
  const auto subscribers = static_cast<std::size_t>(state.range(0));
  const std::string data = payload(static_cast<std::size_t>(state.range(1)));
  const bool exclude = state.range(2) != 0;
  Bench bench;
  std::vector<ConnectionId> ids;
  for (std::size_t i = 0; i < subscribers; ++i) {
    ids.push_back(bench.connect());
    bench.subscribe(ids.back(), "news");
  }
  bench.engine().take_outputs();
  std::optional<std::string> excluded;
  if (exclude) excluded = bench.socket_id(ids[ids.size() / 2]);
  std::size_t frames = 0;
  std::size_t bytes = 0;
  for (auto _ : state) {
    bench.engine().publish(bench.now(), bench.app(), "news", "update", data, excluded);
    Taken taken = take_frames(bench.engine());
    frames += taken.frames;
    bytes += taken.bytes;
  }
  if (frames != state.iterations() * (subscribers - (exclude ? 1 : 0))) state.SkipWithError("lost deliveries");
  set_counters(state, frames, bytes);
}

// Many small channels: each iteration publishes once to every one of C channels of k
// subscribers (each connection in one channel).
void BM_ManyChannels(benchmark::State& state) {
  const auto channels = static_cast<std::size_t>(state.range(0));
  const auto per_channel = static_cast<std::size_t>(state.range(1));
  const std::string data = payload(100);
  Bench bench;
  std::vector<std::string> names;
  for (std::size_t c = 0; c < channels; ++c) {
    names.push_back("room-" + std::to_string(c));
    for (std::size_t k = 0; k < per_channel; ++k) bench.subscribe(bench.connect(), names.back());
  }
  bench.engine().take_outputs();
  std::size_t frames = 0;
  std::size_t bytes = 0;
  for (auto _ : state) {
    for (const auto& name : names) bench.engine().publish(bench.now(), bench.app(), name, "update", data, std::nullopt);
    Taken taken = take_frames(bench.engine());
    frames += taken.frames;
    bytes += taken.bytes;
  }
  set_counters(state, frames, bytes);
}

// N members join one presence channel, one after another, on a fresh engine each time: each
// join answers the joiner with the member list and tells every earlier member. The
// connections are opened outside the timed part; signing the auth is inside (an app server
// would do it, but the engine verifies it, which costs about as much).
void BM_PresenceJoinStorm(benchmark::State& state) {
  const auto members = static_cast<std::size_t>(state.range(0));
  std::size_t frames = 0;
  std::size_t bytes = 0;
  std::size_t joins = 0;
  std::optional<Bench> bench;
  for (auto _ : state) {
    state.PauseTiming();
    bench.reset();  // the previous storm's engine: its destruction is not part of a storm
    bench.emplace(members);
    std::vector<ConnectionId> ids;
    for (std::size_t i = 0; i < members; ++i) ids.push_back(bench->connect());
    bench->engine().take_outputs();
    state.ResumeTiming();
    for (ConnectionId id : ids) bench->join_presence(id, "presence-storm");
    Taken taken = take_frames(bench->engine());
    frames += taken.frames;
    bytes += taken.bytes;
    joins += members;
  }
  set_counters(state, frames, bytes);
  state.counters["joins_per_s"] = benchmark::Counter(static_cast<double>(joins), benchmark::Counter::kIsRate);
}

}  // namespace

BENCHMARK(BM_FanOut)
    ->ArgNames({"subscribers", "payload", "excluded"})
    ->ArgsProduct({{10, 1000, 100000}, {100, 1024, 10240}, {0, 1}})
    ->Unit(benchmark::kMicrosecond);
BENCHMARK(BM_ManyChannels)
    ->ArgNames({"channels", "per_channel"})
    ->Args({10000, 2})
    ->Args({10000, 5})
    ->Args({1000, 20})
    ->Unit(benchmark::kMicrosecond);
BENCHMARK(BM_PresenceJoinStorm)->ArgNames({"members"})->Arg(100)->Arg(1000)->Unit(benchmark::kMillisecond);

BENCHMARK_MAIN();
