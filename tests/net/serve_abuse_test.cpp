// `pushsim serve` under abuse, over loopback: while 2,000 connections connect and drop in a
// loop and other clients send malformed frames, oversized payloads, subscribe floods and REST
// requests with bad signatures, stale timestamps and wrong body_md5, a well-behaved canary
// keeps receiving what it is sent, within a latency bound. Afterwards the engine holds no
// connection and no channel, and the process's memory is back to its baseline: the heap in
// use within 1 MB, resident memory within 8 MB (the baseline is taken after a 5 s warm-up).
//
// Hidden from the default run ([.abuse]); CTest runs it as net/serve_abuse. The abuse lasts
// PUSHSIM_ABUSE_SECONDS (default 60, the minute); the figures are printed.
#include <catch2/catch.hpp>

#include <malloc.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <mutex>
#include <thread>

#include "net/rest_client.hpp"
#include "net/serve_server.hpp"
#include "support/serve_abusers.hpp"

namespace pushsim::test {
namespace {

using namespace std::chrono_literals;

constexpr std::size_t kChurnSlots = 2000;
constexpr auto kCanaryPeriod = 100ms;
constexpr auto kCanaryWait = 3s;  // beyond this a tick counts as lost, not late
constexpr double kLatencyMaxMs = 2'000;
constexpr int kWarmUpSeconds = 5;
// A leak of 10 bytes per churned connection (about 150,000 a minute here) would exceed the
// first; the second allows for the allocator keeping freed memory in its arenas.
constexpr double kHeapToleranceMb = 1;
constexpr double kRssToleranceMb = 8;
// Under AddressSanitizer everything runs several times slower and freed memory waits in its
// quarantine (mallinfo2 sees none of its heap): the bounds on time and memory mean nothing
// there, and are checked only in normal builds.
#if defined(__SANITIZE_ADDRESS__)
constexpr bool kSanitized = true;
#else
constexpr bool kSanitized = false;
#endif

int abuse_seconds() {
  const char* text = std::getenv("PUSHSIM_ABUSE_SECONDS");
  const int seconds = text != nullptr ? std::atoi(text) : 60;
  return seconds > 0 ? seconds : 60;
}

double rss_mb() {
  std::ifstream statm("/proc/self/statm");
  std::size_t pages_total = 0, pages_resident = 0;
  statm >> pages_total >> pages_resident;
  return static_cast<double>(pages_resident) * static_cast<double>(sysconf(_SC_PAGESIZE)) / (1024.0 * 1024.0);
}

AppCredentials abuse_app() { return {"app-id", "app-key", "app-secret"}; }

// A well-behaved client: subscribed to "canary", it triggers one event every 100 ms through
// the REST API and times its arrival over the WebSocket.
class Canary {
 public:
  Canary(std::string ws_url, std::string http_url) : ws_url_(std::move(ws_url)), http_url_(std::move(http_url)) {
    thread_ = std::thread([this] { run(); });
  }
  ~Canary() { stop(); }

  bool wait_ready(std::chrono::seconds timeout) const {
    const auto give_up = std::chrono::steady_clock::now() + timeout;
    while (!ready_ && std::chrono::steady_clock::now() < give_up) std::this_thread::sleep_for(10ms);
    return ready_;
  }
  void stop() {
    stop_ = true;
    if (thread_.joinable()) thread_.join();
  }

  std::uint64_t sent() const { return sent_; }
  std::uint64_t delivered() const { return delivered_; }
  std::uint64_t reconnects() const { return reconnects_; }
  // Latencies in ms of the delivered ticks, sorted; read once stopped.
  std::vector<double> latencies() const {
    std::lock_guard lock(mutex_);
    auto out = latencies_ms_;
    std::sort(out.begin(), out.end());
    return out;
  }

 private:
  std::unique_ptr<LiveConnection> subscribed(IoLoop& loop) {
    auto connection = std::make_unique<LiveConnection>(loop, abuser_options(ws_url_, abuse_app().key));
    if (connection->connect(deadline_after(3s))) return nullptr;
    connection->subscribe("canary");
    auto ok =
        connection->wait_for_frame([](const Frame& f) { return f.event == "pusher_internal:subscription_succeeded"; },
                                   deadline_after(3s), "subscription_succeeded");
    return ok ? std::move(connection) : nullptr;
  }

  void run() {
    IoLoop loop;
    RestClient rest(loop, RestClientOptions{http_url_, abuse_app()});
    std::unique_ptr<LiveConnection> connection;
    for (std::uint64_t n = 0; !stop_; ++n) {
      const auto tick_start = std::chrono::steady_clock::now();
      if (!connection || connection->stage() != LiveStage::kOpen) {
        if (connection) ++reconnects_;
        connection = subscribed(loop);
        if (!connection) continue;
        ready_ = true;
      }
      tick(rest, *connection, n);
      loop.run_until([this] { return stop_.load(); }, tick_start + kCanaryPeriod);
    }
  }

