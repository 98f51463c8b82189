#include <catch2/catch.hpp>

#include <string>
#include <vector>

#include "fakes/network.hpp"
#include "names.hpp"

using namespace pushsim;
using namespace pushsim::fakes;
using pushsim::fakes::testing::numbered;

namespace {

struct Arrival {
  TimeNs at;
  LinkId link;
  Direction direction;
  Packet::Kind kind;
  std::string text;
  int code;
};

struct RecordingSink : NetworkSink {
  std::vector<Arrival> arrivals;
  void on_packet(TimeNs now, LinkId link, Direction direction, const Packet& packet) override {
    arrivals.push_back(Arrival{now, link, direction, packet.kind, *packet.text, packet.code});
  }
  std::vector<std::string> texts(Direction direction) const {
    std::vector<std::string> out;
    for (const auto& a : arrivals)
      if (a.direction == direction && a.kind == Packet::Kind::kText) out.push_back(a.text);
    return out;
  }
};

// A network with its own scheduler, trace and sink, for one test.
struct Fixture {
  Scheduler scheduler;
  Trace trace{RunId{"network", 7, "none"}};
  RecordingSink sink;
  EndpointId server = trace.endpoint("server");
  Network network;
  explicit Fixture(NetworkConfig config = {}, std::uint64_t seed = 7)
      : network(config, scheduler, trace, Rng(seed), sink, server) {}
  void run() { REQUIRE(scheduler.run_until_idle(1'000'000, kSimulationEpoch + seconds(3600)).ok()); }
  std::shared_ptr<const std::string> text(std::string s) { return std::make_shared<const std::string>(std::move(s)); }
};

NetworkConfig wide_latency() {
  NetworkConfig config;
  config.websocket = Latency::uniform(ms(1), ms(100));
  return config;
}

}  // namespace

TEST_CASE("frames of one connection arrive in send order even when drawn delays disagree", "[network]") {
  Fixture f(wide_latency());
  const LinkId link = f.network.connect(f.trace.endpoint("alice"), "/app/key");
  std::vector<std::string> sent;
  for (int i = 0; i < 200; ++i) {
    sent.push_back(numbered("m", i));
    f.network.send_text(link, Direction::kToClient, f.text(sent.back()));
  }
  f.run();
  CHECK(f.sink.texts(Direction::kToClient) == sent);
  for (std::size_t i = 1; i < f.sink.arrivals.size(); ++i) {
    if (f.sink.arrivals[i].direction == Direction::kToClient &&
        f.sink.arrivals[i - 1].direction == Direction::kToClient) {
      CHECK(f.sink.arrivals[i].at >= f.sink.arrivals[i - 1].at);
    }
  }
  CHECK(f.network.delivered() == 201);  // the open packet and 200 frames
  CHECK(f.network.packets_in_flight() == 0);
}

TEST_CASE("frames of different connections interleave by their delays", "[network]") {
  Fixture f;
  const EndpointId slow = f.trace.endpoint("slow");
  const EndpointId fast = f.trace.endpoint("fast");
  f.network.set_client_latency(slow, Latency::fixed(ms(50)));
  f.network.set_client_latency(fast, Latency::fixed(ms(5)));
  const LinkId a = f.network.connect(slow, "/");
  const LinkId b = f.network.connect(fast, "/");
  f.network.send_text(a, Direction::kToClient, f.text("to slow"));
  f.network.send_text(b, Direction::kToClient, f.text("to fast"));
  f.run();
  CHECK(f.sink.texts(Direction::kToClient) == std::vector<std::string>{"to fast", "to slow"});
}

TEST_CASE("a partition holds frames both ways and heal releases every one in order", "[network]") {
  Fixture f;
  const EndpointId alice = f.trace.endpoint("alice");
  f.network.set_client_latency(alice, Latency::fixed(ms(10)));
  const LinkId link = f.network.connect(alice, "/");
  f.run();
  f.network.send_text(link, Direction::kToClient, f.text("in flight"));
  f.network.partition(alice);
  f.network.send_text(link, Direction::kToClient, f.text("during"));
  f.network.send_text(link, Direction::kToServer, f.text("up"));
  f.scheduler.run_until(f.scheduler.now() + seconds(60), 1000);
  CHECK(f.sink.texts(Direction::kToClient).empty());
  CHECK(f.network.queued(link, Direction::kToClient) == 2);
  CHECK(f.trace.count(TraceKind::kHold) == 3);
  const TimeNs healed_at = f.scheduler.now();
  f.network.heal(alice);
  f.run();
  CHECK(f.sink.texts(Direction::kToClient) == std::vector<std::string>{"in flight", "during"});
  CHECK(f.sink.texts(Direction::kToServer) == std::vector<std::string>{"up"});
  CHECK(f.sink.arrivals.back().at == healed_at + ms(10));
  CHECK(f.network.dropped() == 0);
}

