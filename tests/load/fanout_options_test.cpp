#include <catch2/catch.hpp>

#include "load/fanout_options.hpp"

namespace pushsim::load {

TEST_CASE("fanout payload: exactly the asked size, and its stamp reads back", "[load][fanout]") {
  for (std::size_t bytes : {kFanoutPayloadMin, std::size_t{100}, std::size_t{1024}, kFanoutPayloadMax}) {
    const std::string data = fanout_payload(3, 1'234'567'890'123'456'789, 42, bytes);
    CHECK(data.size() == bytes);
    auto stamp = find_fanout_stamp(data);
    REQUIRE(stamp.has_value());
    CHECK(stamp->run == 3);
    CHECK(stamp->scheduled_ns == 1'234'567'890'123'456'789);
    CHECK(stamp->seq == 42);
  }
}

TEST_CASE("fanout payload: the stamp is found inside a server's frame, whatever the key order", "[load][fanout]") {
  const std::string data = fanout_payload(0, 99, 7, 100);
  const std::string frame = R"({"channel":"bench-0","data":")" + data + R"(","event":"bench"})";
  auto stamp = find_fanout_stamp(frame);
  REQUIRE(stamp.has_value());
  CHECK(stamp->scheduled_ns == 99);
  CHECK(stamp->seq == 7);
  CHECK_FALSE(find_fanout_stamp(R"({"event":"pusher:pong","data":{}})").has_value());
  CHECK_FALSE(find_fanout_stamp("pushsim-bench r=1 t=abc s=2").has_value());
}

TEST_CASE("fanout channels: subscribers spread round-robin, private names for client events", "[load][fanout]") {
  CHECK(fanout_channel_of(0, 3) == 0);
  CHECK(fanout_channel_of(4, 3) == 1);
  CHECK(fanout_channel_name(PublishVia::kRest, 2) == "bench-2");
  CHECK(fanout_channel_name(PublishVia::kClientEvents, 2) == "private-bench-2");
}

TEST_CASE("fanout options: the defaults pass; each bad value names its flag", "[load][fanout]") {
  FanoutOptions good;
  CHECK_FALSE(check_fanout_options(good).has_value());

  auto error_of = [](auto change) {
    FanoutOptions options;
    change(options);
    auto error = check_fanout_options(options);
    return error ? error->message : std::string("no error");
  };
  using namespace std::chrono_literals;
  CHECK_THAT(error_of([](auto& o) { o.subscribers = 0; }), Catch::Contains("--subscribers"));
  CHECK_THAT(error_of([](auto& o) { o.subscribers = kFanoutSubscribersMax + 1; }), Catch::Contains("--subscribers"));
  CHECK_THAT(error_of([](auto& o) { o.channels = 0; }), Catch::Contains("--channels"));
  CHECK_THAT(error_of([](auto& o) {
               o.subscribers = 5;
               o.channels = 6;
             }),
             Catch::Contains("--channels"));
  CHECK_THAT(error_of([](auto& o) { o.rate_per_s = 0; }), Catch::Contains("--rate"));
  CHECK_THAT(error_of([](auto& o) { o.rate_per_s = -1; }), Catch::Contains("--rate"));
  CHECK_THAT(error_of([](auto& o) { o.payload_bytes = 10; }), Catch::Contains("--payload-bytes"));
  CHECK_THAT(error_of([](auto& o) { o.payload_bytes = kFanoutPayloadMax + 1; }), Catch::Contains("--payload-bytes"));
  CHECK_THAT(error_of([](auto& o) { o.duration = 10ms; }), Catch::Contains("--duration"));
  CHECK_THAT(error_of([](auto& o) { o.p99_bound = 0ms; }), Catch::Contains("--p99-bound"));
  CHECK_THAT(error_of([](auto& o) { o.deadline = 1s; }), Catch::Contains("--deadline"));
  CHECK_THAT(error_of([](auto& o) { o.ws_url = "wss://example.com"; }), Catch::Contains("wss://"));
  CHECK_THAT(error_of([](auto& o) { o.app.secret = ""; }), Catch::Contains("--secret"));
}

}  // namespace pushsim::load
