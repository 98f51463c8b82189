#include "load/fanout_bench.hpp"

#include <sys/resource.h>

#include <algorithm>
#include <cmath>
#include <memory>
#include <optional>
#include <vector>

#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/steady_timer.hpp>

#include "load/detail/fanout_peer.hpp"
#include "load/detail/fanout_poller.hpp"
#include "load/detail/fanout_rest_publisher.hpp"
#include "load/detail/fanout_tally.hpp"
#include "load/fd_limit.hpp"
#include "load/rate_search.hpp"
#include "net/io_loop.hpp"
#include "net/serve_server.hpp"
#include "net/url.hpp"

namespace pushsim::load {

namespace asio = boost::asio;
using tcp = asio::ip::tcp;
using detail::steady_ns;

namespace {

constexpr std::int64_t kNsPerMsI = 1'000'000;
constexpr std::int64_t kProgressEveryNs = 250 * kNsPerMsI;
constexpr std::int64_t kStartDelayNs = 20 * kNsPerMsI;  // between arming a rate and its first event
constexpr std::int64_t kCloseGraceNs = 3'000 * kNsPerMsI;
// For a search, deliveries per second of the first rate tried: low enough to pass anywhere.
constexpr double kSearchStartDeliveriesPerS = 20'000;
// The peers' one read buffer: a read takes up to this much of what a socket holds.
constexpr std::size_t kReadBufferBytes = 64 * 1024;

std::int64_t wall_ns() {
  return std::chrono::duration_cast<std::chrono::nanoseconds>(std::chrono::system_clock::now().time_since_epoch())
      .count();
}

std::int64_t ns(std::chrono::milliseconds value) { return static_cast<std::int64_t>(value.count()) * kNsPerMsI; }

// CPU seconds of the calling thread, or of the whole process.
double cpu_seconds(int who) {
  rusage usage{};
  getrusage(who, &usage);
  auto seconds = [](const timeval& t) { return static_cast<double>(t.tv_sec) + static_cast<double>(t.tv_usec) / 1e6; };
  return seconds(usage.ru_utime) + seconds(usage.ru_stime);
}

AppConfig served_app(const AppCredentials& credentials) {
  AppConfig app;
  app.id = credentials.app_id;
  app.key = credentials.key;
  app.secret = credentials.secret;
  return app;
}

class FanoutBench {
 public:
  FanoutBench(const FanoutOptions& options, const FanoutProgressFn& progress)
      : options_(options), progress_(progress), deadline_ns_(steady_ns() + ns(options.deadline)) {
    report_.options = options;
    report_.in_process = options.ws_url.empty();
  }

  Result<FanoutReport> run() {
    if (auto error = prepare()) return *error;
    if (connect_all()) run_rates();
    close_all();
    report_.errors = tally_.errors();
    report_.error_count = tally_.error_count();
    return std::move(report_);
  }