TEST_CASE("a cut link loses queued and later frames and tells neither side", "[network]") {
  Fixture f;
  const EndpointId alice = f.trace.endpoint("alice");
  const LinkId link = f.network.connect(alice, "/");
  f.run();
  const std::size_t before = f.sink.arrivals.size();
  f.network.send_text(link, Direction::kToClient, f.text("lost in flight"));
  f.network.cut(link);
  f.network.send_text(link, Direction::kToServer, f.text("lost later"));
  f.run();
  CHECK(f.sink.arrivals.size() == before);
  CHECK(f.network.dropped() == 2);
  CHECK_FALSE(f.network.side_open(link, Direction::kToServer));
}

TEST_CASE("a close arrives after the frames before it and closes the link for later ones", "[network]") {
  Fixture f(wide_latency());
  const LinkId link = f.network.connect(f.trace.endpoint("alice"), "/");
  f.network.send_text(link, Direction::kToServer, f.text("last words"));
  f.network.send_close(link, Direction::kToServer, 1000, "bye");
  f.network.send_text(link, Direction::kToServer, f.text("after close"));  // the closed side sends nothing
  f.network.send_text(link, Direction::kToClient, f.text("too late"));     // nobody is there to read it
  f.run();
  REQUIRE(f.sink.arrivals.size() == 3);
  CHECK(f.sink.arrivals[0].kind == Packet::Kind::kOpen);
  CHECK(f.sink.arrivals[1].text == "last words");
  CHECK(f.sink.arrivals[2].kind == Packet::Kind::kClose);
  CHECK(f.sink.arrivals[2].code == 1000);
  CHECK(f.network.dropped() == 2);
  CHECK_FALSE(f.network.side_open(link, Direction::kToServer));
  CHECK_FALSE(f.network.side_open(link, Direction::kToClient));
}

TEST_CASE("extra latency on one client delays only that client", "[network]") {
  NetworkConfig config;
  config.websocket = Latency::fixed(ms(10));
  Fixture f(config);
  const EndpointId alice = f.trace.endpoint("alice");
  const EndpointId bob = f.trace.endpoint("bob");
  const LinkId a = f.network.connect(alice, "/");
  const LinkId b = f.network.connect(bob, "/");
  f.run();
  f.network.set_extra_latency(alice, Latency::fixed(ms(500)));
  const TimeNs sent_at = f.scheduler.now();
  f.network.send_text(a, Direction::kToClient, f.text("a"));
  f.network.send_text(b, Direction::kToClient, f.text("b"));
  f.run();
  REQUIRE(f.sink.arrivals.size() == 4);
  CHECK(f.sink.arrivals[2].text == "b");
  CHECK(f.sink.arrivals[2].at == sent_at + ms(10));
  CHECK(f.sink.arrivals[3].text == "a");
  CHECK(f.sink.arrivals[3].at == sent_at + ms(510));
}

TEST_CASE("adding a client leaves the delays of the others unchanged", "[network]") {
  auto alice_times = [](bool with_bob) {
    Fixture f(wide_latency());
    const LinkId a = f.network.connect(f.trace.endpoint("alice"), "/");
    if (with_bob) {
      const LinkId b = f.network.connect(f.trace.endpoint("bob"), "/");
      for (int i = 0; i < 5; ++i) f.network.send_text(b, Direction::kToClient, f.text("b"));
    }
    for (int i = 0; i < 5; ++i) f.network.send_text(a, Direction::kToClient, f.text("a"));
    f.run();
    std::vector<TimeNs> times;
    for (const auto& arrival : f.sink.arrivals)
      if (arrival.link == a) times.push_back(arrival.at);
    return times;
  };
  CHECK(alice_times(false) == alice_times(true));
}

