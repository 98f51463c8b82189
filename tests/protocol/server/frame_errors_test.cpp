#include <catch2/catch.hpp>

#include "engine_fixture.hpp"

using namespace pushsim;
using namespace pushsim::test;

namespace {

std::string null_error(const std::string& message) {
  return R"({"event":"pusher:error","data":{"code":null,"message":)" + Json(message).dump() + "}}";
}

// A connection subscribed to a public and a presence channel, with a second member watching.
struct Subscribed {
  EngineFixture f;
  ConnectionId id = 0;
  ConnectionId other = 0;
  std::vector<ChannelSnapshot> before;

  Subscribed() {
    id = f.connect();
    other = f.connect();
    f.subscribe(id, "my-channel");
    f.join_presence(id, "presence-room", "u1");
    f.join_presence(other, "presence-room", "u2");
    f.take(id);
    f.take_webhooks();
    before = f.engine.channels("1", f.now);
  }
  // Sends the text and expects exactly `reply` back, nothing to anyone else, no close, no
  // webhook, and the channels exactly as before.
  void expect_rejected(std::string_view text, const std::string& reply) {
    f.send(id, text);
    CHECK(f.take(id) == std::vector<std::string>{reply});
    CHECK(f.nothing_sent());
    CHECK(f.take_closes().empty());
    CHECK(f.take_webhooks().empty());
    CHECK(f.engine.channels("1", f.now) == before);
    CHECK(f.engine.connection_count() == 2);
  }
};

}  // namespace

TEST_CASE("pusher:ping is answered with pusher:pong carrying string data {}", "[engine][frames]") {
  EngineFixture f;
  ConnectionId id = f.connect();
  f.send(id, R"({"event":"pusher:ping","data":{}})");
  CHECK(f.take(id) == std::vector<std::string>{R"({"event":"pusher:pong","data":"{}"})"});
}

TEST_CASE("pusher:pong from the client gets no reply", "[engine][frames]") {
  EngineFixture f;
  ConnectionId id = f.connect();
  f.send(id, R"({"event":"pusher:pong","data":{}})");
  CHECK(f.nothing_sent());
}

TEST_CASE("a frame over client_frame_max_bytes is refused before parsing and changes nothing", "[engine][frames]") {
  EngineOptions options = test_options();
  options.limits.client_frame_max_bytes = 100;
  EngineFixture f(options);
  ConnectionId id = f.connect();
  f.subscribe(id, "my-channel");
  f.take(id);
  auto before = f.engine.channels("1", f.now);
  std::string big =
      R"({"event":"pusher:unsubscribe","data":{"channel":"my-channel"},"pad":")" + std::string(100, 'x') + "\"}";
  f.send(id, big);
  CHECK(f.take(id) == std::vector<std::string>{
                          null_error("Frame too large: " + std::to_string(big.size()) + " bytes, the limit is 100")});
  CHECK(f.engine.channels("1", f.now) == before);
  CHECK(f.take_closes().empty());
  // Exactly at the limit is fine.
  std::string ping = R"({"event":"pusher:ping","data":{},"pad":")";
  ping += std::string(100 - ping.size() - 2, 'x') + "\"}";
  REQUIRE(ping.size() == 100);
  f.send(id, ping);
  CHECK(f.take(id) == std::vector<std::string>{R"({"event":"pusher:pong","data":"{}"})"});
}

TEST_CASE("invalid JSON is answered with pusher:error and changes nothing", "[engine][frames]") {
  Subscribed s;
  s.expect_rejected("{\"event\":", null_error("Invalid message format: frame is not valid JSON"));
  s.expect_rejected("", null_error("Invalid message format: frame is not valid JSON"));
}

TEST_CASE("a frame that is not a JSON object is answered with pusher:error and changes nothing", "[engine][frames]") {
  Subscribed s;
  s.expect_rejected("[\"pusher:unsubscribe\"]",
                    null_error("Invalid message format: frame must be a JSON object, got an array"));
  s.expect_rejected("42", null_error("Invalid message format: frame must be a JSON object, got a number"));
}

TEST_CASE("a frame without a string event is answered with pusher:error and changes nothing", "[engine][frames]") {
  Subscribed s;
  s.expect_rejected(R"({"data":{"channel":"my-channel"}})",
                    null_error("Invalid message format: frame has no \"event\" field"));
  s.expect_rejected(R"({"event":7})", null_error("Invalid message format: \"event\" must be a string, got a number"));
}

TEST_CASE("unknown pusher: and pusher_internal: events are refused and the connection stays", "[engine][frames]") {
  Subscribed s;
  s.expect_rejected(R"({"event":"pusher:teleport","data":{}})", null_error("Unsupported event pusher:teleport"));
  s.expect_rejected(
      R"({"event":"pusher_internal:member_added","channel":"presence-room","data":"{\"user_id\":\"x\"}"})",
      null_error("Unsupported event pusher_internal:member_added"));
  s.f.send(s.id, R"({"event":"pusher:ping","data":{}})");
  CHECK(s.f.take(s.id) == std::vector<std::string>{R"({"event":"pusher:pong","data":"{}"})"});
}

TEST_CASE("binary frames are answered with pusher:error and change nothing", "[engine][frames]") {
  Subscribed s;
  s.f.engine.on_binary(s.f.now, s.id, 12);
  CHECK(s.f.take(s.id) == std::vector<std::string>{null_error("Binary frames are not supported (got 12 bytes)")});
  CHECK(s.f.take_closes().empty());
  CHECK(s.f.engine.channels("1", s.f.now) == s.before);
}

TEST_CASE("malformed subscribe and unsubscribe requests are refused and change nothing", "[engine][frames]") {
  Subscribed s;
  const std::string bad_subscribe =
      null_error("Invalid pusher:subscribe: data must be an object with a string channel");
  const std::string bad_unsubscribe =
      null_error("Invalid pusher:unsubscribe: data must be an object with a string channel");
  s.expect_rejected(R"({"event":"pusher:subscribe"})", bad_subscribe);
  s.expect_rejected(R"({"event":"pusher:subscribe","data":{"auth":""}})", bad_subscribe);
  s.expect_rejected(R"({"event":"pusher:subscribe","data":{"channel":42}})", bad_subscribe);
  s.expect_rejected(R"({"event":"pusher:subscribe","data":"not json"})", bad_subscribe);
  s.expect_rejected(R"({"event":"pusher:unsubscribe","data":{}})", bad_unsubscribe);
  s.expect_rejected(R"({"event":"pusher:unsubscribe","data":["my-channel"]})", bad_unsubscribe);
}

TEST_CASE("subscribe data given as a JSON string is read like an object", "[engine][frames]") {
  EngineFixture f;
  ConnectionId id = f.connect();
  f.send(id, R"({"event":"pusher:subscribe","data":"{\"channel\":\"my-channel\"}"})");
  CHECK(f.take(id) == std::vector<std::string>{
                          R"({"event":"pusher_internal:subscription_succeeded","channel":"my-channel","data":"{}"})"});
}