 private:
  std::optional<Error> prepare();
  std::optional<Error> start_serve();
  std::optional<Error> resolve(const Url& url);
  bool connect_all();
  bool connect_peers(std::size_t count, const std::function<std::string(std::size_t)>& channel_of,
                     const std::function<std::size_t(std::size_t)>& node_of,
                     std::vector<std::shared_ptr<detail::FanoutPeer>>& into, const std::string& phase);
  void run_rates();
  FanoutRun run_rate(double rate_per_s, int run);
  void publish(int run, std::int64_t due_ns, std::uint64_t seq, FanoutRun& result, std::int64_t from_ns,
               std::int64_t to_ns);
  void close_all();
  // Runs the generator until done() or the time `until_ns`, reporting progress on the way.
  void run_until(const std::function<bool()>& done, std::int64_t until_ns,
                 const std::function<FanoutProgress()>& status);
  std::int64_t time_left_ns() const { return deadline_ns_ - steady_ns(); }
  // --shard: --start-at, or the next multiple of 5 s at least 3 s from now (wall clock).
  std::int64_t shared_start_ms() const {
    if (options_.start_at_unix_ms) return *options_.start_at_unix_ms;
    const std::int64_t earliest_ms = wall_ns() / kNsPerMsI + 3'000;
    return (earliest_ms + 4'999) / 5'000 * 5'000;
  }

  const FanoutOptions& options_;
  const FanoutProgressFn& progress_;
  const std::int64_t deadline_ns_;
  FanoutReport report_;
  // Before the loop: the tally and the read buffer outlive every handler the loop still holds.
  detail::FanoutTally tally_;
  std::vector<char> read_buffer_ = std::vector<char>(kReadBufferBytes);
  std::unique_ptr<ServeServer> serve_;
  IoLoop loop_;
  // After the loop (it watches through it), before the peers (they leave it as they end).
  detail::FanoutPoller poller_{loop_.context()};
  // Per node (one for a server of one node); node 0 gets the publishes.
  std::vector<tcp::endpoint> endpoints_;
  std::vector<std::string> host_headers_;
  std::vector<std::string> node_urls_;
  // This process's subscribers per node, then per channel.
  std::vector<std::vector<std::size_t>> node_channel_subscribers_;
  std::vector<std::size_t> channel_subscribers_;
  std::vector<std::shared_ptr<detail::FanoutPeer>> subscribers_;
  std::vector<std::shared_ptr<detail::FanoutPeer>> publishers_;  // --via client-events
  std::unique_ptr<detail::FanoutRestPublisher> rest_;
  std::uint64_t next_peer_seed_ = 1;
  std::int64_t clock_offset_ns_ = 0;  // --shard: wall clock minus steady clock
};

std::optional<Error> FanoutBench::prepare() {
  if (auto error = check_fanout_options(options_)) return error;
  const std::size_t publishers =
      options_.via == PublishVia::kClientEvents ? options_.channels : options_.rest_connections;
  const std::uint64_t per_connection = report_.in_process ? 2 : 1;
  FdLimitOutcome limit = ensure_fd_limit((options_.subscribers + publishers) * per_connection + 64);
  report_.fd_limit_note = limit.note;
  if (!limit.enough) return make_error("bench fanout: " + limit.note);
  if (report_.in_process) {
    if (auto error = start_serve()) return error;
  }
  const std::string url_text = report_.in_process ? serve_->ws_url() : options_.ws_url;
  report_.target = report_.in_process ? "serve (in-process, " + url_text + ", " +
                                            std::to_string(options_.serve_io_threads) + " io threads)"
                                      : url_text;
  node_urls_ = options_.node_urls.empty() ? std::vector<std::string>{url_text} : options_.node_urls;
  for (const auto& node_url : node_urls_) {
    auto url = parse_url(node_url);
    if (!url) return make_error("bench fanout: " + url.error().message);
    if (auto error = resolve(*url)) return error;
    host_headers_.push_back(url->host_header());
  }
  channel_subscribers_.assign(options_.channels, 0);
  node_channel_subscribers_.assign(node_urls_.size(), std::vector<std::size_t>(options_.channels, 0));
  for (std::size_t i = 0; i < options_.subscribers; ++i) {
    if (!options_.owns_subscriber(i)) continue;
    const std::size_t channel = fanout_channel_of(i, options_.channels);
    ++channel_subscribers_[channel];
    ++node_channel_subscribers_[options_.node_of(i)][channel];
  }
  if (!options_.node_urls.empty()) tally_.set_nodes(node_urls_.size());
  if (options_.sharded()) {
    // One offset for the whole run: stamps and receipts on the wall clock, intervals steady.
    clock_offset_ns_ = wall_ns() - steady_ns();
    tally_.set_clock_offset(clock_offset_ns_);
  }
  return std::nullopt;
}

std::optional<Error> FanoutBench::start_serve() {
  ServeOptions serve;
  serve.port = 0;
  serve.seed = 1;
  serve.io_threads = options_.serve_io_threads;
  serve.apps.push_back(served_app(options_.app));
  // The official limit of 10 client events per second and connection would cap the
  // publisher; the benchmark is about fan-out, so the in-process server lifts it.
  serve.engine.limits.client_events_per_second_max = 1'000'000'000;
  serve_ = std::make_unique<ServeServer>();
  if (auto error = serve_->start(std::move(serve))) return make_error("bench fanout: " + error->message);
  return std::nullopt;
}

std::optional<Error> FanoutBench::resolve(const Url& url) {
  tcp::resolver resolver(loop_.context());
  std::optional<Error> failure;
  bool done = false;
  resolver.async_resolve(url.host, url.port, [&](boost::system::error_code ec, tcp::resolver::results_type results) {
    done = true;
    if (ec || results.empty()) {
      failure = make_error("bench fanout: cannot resolve " + url.host + ": " + ec.message());
      return;
    }
    endpoints_.push_back(results.begin()->endpoint());
  });
  loop_.run_until([&] { return done; }, deadline_after(std::chrono::milliseconds(10'000)));
  if (!done) {
    resolver.cancel();
    loop_.run_until([&] { return done; }, deadline_after(std::chrono::milliseconds(1'000)));
    return make_error("bench fanout: resolving " + url.host + " took over 10 s");
  }
  return failure;
}

bool FanoutBench::connect_all() {
  const std::int64_t started = steady_ns();
  // Subscriber k of this shard is subscriber shard_index + k * shard_count of the whole run.
  auto subscriber_channel = [this](std::size_t k) {
    const std::size_t i = options_.shard_index + k * options_.shard_count;
    return fanout_channel_name(options_.via, fanout_channel_of(i, options_.channels));
  };
  auto subscriber_node = [this](std::size_t k) {
    return options_.node_of(options_.shard_index + k * options_.shard_count);
  };
  if (!connect_peers(report_.subscribers_here(), subscriber_channel, subscriber_node, subscribers_, "connecting")) {
    return false;
  }
  report_.connect_s = static_cast<double>(steady_ns() - started) / 1e9;
  if (options_.via == PublishVia::kClientEvents) {
    auto publisher_channel = [this](std::size_t c) { return fanout_channel_name(options_.via, c); };
    auto node_zero = [](std::size_t) { return std::size_t{0}; };
    if (!connect_peers(options_.channels, publisher_channel, node_zero, publishers_, "connecting publishers")) {
      return false;
    }
  } else {
    detail::FanoutRestSetup rest{endpoints_.front(), host_headers_.front(), options_.app, options_.rest_connections};
    rest_ = std::make_unique<detail::FanoutRestPublisher>(loop_.context(), tally_, rest);
  }
  return true;
}

// Opens `count` peers, at most connect_parallel handshakes at a time, until all are subscribed,
// one fails, or the connect timeout passes.
bool FanoutBench::connect_peers(std::size_t count, const std::function<std::string(std::size_t)>& channel_of,
                                const std::function<std::size_t(std::size_t)>& node_of,
                                std::vector<std::shared_ptr<detail::FanoutPeer>>& into, const std::string& phase) {
  const std::string target = "/app/" + options_.app.key + "?protocol=7&client=pushsim-bench&version=0.1.0";
  std::size_t launched = 0;
  std::size_t in_flight = 0;
  std::size_t ready = 0;
  std::optional<std::string> failure;
  std::function<void()> launch = [&] {
    while (!failure && in_flight < options_.connect_parallel && launched < count) {
      detail::FanoutPeerSetup setup;
      setup.node = node_of(launched);
      setup.endpoint = endpoints_[setup.node];
      setup.host_header = host_headers_[setup.node];
      setup.target = target;
      setup.channel = channel_of(launched);
      setup.app = options_.app;
      setup.read_buffer = read_buffer_;
      setup.poller = &poller_;
      setup.seed = next_peer_seed_++;
      setup.delayed_acks = options_.delayed_acks;
      auto peer = std::make_shared<detail::FanoutPeer>(loop_.context(), tally_, std::move(setup));
      into.push_back(peer);
      ++launched;
      ++in_flight;
      peer->start([&, index = launched - 1](std::optional<std::string> error) {
        --in_flight;
        if (error && !failure) failure = "subscriber " + std::to_string(index) + ": " + *error;
        if (!error) ++ready;
        launch();
      });
    }
  };
  launch();
  const std::int64_t until = std::min(deadline_ns_, steady_ns() + ns(options_.connect_timeout));
  run_until([&] { return failure.has_value() || ready == count; }, until,
            [&] {
              return FanoutProgress{phase, static_cast<double>(ready) / static_cast<double>(count),
                                    std::to_string(ready) + "/" + std::to_string(count) + " subscribed"};
            });
  if (phase == "connecting") report_.connected = ready;
  if (ready == count) return true;
  // The stragglers' handlers refer to this frame: drop them, and let the aborts run now.
  for (auto& peer : into) {
    if (!peer->ready()) peer->drop();
  }
  loop_.poll();
  report_.stopped_early = failure ? *failure
                                  : phase + ": only " + std::to_string(ready) + " of " + std::to_string(count) +
                                        " connections were subscribed before the timeout";
  return false;
}

void FanoutBench::run_rates() {
  const double rate_run_s = static_cast<double>(ns(options_.warmup) + ns(options_.duration)) / 1e9;
  auto has_time_for_a_run = [&] { return static_cast<double>(time_left_ns()) / 1e9 > rate_run_s + 5; };
  if (options_.rate_per_s) {
    report_.runs.push_back(run_rate(*options_.rate_per_s, 0));
    return;
  }
  const double per_event = static_cast<double>(options_.subscribers) / static_cast<double>(options_.channels);
  RateSearchOptions search_options;
  search_options.start_per_s = std::max(1.0, std::floor(kSearchStartDeliveriesPerS / per_event));
  search_options.ceiling_per_s = kFanoutRateMax;
  search_options.max_runs = options_.max_search_runs;
  RateSearch search(search_options);
  int run = 0;
  while (auto rate = search.next()) {
    if (!has_time_for_a_run()) {
      report_.stopped_early = "the --deadline left no time for another rate";
      break;
    }
    report_.runs.push_back(run_rate(*rate, run++));
    search.report(report_.runs.back().rate_per_s, report_.runs.back().passed);
  }
  report_.max_sustained_per_s = search.best_per_s();
}

FanoutRun FanoutBench::run_rate(double rate_per_s, int run) {
  FanoutRun result;
  result.rate_per_s = rate_per_s;
  if (!options_.node_urls.empty()) {
    result.nodes.resize(node_urls_.size());
    for (std::size_t k = 0; k < node_urls_.size(); ++k) {
      result.nodes[k].url = node_urls_[k];
      for (std::size_t count : node_channel_subscribers_[k]) result.nodes[k].subscribers += count;
    }
  }
  std::int64_t start = steady_ns() + kStartDelayNs;
  if (options_.sharded()) {
    // Every shard follows the one schedule from the agreed wall-clock time.
    const std::int64_t start_wall = shared_start_ms() * kNsPerMsI;
    report_.start_unix_ms = start_wall / kNsPerMsI;
    start = start_wall - clock_offset_ns_;
    if (start < steady_ns()) {
      result.why = "the shared start (unix ms " + std::to_string(report_.start_unix_ms) +
                   ") passed before this shard was connected: give a later --start-at";
      return result;
    }
  }
  const std::int64_t from = start + ns(options_.warmup);
  const std::int64_t to = from + ns(options_.duration);
  const std::uint64_t errors_before = tally_.error_count();
  const std::uint64_t rest_failures_before = rest_ ? rest_->failed() : 0;
  tally_.reset(run, from + clock_offset_ns_, to + clock_offset_ns_);

  // The schedule: event i is due at start + i / rate. The timer sends whatever is due, then
  // sleeps until the next one.
  const double interval_ns = 1e9 / rate_per_s;
  auto due = [&](std::uint64_t seq) {
    return start + static_cast<std::int64_t>(static_cast<double>(seq) * interval_ns);
  };
  std::uint64_t seq = 0;
  asio::steady_timer timer(loop_.context());
  std::function<void()> tick = [&] {
    const std::int64_t now = steady_ns();
    for (; due(seq) <= now && due(seq) < to; ++seq) publish(run, due(seq), seq, result, from, to);
    if (due(seq) >= to) return;
    timer.expires_at(std::chrono::steady_clock::time_point(std::chrono::nanoseconds(due(seq))));
    timer.async_wait([&](boost::system::error_code ec) {
      if (!ec) tick();
    });
  };
  tick();

  const std::string phase = "rate " + std::to_string(static_cast<long long>(rate_per_s)) + "/s";
  auto status = [&](const char* what) {
    return [&, what] {
      const double span = static_cast<double>(to - start);
      return FanoutProgress{phase, std::clamp(static_cast<double>(steady_ns() - start) / span, 0.0, 1.0),
                            std::string(what) + ", " + std::to_string(tally_.delivered()) + " deliveries"};
    };
  };
  run_until([] { return false; }, std::min(from, deadline_ns_), status("warm-up"));
  const double generator_cpu = cpu_seconds(RUSAGE_THREAD);
  const double process_cpu = cpu_seconds(RUSAGE_SELF);
  const std::uint64_t received = tally_.received();
  const std::int64_t window_start = steady_ns();
  run_until([] { return false; }, std::min(to, deadline_ns_), status("measuring"));
  result.generator_cpu_s = cpu_seconds(RUSAGE_THREAD) - generator_cpu;
  result.process_cpu_s = cpu_seconds(RUSAGE_SELF) - process_cpu;
  result.received_in_window = tally_.received() - received;
  result.measured_s = static_cast<double>(steady_ns() - window_start) / 1e9;
  timer.cancel();

  // Late deliveries still count (with their latency); what has not come by then is lost.
  const std::int64_t drain = std::max<std::int64_t>(2'000 * kNsPerMsI, 10 * ns(options_.p99_bound));
  auto settled = [&] { return tally_.delivered() >= result.expected && (!rest_ || rest_->pending() == 0); };
  run_until(settled, std::min(steady_ns() + drain, deadline_ns_), status("draining"));
  timer.cancel();
  loop_.poll();  // lets the cancelled wait finish while `timer` and `tick` still exist

  result.delivered = tally_.delivered();
  result.lost = result.expected > result.delivered ? result.expected - result.delivered : 0;
  result.latency = tally_.latency();
  for (std::size_t k = 0; k < result.nodes.size(); ++k) {
    FanoutNodeRun& node = result.nodes[k];
    node.delivered = tally_.nodes()[k].delivered;
    node.latency = tally_.nodes()[k].latency;
    node.lost = node.expected > node.delivered ? node.expected - node.delivered : 0;
  }
  result.errors = tally_.error_count() - errors_before;
  result.publish_failures = rest_ ? rest_->failed() - rest_failures_before : 0;
  const double p99_ms = static_cast<double>(result.latency.percentile_ns(99)) / 1e6;
  if (steady_ns() >= deadline_ns_) {
    result.why = "the overall --deadline passed during this rate";
  } else if (result.lost > 0) {
    result.why = std::to_string(result.lost) + " deliveries lost";
  } else if (result.errors > 0) {
    result.why = std::to_string(result.errors) + " errors";
  } else if (p99_ms > static_cast<double>(options_.p99_bound.count())) {
    result.why = "p99 over " + std::to_string(options_.p99_bound.count()) + " ms";
  }
  result.passed = result.why.empty();
  return result;
}

void FanoutBench::publish(int run, std::int64_t due_ns, std::uint64_t seq, FanoutRun& result, std::int64_t from_ns,
                          std::int64_t to_ns) {
  const std::size_t channel = static_cast<std::size_t>(seq % options_.channels);
  if (due_ns >= from_ns && due_ns < to_ns) {
    ++result.published;
    result.expected += channel_subscribers_[channel];
    for (std::size_t k = 0; k < result.nodes.size(); ++k)
      result.nodes[k].expected += node_channel_subscribers_[k][channel];
  }
  if (!options_.publishes(seq)) return;  // another shard's event
  const std::string data = fanout_payload(run, due_ns + clock_offset_ns_, seq, options_.payload_bytes);
  if (rest_) {
    rest_->trigger(fanout_channel_name(options_.via, channel), data);
  } else {
    publishers_[channel]->send_client_event("client-bench", data);
  }
}

void FanoutBench::close_all() {
  if (rest_) rest_->shutdown();
  std::vector<std::shared_ptr<detail::FanoutPeer>> peers = std::move(subscribers_);
  peers.insert(peers.end(), publishers_.begin(), publishers_.end());
  publishers_.clear();
  for (auto& peer : peers) peer->close();
  // Polled after every handler: a cursor keeps it linear over the whole close.
  std::size_t closed = 0;
  auto all_ended = [&] {
    while (closed < peers.size() && peers[closed]->ended()) ++closed;
    return closed == peers.size();
  };
  // Close handshakes get a grace period even when the deadline has passed: leaving sockets
  // half-open on the server is worse than overrunning by a few seconds.
  run_until(all_ended, steady_ns() + kCloseGraceNs, [&] {
    const auto open = std::count_if(peers.begin(), peers.end(), [](const auto& peer) { return !peer->ended(); });
    return FanoutProgress{"closing",
                          1.0 - static_cast<double>(open) / static_cast<double>(std::max<std::size_t>(1, peers.size())),
                          std::to_string(open) + " open"};
  });
  for (auto& peer : peers) peer->drop();
  loop_.poll();
  if (serve_) serve_->stop();
}

void FanoutBench::run_until(const std::function<bool()>& done, std::int64_t until_ns,
                            const std::function<FanoutProgress()>& status) {
  std::int64_t next_progress = steady_ns();
  while (!done()) {
    const std::int64_t now = steady_ns();
    if (now >= until_ns) return;
    if (now >= next_progress) {
      if (progress_) progress_(status());
      next_progress = now + kProgressEveryNs;  // also the slice length: done() is polled at least this often
    }
    const std::int64_t slice_end = std::min(until_ns, next_progress);
    loop_.run_until(done, std::chrono::steady_clock::time_point(std::chrono::nanoseconds(slice_end)));
  }
}

}  // namespace

Result<FanoutReport> run_fanout_bench(const FanoutOptions& options, const FanoutProgressFn& progress) {
  FanoutBench bench(options, progress);
  return bench.run();
}

}  // namespace pushsim::load
