#include <catch2/catch.hpp>

#include "engine_fixture.hpp"

using namespace pushsim;
using namespace pushsim::test;

namespace {

std::string error_frame(std::optional<int> code, const std::string& message) {
  return R"({"event":"pusher:error","data":{"code":)" + (code ? std::to_string(*code) : std::string("null")) +
         R"(,"message":)" + Json(message).dump() + "}}";
}

// Three connections in a private channel and a presence channel.
struct Room {
  EngineFixture f;
  ConnectionId a = 0, b = 0, c = 0;

  Room(EngineOptions options = test_options(), AppConfig app = test_app()) : f(options, {app}) {
    a = f.connect();
    b = f.connect();
    c = f.connect();
    for (ConnectionId id : {a, b, c}) {
      f.subscribe(id, "private-chat");
      f.join_presence(id, "presence-room", "u" + std::to_string(id));
    }
    for (ConnectionId id : {a, b, c}) f.take(id);
    f.take_webhooks();
  }
  // a sends the text; expects exactly `reply` to a and nothing anywhere else.
  void expect_rejected(const std::string& text, const std::string& reply) {
    f.send(a, text);
    CHECK(f.take(a) == std::vector<std::string>{reply});
    CHECK(f.nothing_sent());
    CHECK(f.take_closes().empty());
    CHECK(f.take_webhooks().empty());
  }
};

}  // namespace

TEST_CASE("a client event is relayed to every other subscriber and never echoed to the sender",
          "[engine][client-event]") {
  Room r;
  r.f.send(r.a, R"({"event":"client-typing","channel":"private-chat","data":{"x":1}})");
  const std::string relayed = R"({"event":"client-typing","channel":"private-chat","data":{"x":1}})";
  CHECK(r.f.take(r.a).empty());
  CHECK(r.f.take(r.b) == std::vector<std::string>{relayed});
  CHECK(r.f.take(r.c) == std::vector<std::string>{relayed});
}

TEST_CASE("client events on presence channels carry the sender's user_id at top level", "[engine][client-event]") {
  Room r;
  r.f.send(r.b, R"({"event":"client-typing","channel":"presence-room","data":{"x":1}})");
  const std::string relayed = R"({"event":"client-typing","channel":"presence-room","data":{"x":1},"user_id":"u2"})";
  CHECK(r.f.take(r.a) == std::vector<std::string>{relayed});
  CHECK(r.f.take(r.c) == std::vector<std::string>{relayed});
  CHECK(r.f.take(r.b).empty());
}

