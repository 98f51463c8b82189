// `pushsim serve` under abuse, over loopback: while 2,000 connections connect and drop in a
// loop and other clients send malformed frames, oversized payloads, subscribe floods and REST
// requests with bad signatures, stale timestamps and wrong body_md5, a well-behaved canary
// keeps receiving what it is sent, within a latency bound. Afterwards the engine holds no
// connection and no channel, and the process's memory is back near its baseline.
//
// Hidden from the default run ([.abuse]); CTest runs it as net/serve_abuse. The abuse lasts
// PUSHSIM_ABUSE_SECONDS (default 60, the minute); the figures are printed.
#include <catch2/catch.hpp>

#include <malloc.h>
#include <unistd.h>

#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <mutex>

#include "net/serve_server.hpp"
#include "serve_abusers.hpp"

namespace pushsim::test {
namespace {

using namespace std::chrono_literals;

constexpr std::size_t kChurnSlots = 2000;
constexpr auto kCanaryPeriod = 100ms;
constexpr auto kCanaryWait = 3s;  // beyond this a tick counts as lost, not late

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

double trimmed_rss_mb() {
  malloc_trim(0);
  return rss_mb();
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
    auto ok = connection->wait_for_frame(
        [](const Frame& f) { return f.event == "pusher_internal:subscription_succeeded"; }, deadline_after(3s),
        "subscription_succeeded");
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
  const double rss_started = trimmed_rss_mb();

  Canary canary(server.ws_url(), server.http_url());
  REQUIRE(canary.wait_ready(10s));
  const double rss_before = trimmed_rss_mb();

  std::atomic<std::uint64_t> rest_wrong{0};
  const std::string ws = server.ws_url();
  const std::string key = app.key;
  double rss_during_max = rss_before;
  std::uint64_t churned = 0, churn_failed = 0, malformed = 0, oversized = 0, subscribes = 0, rest_sent = 0;
  {
    Churner churner(server.port(), kChurnSlots, "/app/" + key + "?protocol=7&client=churn&version=1");
    AbuserThread malformed_frames([&](IoLoop& loop) { return malformed_round(loop, ws, key); });
    AbuserThread oversized_payloads([&](IoLoop& loop) { return oversized_round(loop, ws, key); });
    std::uint64_t flood_round = 0;
    AbuserThread subscribe_floods([&](IoLoop& loop) { return subscribe_flood_round(loop, ws, key, flood_round++); });
    AbuserThread bad_rest(RestAbuse{server.http_url(), abuse_app(), &rest_wrong});
    for (int second = 0; second < seconds; ++second) {
      std::this_thread::sleep_for(1s);
      rss_during_max = std::max(rss_during_max, rss_mb());
    }
    churner.stop();
    malformed_frames.stop();
    oversized_payloads.stop();
    subscribe_floods.stop();
    bad_rest.stop();
    churned = churner.churned(), churn_failed = churner.failed();
    malformed = malformed_frames.sent(), oversized = oversized_payloads.sent();
    subscribes = subscribe_floods.sent(), rest_sent = bad_rest.sent();
  }
  const bool only_canary_left = wait_connections(server, 1, 10s);
  canary.stop();
  const bool none_left = wait_connections(server, 0, 10s);
  const Json channels = occupied_channels(server);
  const double rss_after = trimmed_rss_mb();
  const auto latencies = canary.latencies();

  std::printf(
      "serve abuse, %d s: %llu connections churned (%llu cycles cut short), %llu malformed frames, %llu oversized "
      "payloads, %llu subscribes in floods, %llu bad REST requests (%llu not answered 401)\n"
      "canary: %llu of %llu ticks delivered, %llu reconnects, latency p50 %.1f ms p99 %.1f ms max %.1f ms\n"
      "RSS: %.1f MB at start, %.1f MB before the abuse, %.1f MB at most during it, %.1f MB after (malloc_trim)\n",
      seconds, static_cast<unsigned long long>(churned), static_cast<unsigned long long>(churn_failed),
      static_cast<unsigned long long>(malformed), static_cast<unsigned long long>(oversized),
      static_cast<unsigned long long>(subscribes), static_cast<unsigned long long>(rest_sent),
      static_cast<unsigned long long>(rest_wrong.load()), static_cast<unsigned long long>(canary.delivered()),
      static_cast<unsigned long long>(canary.sent()), static_cast<unsigned long long>(canary.reconnects()),
      percentile(latencies, 0.5), percentile(latencies, 0.99), latencies.empty() ? 0.0 : latencies.back(),
      rss_started, rss_before, rss_during_max, rss_after);
  std::fflush(stdout);

  CHECK(server.running());
  CHECK(churned >= kChurnSlots);
  CHECK(malformed > 0);
  CHECK(oversized > 0);
  CHECK(subscribes > 0);
  CHECK(rest_sent > 0);
  CHECK(rest_wrong == 0);
  // The canary: nothing lost, never cut off, and no tick slower than the bound.
  CHECK(canary.reconnects() == 0);
  CHECK(canary.delivered() == canary.sent());
  CHECK(canary.sent() >= static_cast<std::uint64_t>(seconds) * 5);
  REQUIRE_FALSE(latencies.empty());
  CHECK(latencies.back() < 2'000.0);
  // The engine's state is empty again, and so is the memory the abuse took.
  CHECK(only_canary_left);
  CHECK(none_left);
  CHECK(channels.empty());
  CHECK(rss_after < rss_before + 16.0);
}

}  // namespace pushsim::test
