#include <catch2/catch.hpp>

#include "engine_fixture.hpp"

using namespace pushsim;
using namespace pushsim::test;

namespace {

const std::string kPing = R"({"event":"pusher:ping","data":"{}"})";
const std::string kPongTimeout =
    R"({"event":"pusher:error","data":{"code":4201,"message":"Pong reply not received in time"}})";

}  // namespace

TEST_CASE("with no connections and no webhooks the engine wants no tick", "[engine][liveness]") {
  EngineFixture f;
  CHECK_FALSE(f.engine.next_deadline().has_value());
}

TEST_CASE("after activity_timeout of silence the server sends pusher:ping with string data", "[engine][liveness]") {
  EngineFixture f;
  TimeNs opened = f.now;
  ConnectionId id = f.connect();
  CHECK(f.engine.next_deadline() == std::optional<TimeNs>(opened + seconds(120)));
  f.advance(seconds(119));
  CHECK(f.take(id).empty());
  f.advance(seconds(1));
  CHECK(f.take(id) == std::vector<std::string>{kPing});
  CHECK(f.engine.next_deadline() == std::optional<TimeNs>(f.now + seconds(30)));
  CHECK(f.take_closes().empty());
}

TEST_CASE("no answer within pong_timeout closes with pusher:error 4201 then close 4201", "[engine][liveness]") {
  EngineFixture f;
  ConnectionId id = f.connect();
  f.subscribe(id, "my-channel");
  f.take(id);
  f.take_webhooks();
  f.advance(seconds(120));
  f.take(id);
  f.advance(seconds(29));
  CHECK(f.take_closes().empty());
  f.advance(seconds(1));
  CHECK(f.take(id) == std::vector<std::string>{kPongTimeout});
  auto closes = f.take_closes();
  REQUIRE(closes.size() == 1);
  CHECK(closes[0].connection == id);
  CHECK(closes[0].code == 4201);
  CHECK(f.engine.connection_count() == 0);
  CHECK(f.take_webhooks() == std::vector<Json>{Json{{"name", "channel_vacated"}, {"channel", "my-channel"}}});
  CHECK_FALSE(f.engine.next_deadline().has_value());
  // The driver's later on_closed and any late frame are ignored.
  f.close(id);
  f.send(id, R"({"event":"pusher:pong","data":{}})");
  CHECK(f.nothing_sent());
  CHECK(f.take_closes().empty());
}

TEST_CASE("a pong after our ping keeps the connection and restarts the idle timer", "[engine][liveness]") {
  EngineFixture f;
  ConnectionId id = f.connect();
  f.advance(seconds(120));
  CHECK(f.take(id) == std::vector<std::string>{kPing});
  f.advance(seconds(10));
  f.send(id, R"({"event":"pusher:pong","data":{}})");
  CHECK(f.engine.next_deadline() == std::optional<TimeNs>(f.now + seconds(120)));
  f.advance(seconds(100));
  CHECK(f.take(id).empty());
  CHECK(f.take_closes().empty());
  f.advance(seconds(20));
  CHECK(f.take(id) == std::vector<std::string>{kPing});
}

TEST_CASE("any received frame, even a malformed one, proves the connection alive", "[engine][liveness]") {
  EngineFixture f;
  ConnectionId id = f.connect();
  f.advance(seconds(120));
  f.take(id);
  f.advance(seconds(25));
  f.send(id, "garbage");
  f.take(id);
  f.advance(seconds(25));
  CHECK(f.take_closes().empty());
  CHECK(f.take(id).empty());
  f.advance(seconds(95));
  CHECK(f.take(id) == std::vector<std::string>{kPing});
  f.engine.on_binary(f.now, id, 3);
  f.advance(seconds(60));
  CHECK(f.take_closes().empty());
}

TEST_CASE("each connection has its own idle timer; ticks handle them in time order", "[engine][liveness]") {
  EngineFixture f;
  ConnectionId a = f.connect();
  f.advance(seconds(60));
  ConnectionId b = f.connect();
  f.advance(seconds(60));
  CHECK(f.take(a) == std::vector<std::string>{kPing});
  CHECK(f.take(b).empty());
  CHECK(f.engine.next_deadline() == std::optional<TimeNs>(f.now + seconds(30)));
  // Jump far ahead in one tick: a is closed; b's ping goes out now, late, and its pong
  // timeout counts from when it was actually sent.
  f.advance(seconds(200));
  auto closes = f.take_closes();
  REQUIRE(closes.size() == 1);
  CHECK(closes[0].connection == a);
  CHECK(f.take(b) == std::vector<std::string>{kPing});
  f.advance(seconds(29));
  CHECK(f.take_closes().empty());
  f.advance(seconds(1));
  closes = f.take_closes();
  REQUIRE(closes.size() == 1);
  CHECK(closes[0].connection == b);
}

TEST_CASE("a graceful shutdown closes every connection with 4200 and refuses new ones", "[engine][liveness]") {
  EngineFixture f;
  ConnectionId a = f.connect();
  ConnectionId b = f.connect();
  f.subscribe(a, "my-channel");
  f.take(a);
  f.take_webhooks();
  f.engine.shutdown(f.now);
  auto closes = f.take_closes();
  REQUIRE(closes.size() == 2);
  CHECK(closes[0].connection == a);
  CHECK(closes[0].code == 4200);
  CHECK(closes[1].connection == b);
  CHECK(closes[1].code == 4200);
  CHECK(f.nothing_sent());  // a close frame only, no pusher:error before it
  CHECK(f.engine.connection_count() == 0);
  // The connections are gone as if closed: their channels are vacated.
  CHECK(f.take_webhooks() == std::vector<Json>{Json{{"name", "channel_vacated"}, {"channel", "my-channel"}}});
  ConnectionId late = f.open();
  closes = f.take_closes();
  REQUIRE(closes.size() == 1);
  CHECK(closes[0].connection == late);
  CHECK(closes[0].code == 4200);
  CHECK(f.take(late).empty());
}