TEST_CASE("client event data is forwarded exactly as received: strings stay strings, absent stays absent",
          "[engine][client-event]") {
  Room r;
  r.f.send(r.a, R"({"event":"client-a","channel":"private-chat","data":"{\"raw\":true}"})");
  CHECK(r.f.take(r.b) ==
        std::vector<std::string>{R"({"event":"client-a","channel":"private-chat","data":"{\"raw\":true}"})"});
  r.f.send(r.a, R"({"event":"client-b","channel":"private-chat","data":[1,"two",null]})");
  CHECK(r.f.take(r.b) ==
        std::vector<std::string>{R"({"event":"client-b","channel":"private-chat","data":[1,"two",null]})"});
  r.f.send(r.a, R"({"event":"client-c","channel":"private-chat"})");
  CHECK(r.f.take(r.b) == std::vector<std::string>{R"({"event":"client-c","channel":"private-chat"})"});
}

TEST_CASE("each relay shares one encoded buffer between its recipients", "[engine][client-event]") {
  Room r;
  r.f.sends.clear();
  r.f.send(r.a, R"({"event":"client-typing","channel":"private-chat","data":{}})");
  REQUIRE(r.f.sends.size() == 2);
  CHECK(r.f.sends[0].connection == r.b);
  CHECK(r.f.sends[1].connection == r.c);
  CHECK(r.f.sends[0].text.get() == r.f.sends[1].text.get());
}

TEST_CASE("a client_event webhook carries event, data as sent, socket_id, and user_id on presence",
          "[engine][client-event]") {
  Room r;
  r.f.send(r.a, R"({"event":"client-typing","channel":"private-chat","data":{"x":1}})");
  r.f.send(r.b, R"({"event":"client-typing","channel":"presence-room","data":"text"})");
  CHECK(r.f.take_webhooks() == std::vector<Json>{Json{{"name", "client_event"},
                                                      {"channel", "private-chat"},
                                                      {"event", "client-typing"},
                                                      {"data", {{"x", 1}}},
                                                      {"socket_id", r.f.socket_id(r.a)}},
                                                 Json{{"name", "client_event"},
                                                      {"channel", "presence-room"},
                                                      {"event", "client-typing"},
                                                      {"data", "text"},
                                                      {"socket_id", r.f.socket_id(r.b)},
                                                      {"user_id", "u2"}}});
}

TEST_CASE("client events on public channels are refused", "[engine][client-event]") {
  Room r;
  r.f.subscribe(r.a, "public-chat");
  r.f.subscribe(r.b, "public-chat");
  r.f.take(r.a);
  r.f.take(r.b);
  r.f.take_webhooks();
  r.expect_rejected(
      R"({"event":"client-typing","channel":"public-chat","data":{}})",
      error_frame(std::nullopt, "Client event rejected - only supported on private and presence channels"));
}

TEST_CASE("client events on encrypted channels are refused", "[engine][client-event]") {
  Room r;
  r.f.subscribe(r.a, "private-encrypted-x");
  r.f.subscribe(r.b, "private-encrypted-x");
  r.f.take(r.a);
  r.f.take(r.b);
  r.f.take_webhooks();
  r.expect_rejected(
      R"({"event":"client-typing","channel":"private-encrypted-x","data":{}})",
      error_frame(std::nullopt, "Client event rejected - only supported on private and presence channels"));
}

TEST_CASE("client events to a channel the sender is not subscribed to are refused", "[engine][client-event]") {
  Room r;
  r.f.unsubscribe(r.a, "private-chat");
  r.f.take_webhooks();
  r.expect_rejected(R"({"event":"client-typing","channel":"private-chat","data":{}})",
                    error_frame(std::nullopt, "Client event rejected - not subscribed to private-chat"));
  r.expect_rejected(R"({"event":"client-typing","channel":"private-elsewhere","data":{}})",
                    error_frame(std::nullopt, "Client event rejected - not subscribed to private-elsewhere"));
}

TEST_CASE("client events are refused when the app disables them", "[engine][client-event]") {
  AppConfig app = test_app();
  app.client_events = false;
  Room r(test_options(), app);
  r.expect_rejected(
      R"({"event":"client-typing","channel":"private-chat","data":{}})",
      error_frame(std::nullopt,
                  "To send client events, you must enable this feature in the Settings page of your dashboard."));
}

TEST_CASE("events that are neither pusher: nor client- are refused", "[engine][client-event]") {
  Room r;
  r.expect_rejected(R"({"event":"typing","channel":"private-chat","data":{}})",
                    error_frame(std::nullopt, "Unsupported event typing: client event names must start with client-"));
}

TEST_CASE("client events without a channel, with a long name or oversized data are refused", "[engine][client-event]") {
  EngineOptions options = test_options();
  options.limits.event_data_max_bytes = 20;
  Room r(options);
  r.expect_rejected(R"({"event":"client-typing","data":{}})",
                    error_frame(std::nullopt, "Client event rejected - no channel given"));
  const std::string long_name = "client-" + std::string(194, 'x');
  r.expect_rejected(
      R"({"event":")" + long_name + R"(","channel":"private-chat"})",
      error_frame(std::nullopt, "Client event rejected - event name is 201 characters long; the limit is 200"));
  r.expect_rejected(R"({"event":"client-big","channel":"private-chat","data":"123456789012345678901"})",
                    error_frame(std::nullopt, "Client event rejected - data is over 20 bytes"));
  r.f.send(r.a, R"({"event":"client-ok","channel":"private-chat","data":"12345678901234567890"})");
  CHECK(r.f.take(r.b).size() == 1);
}

TEST_CASE("client events over the per-connection rate are refused with 4301 until the second is over",
          "[engine][client-event]") {
  EngineOptions options = test_options();
  options.limits.client_events_per_second_max = 3;
  Room r(options);
  const std::string event = R"({"event":"client-x","channel":"private-chat","data":{}})";
  for (int i = 0; i < 3; ++i) r.f.send(r.a, event);
  CHECK(r.f.take(r.b).size() == 3);
  r.f.take(r.c);
  r.f.take_webhooks();
  r.expect_rejected(event, error_frame(4301, "Client event rejected due to rate limit"));
  // Another connection has its own budget.
  r.f.send(r.b, event);
  CHECK(r.f.take(r.a).size() == 1);
  r.f.take(r.c);
  r.f.advance(ms(999));
  r.f.take_webhooks();
  r.expect_rejected(event, error_frame(4301, "Client event rejected due to rate limit"));
  r.f.advance(ms(1));
  r.f.send(r.a, event);
  CHECK(r.f.take(r.b).size() == 1);
  CHECK(r.f.take(r.a).empty());
}