TEST_CASE("an HTTP exchange takes both legs plus processing and returns the answer", "[network]") {
  NetworkConfig config;
  config.http = Latency::fixed(ms(3));
  Fixture f(config);
  std::optional<HttpResponse> got;
  TimeNs got_at = 0;
  TimeNs served_at = 0;
  f.network.http(
      f.trace.endpoint("alice"), f.trace.endpoint("auth"), HttpRequest{"POST", "/pusher/auth", {}, "x"},
      [&](TimeNs now, const HttpRequest& request) {
        served_at = now;
        return HttpReply{HttpResponse{200, {}, "echo " + request.body}, ms(100)};
      },
      [&](TimeNs now, std::optional<HttpResponse> response) {
        got = std::move(response);
        got_at = now;
      },
      seconds(10));
  f.run();
  CHECK(served_at == kSimulationEpoch + ms(3));
  REQUIRE(got);
  CHECK(got->body == "echo x");
  CHECK(got_at == kSimulationEpoch + ms(106));
  CHECK(f.network.http_in_flight() == 0);
}

TEST_CASE("an HTTP service that never answers times the caller out, and a slow one's late answer is dropped",
          "[network]") {
  NetworkConfig config;
  config.http = Latency::fixed(ms(1));
  Fixture f(config);
  int calls = 0;
  bool answered = true;
  auto silent = [](TimeNs, const HttpRequest&) { return HttpReply{std::nullopt, 0}; };
  auto slow = [](TimeNs, const HttpRequest&) { return HttpReply{HttpResponse{200, {}, ""}, seconds(30)}; };
  auto done = [&](TimeNs, std::optional<HttpResponse> response) {
    ++calls;
    answered = response.has_value();
  };
  f.network.http(f.trace.endpoint("a"), f.trace.endpoint("b"), HttpRequest{"GET", "/", {}, ""}, silent, done,
                 seconds(5));
  f.run();
  CHECK(calls == 1);
  CHECK_FALSE(answered);
  f.network.http(f.trace.endpoint("a"), f.trace.endpoint("b"), HttpRequest{"GET", "/", {}, ""}, slow, done, seconds(5));
  f.run();
  CHECK(calls == 2);
  CHECK_FALSE(answered);
  CHECK(f.trace.to_json_lines().find("late response 200") != std::string::npos);
  f.network.http(f.trace.endpoint("a"), f.trace.endpoint("b"), HttpRequest{"GET", "/", {}, ""}, silent, done,
                 std::nullopt);
  f.run();
  CHECK(calls == 2);  // no timeout asked for: nobody hears of it
  CHECK(f.network.http_in_flight() == 0);
}

TEST_CASE("lost HTTP requests never reach the service", "[network]") {
  NetworkConfig config;
  config.http_loss = Ratio{1, 1};
  Fixture f(config);
  int served = 0, timeouts = 0;
  f.network.http(
      f.trace.endpoint("a"), f.trace.endpoint("b"), HttpRequest{"GET", "/", {}, ""},
      [&](TimeNs, const HttpRequest&) {
        ++served;
        return HttpReply{HttpResponse{}, 0};
      },
      [&](TimeNs, std::optional<HttpResponse> response) { timeouts += response ? 0 : 1; }, seconds(1));
  f.run();
  CHECK(served == 0);
  CHECK(timeouts == 1);
}

TEST_CASE("a link's FIFO keeps order across drains, compaction and reuse", "[network]") {
  FifoQueue<int> q;
  int next_in = 0, next_out = 0;
  for (int round = 0; round < 50; ++round) {
    for (int i = 0; i < round * 3 + 1; ++i) q.push_back(next_in++);
    for (int i = 0; i < round * 2 + 1 && !q.empty(); ++i) {
      REQUIRE(q.front() == next_out++);
      q.pop_front();
    }
    REQUIRE(q.size() == static_cast<std::size_t>(next_in - next_out));
    int expected = next_out;
    for (int v : q) REQUIRE(v == expected++);
  }
  while (!q.empty()) {
    REQUIRE(q.front() == next_out++);
    q.pop_front();
  }
  CHECK(next_out == next_in);
}