  void tick(RestClient& rest, LiveConnection& connection, std::uint64_t n) {
    const std::size_t from = connection.frames().size();
    const std::string data = std::to_string(n);
    const auto started = std::chrono::steady_clock::now();
    ++sent_;
    auto answer = rest.trigger({{"canary"}, "tick", data, std::nullopt, std::nullopt}, deadline_after(kCanaryWait));
    if (!answer || answer->status != 200) return;
    auto frame = connection.wait_for_frame([&](const Frame& f) { return f.event == "tick" && f.data == Json(data); },
                                           started + kCanaryWait, "tick " + data, from);
    if (!frame) return;
    ++delivered_;
    const std::chrono::duration<double, std::milli> latency = std::chrono::steady_clock::now() - started;
    std::lock_guard lock(mutex_);
    latencies_ms_.push_back(latency.count());
  }

  std::string ws_url_;
  std::string http_url_;
  std::atomic<bool> stop_{false};
  std::atomic<bool> ready_{false};
  std::atomic<std::uint64_t> sent_{0};
  std::atomic<std::uint64_t> delivered_{0};
  std::atomic<std::uint64_t> reconnects_{0};
  mutable std::mutex mutex_;
  std::vector<double> latencies_ms_;
  std::thread thread_;
};

double percentile(const std::vector<double>& sorted, double p) {
  if (sorted.empty()) return 0;
  const auto at = static_cast<std::size_t>(p * static_cast<double>(sorted.size() - 1));
  return sorted[at];
}

// The channels the engine holds, through its own REST API: {"channels":{...}}.
Json occupied_channels(const ServeServer& server) {
  IoLoop loop;
  RestClient rest(loop, RestClientOptions{server.http_url(), abuse_app()});
  auto answer = rest.get("/channels", {}, deadline_after(3s));
  REQUIRE(answer.ok());
  REQUIRE(answer->status == 200);
  return Json::parse(answer->body).at("channels");
}

bool wait_connections(const ServeServer& server, std::size_t count, std::chrono::seconds timeout) {
  const auto give_up = std::chrono::steady_clock::now() + timeout;
  while (server.connection_count() != count && std::chrono::steady_clock::now() < give_up) {
    std::this_thread::sleep_for(10ms);
  }
  return server.connection_count() == count;
}

// Memory of the whole process (server and clients; the clients are gone when it is read
// afterwards): resident pages after malloc_trim(0), and the heap bytes in use, which tells a
// leak (live objects left behind) from memory the allocator keeps for reuse.
struct Memory {
  double rss_mb = 0;
  double heap_in_use_mb = 0;
};

Memory memory_now() {
  malloc_trim(0);
  const struct mallinfo2 info = mallinfo2();
  return {rss_mb(), static_cast<double>(info.uordblks + info.hblkhd) / (1024.0 * 1024.0)};
}

// What one phase of abuse did.
struct Abuse {
  std::uint64_t churned = 0, churn_failed = 0, malformed = 0, oversized = 0, subscribes = 0, rest_sent = 0;
  std::uint64_t rest_wrong = 0, rest_unanswered = 0;
  double rss_max_mb = 0;
};

// Every abuser at once for `seconds`, then all stopped and joined.
Abuse abuse_for(const ServeServer& server, int seconds) {
  const std::string ws = server.ws_url();
  const std::string key = abuse_app().key;
  std::atomic<std::uint64_t> rest_wrong{0}, rest_unanswered{0};
  Abuse out;
  Churner churner(server.port(), kChurnSlots, "/app/" + key + "?protocol=7&client=churn&version=1");
  AbuserThread malformed_frames([&](IoLoop& loop) { return malformed_round(loop, ws, key); });
  AbuserThread oversized_payloads([&](IoLoop& loop) { return oversized_round(loop, ws, key); });
  std::uint64_t flood_round = 0;
  AbuserThread subscribe_floods([&](IoLoop& loop) { return subscribe_flood_round(loop, ws, key, flood_round++); });
  AbuserThread bad_rest(RestAbuse{server.http_url(), abuse_app(), &rest_wrong, &rest_unanswered});
  for (int second = 0; second < seconds; ++second) {
    std::this_thread::sleep_for(1s);
    out.rss_max_mb = std::max(out.rss_max_mb, rss_mb());
  }
  churner.stop();
  malformed_frames.stop();
  oversized_payloads.stop();
  subscribe_floods.stop();
  bad_rest.stop();
  out.churned = churner.churned(), out.churn_failed = churner.failed();
  out.malformed = malformed_frames.sent(), out.oversized = oversized_payloads.sent();
  out.subscribes = subscribe_floods.sent(), out.rest_sent = bad_rest.sent(), out.rest_wrong = rest_wrong;
  out.rest_unanswered = rest_unanswered;
  return out;
}

unsigned long long shown(std::uint64_t value) { return static_cast<unsigned long long>(value); }

}  // namespace

TEST_CASE("serve abuse: serve keeps serving a canary under abuse, and gives its memory back", "[.abuse][net][serve]") {
  const int seconds = abuse_seconds();
  ServeServer server;
  ServeOptions options;
  options.port = 0;
  options.seed = 7;
  options.io_threads = 2;
  AppConfig app;
  app.id = abuse_app().app_id;
  app.key = abuse_app().key;
  app.secret = abuse_app().secret;
  options.apps.push_back(app);
  REQUIRE_FALSE(server.start(options).has_value());
  Canary canary(server.ws_url(), server.http_url());
  REQUIRE(canary.wait_ready(10s));
  const Memory cold = memory_now();

  // A short round first: what it leaves (allocator arenas of the threads, cached thread
  // stacks, containers grown to their working size) is the baseline the minute must return to,
  // so that memory that grows with the work done shows against it.
  const Abuse warm_up = abuse_for(server, kWarmUpSeconds);
  REQUIRE(wait_connections(server, 1, 10s));
  const Memory warm = memory_now();

  const Abuse abuse = abuse_for(server, seconds);
  const bool only_canary_left = wait_connections(server, 1, 10s);
  canary.stop();
  const bool none_left = wait_connections(server, 0, 10s);
  const Json channels = occupied_channels(server);
  const Memory after = memory_now();
  const auto latencies = canary.latencies();

  std::printf(
      "serve abuse, %d s (after a %d s warm-up): %llu connections churned (%llu cycles cut short), %llu malformed "
      "frames, %llu oversized payloads, %llu subscribes in floods, %llu bad REST requests (%llu answered other than "
      "401, %llu not answered in 3 s)\n"
      "canary: %llu of %llu ticks delivered, %llu reconnects, latency p50 %.1f ms p99 %.1f ms max %.1f ms\n"
      "RSS after malloc_trim: %.1f MB before any abuse, %.1f MB after the warm-up (baseline), %.1f MB at most during "
      "the minute, %.1f MB after it\n"
      "heap in use: %.2f MB before any abuse, %.2f MB baseline, %.2f MB after\n",
      seconds, kWarmUpSeconds, shown(abuse.churned), shown(abuse.churn_failed), shown(abuse.malformed),
      shown(abuse.oversized), shown(abuse.subscribes), shown(abuse.rest_sent), shown(abuse.rest_wrong),
      shown(abuse.rest_unanswered), shown(canary.delivered()), shown(canary.sent()), shown(canary.reconnects()),
      percentile(latencies, 0.5), percentile(latencies, 0.99), latencies.empty() ? 0.0 : latencies.back(), cold.rss_mb,
      warm.rss_mb, abuse.rss_max_mb, after.rss_mb, cold.heap_in_use_mb, warm.heap_in_use_mb, after.heap_in_use_mb);
  std::fflush(stdout);

  CHECK(server.running());
  CHECK(warm_up.churned > 0);
  CHECK(abuse.churned >= kChurnSlots);
  CHECK(abuse.malformed > 0);
  CHECK(abuse.oversized > 0);
  CHECK(abuse.subscribes > 0);
  CHECK(abuse.rest_sent > 0);
  CHECK(abuse.rest_wrong + warm_up.rest_wrong == 0);
  // The canary was never cut off; the engine's state is empty again.
  CHECK(canary.reconnects() == 0);
  REQUIRE_FALSE(latencies.empty());
  CHECK(only_canary_left);
  CHECK(none_left);
  CHECK(channels.empty());
  if (kSanitized) return;  // LeakSanitizer checks for leaks at exit instead
  // Nothing lost or late, and the memory the abuse took is given back.
  CHECK(abuse.rest_unanswered + warm_up.rest_unanswered == 0);
  CHECK(canary.delivered() == canary.sent());
  CHECK(canary.sent() >= static_cast<std::uint64_t>(seconds) * 5);
  CHECK(latencies.back() < kLatencyMaxMs);
  CHECK(after.heap_in_use_mb < warm.heap_in_use_mb + kHeapToleranceMb);
  CHECK(after.rss_mb < warm.rss_mb + kRssToleranceMb);
}

}  // namespace pushsim::test
