// POST /events and POST /batch_events: exact frames delivered, exclusion by socket_id,
// limits, validation messages and info responses (docs/protocol.md §6, §7.3).
#include <catch2/catch.hpp>

#include <array>

#include "protocol/frame.hpp"
#include "tests/protocol/server/rest_fixture.hpp"

using namespace pushsim;
using namespace pushsim::test;

namespace {

using Frames = std::vector<std::string>;

std::string event_frame(const std::string& channel, const std::string& name, const std::string& data) {
  return encode_frame(Frame{name, channel, Json(data), std::nullopt});
}

Json trigger(const std::string& channel, const std::string& name = "my-event", const std::string& data = "hi") {
  return {{"name", name}, {"data", data}, {"channels", Json::array({channel})}};
}

// Three connections on my-channel, with their outputs so far dropped.
struct ThreeSubscribers : RestFixture {
  ThreeSubscribers() {
    for (ConnectionId& id : ids) {
      id = connect();
      subscribe(id, "my-channel");
      take(id);
    }
  }
  std::array<ConnectionId, 3> ids{};
};

}  // namespace

TEST_CASE("a trigger delivers the exact frame, data verbatim, to every subscriber") {
  ThreeSubscribers fixture;
  std::string data = R"({"message":"hello"})";
  HttpResponse response = fixture.post("/events", trigger("my-channel", "my-event", data));
  CHECK(response.status == 200);
  CHECK(response.body == "{}");
  std::string expected = R"({"event":"my-event","channel":"my-channel","data":"{\"message\":\"hello\"}"})";
  CHECK(event_frame("my-channel", "my-event", data) == expected);
  for (ConnectionId id : fixture.ids) CHECK(fixture.take(id) == Frames{expected});
}

TEST_CASE("the connection named by socket_id receives nothing, the others receive the frame") {
  ThreeSubscribers fixture;
  Json body = trigger("my-channel");
  body["socket_id"] = fixture.socket_id(fixture.ids[1]);
  HttpResponse response = fixture.post("/events", body);
  CHECK(response.status == 200);
  CHECK(response.body == "{}");
  CHECK(fixture.take(fixture.ids[0]) == Frames{event_frame("my-channel", "my-event", "hi")});
  CHECK(fixture.take(fixture.ids[1]).empty());
  CHECK(fixture.take(fixture.ids[2]) == Frames{event_frame("my-channel", "my-event", "hi")});
}

TEST_CASE("a well-formed socket_id of no connection excludes nobody") {
  ThreeSubscribers fixture;
  Json body = trigger("my-channel");
  body["socket_id"] = "999999.999999";
  CHECK(fixture.post("/events", body).status == 200);
  for (ConnectionId id : fixture.ids) CHECK(fixture.take(id).size() == 1);
}

TEST_CASE("a malformed socket_id is a 400 and publishes nothing") {
  ThreeSubscribers fixture;
  for (const char* bad : {"123", "123.", ".456", "123.456.789", "abc.def", " 123.456", "123.456\n", "-1.2"}) {
    INFO(bad);
    Json body = trigger("my-channel");
    body["socket_id"] = bad;
    HttpResponse response = fixture.post("/events", body);
    CHECK(response.status == 400);
    CHECK(response.body == error_body("socket_id '" + std::string(bad) + "' is not a socket id (digits.digits)"));
  }
  Json number = trigger("my-channel");
  number["socket_id"] = 123.456;
  CHECK(fixture.post("/events", number).body == error_body("socket_id must be a string, got a number"));
  for (ConnectionId id : fixture.ids) CHECK(fixture.take(id).empty());
}

TEST_CASE("a multi-channel trigger delivers once per channel, with each channel's name") {
  RestFixture fixture;
  ConnectionId on_a = fixture.connect();
  fixture.subscribe(on_a, "ch-a");
  ConnectionId on_b = fixture.connect();
  fixture.subscribe(on_b, "ch-b");
  ConnectionId on_both = fixture.connect();
  fixture.subscribe(on_both, "ch-a");
  fixture.subscribe(on_both, "ch-b");
  for (ConnectionId id : {on_a, on_b, on_both}) fixture.take(id);
  Json body = {{"name", "e"}, {"data", "d"}, {"channels", {"ch-a", "ch-b", "ch-a"}}};
  HttpResponse response = fixture.post("/events", body);
  CHECK(response.status == 200);
  CHECK(response.body == "{}");
  CHECK(fixture.take(on_a) == Frames{event_frame("ch-a", "e", "d")});
  CHECK(fixture.take(on_b) == Frames{event_frame("ch-b", "e", "d")});
  CHECK(fixture.take(on_both) == Frames{event_frame("ch-a", "e", "d"), event_frame("ch-b", "e", "d")});
}

TEST_CASE("a single channel may be given as channel instead of channels") {
  ThreeSubscribers fixture;
  HttpResponse response = fixture.post("/events", {{"name", "e"}, {"data", "d"}, {"channel", "my-channel"}});
  CHECK(response.status == 200);
  CHECK(fixture.take(fixture.ids[0]) == Frames{event_frame("my-channel", "e", "d")});
}

TEST_CASE("100 channels are accepted, 101 are a 400") {
  RestFixture fixture;
  Json channels = Json::array();
  for (int i = 0; i < 100; ++i) channels.push_back("ch-" + std::to_string(i));
  CHECK(fixture.post("/events", {{"name", "e"}, {"data", "d"}, {"channels", channels}}).status == 200);
  channels.push_back("ch-100");
  HttpResponse response = fixture.post("/events", {{"name", "e"}, {"data", "d"}, {"channels", channels}});
  CHECK(response.status == 400);
  CHECK(response.body == error_body("channels names 101 channels; the limit is 100"));
}

TEST_CASE("10 KB of data is accepted, one byte more is a 413") {
  ThreeSubscribers fixture;
  CHECK(fixture.post("/events", trigger("my-channel", "e", std::string(10 * 1024, 'x'))).status == 200);
  CHECK(fixture.take(fixture.ids[0]).size() == 1);
  HttpResponse response = fixture.post("/events", trigger("my-channel", "e", std::string(10 * 1024 + 1, 'x')));
  CHECK(response.status == 413);
  CHECK(response.body == error_body("data is 10241 bytes; the limit is 10240"));
  CHECK(fixture.take(fixture.ids[0]).empty());
}

TEST_CASE("an event name of 200 characters is accepted, 201 is a 400") {
  RestFixture fixture;
  CHECK(fixture.post("/events", trigger("c", std::string(200, 'e'))).status == 200);
  HttpResponse response = fixture.post("/events", trigger("c", std::string(201, 'e')));
  CHECK(response.status == 400);
  CHECK(response.body == error_body("event name is 201 characters long; the limit is 200"));
}

TEST_CASE("missing or mistyped fields are a 400 naming the field and what was expected") {
  RestFixture fixture;
  struct Case {
    Json body;
    std::string message;
  };
  std::vector<Case> cases = {
      {{{"data", "d"}, {"channel", "c"}}, "name is required (a string)"},
      {{{"name", 5}, {"data", "d"}, {"channel", "c"}}, "name must be a string, got a number"},
      {{{"name", "e"}, {"channel", "c"}}, "data is required (a string)"},
      {{{"name", "e"}, {"data", {{"x", 1}}}, {"channel", "c"}}, "data must be a string, got an object"},
      {{{"name", "e"}, {"data", "d"}}, "channels (an array of channel names) or channel (a string) is required"},
      {{{"name", "e"}, {"data", "d"}, {"channels", "c"}}, "channels must be an array of strings, got a string"},
      {{{"name", "e"}, {"data", "d"}, {"channels", Json::array()}}, "channels must name at least one channel"},
      {{{"name", "e"}, {"data", "d"}, {"channels", {"a", 7}}}, "channels[1] must be a string, got a number"},
      {{{"name", "e"}, {"data", "d"}, {"channel", true}}, "channel must be a string, got a boolean"},
      {{{"name", "e"}, {"data", "d"}, {"channel", "a"}, {"channels", {"b"}}},
       "give either channels or channel, not both"},
      {{{"name", ""}, {"data", "d"}, {"channel", "c"}}, "event name is empty"},
      {{{"name", "e"}, {"data", "d"}, {"channel", "c"}, {"info", 1}}, "info must be a string, got a number"},
  };
  for (const auto& c : cases) {
    INFO(c.body.dump());
    HttpResponse response = fixture.post("/events", c.body);
    CHECK(response.status == 400);
    CHECK(response.body == error_body(c.message));
  }
}

TEST_CASE("a body that is not a JSON object is a 400") {
  RestFixture fixture;
  HttpResponse broken = fixture.post_raw("/events", R"({"name":"e",)");
  CHECK(broken.status == 400);
  CHECK(broken.body == error_body("request body is not valid JSON"));
  HttpResponse array = fixture.post_raw("/events", "[1,2]");
  CHECK(array.status == 400);
  CHECK(array.body == error_body("request body must be a JSON object, got an array"));
  HttpResponse empty = fixture.handle(fixture.signed_request("POST", "/apps/1/events"));
  CHECK(empty.status == 400);
  CHECK(empty.body == error_body("request body is not valid JSON"));
}

TEST_CASE("an invalid channel name is a 400 and no channel of the request is published to") {
  ThreeSubscribers fixture;
  HttpResponse response =
      fixture.post("/events", {{"name", "e"}, {"data", "d"}, {"channels", {"my-channel", "bad name"}}});
  CHECK(response.status == 400);
  CHECK(response.body == error_body("channels[1]: channel name has invalid character byte 0x20 at position 3; allowed: "
                                    "A-Z a-z 0-9 _ - = @ , . ;"));
  CHECK(fixture.take(fixture.ids[0]).empty());
  HttpResponse reserved = fixture.post("/events", trigger("#internal"));
  CHECK(reserved.status == 400);
  CHECK(reserved.body == error_body("channels[0]: channel names starting with '#' are reserved for internal use"));
  HttpResponse too_long = fixture.post("/events", trigger(std::string(165, 'c')));
  CHECK(too_long.status == 400);
  CHECK(too_long.body == error_body("channels[0]: channel name is 165 characters long; the limit is 164"));
}

TEST_CASE("an encrypted channel must be the only channel of a trigger") {
  RestFixture fixture;
  HttpResponse alone = fixture.post("/events", trigger("private-encrypted-foo"));
  CHECK(alone.status == 200);
  HttpResponse mixed =
      fixture.post("/events", {{"name", "e"}, {"data", "d"}, {"channels", {"ch-a", "private-encrypted-foo"}}});
  CHECK(mixed.status == 400);
  CHECK(mixed.body == error_body("cannot trigger to multiple channels when one is encrypted (private-encrypted-foo)"));
}

TEST_CASE("sendToUser publishes to the server-to-user channel of a signed-in user") {
  RestFixture fixture;
  ConnectionId user = fixture.connect();
  fixture.signin_as(user, "u1");
  fixture.subscribe(user, "#server-to-user-u1");
  fixture.take(user);
  HttpResponse response = fixture.post("/events", trigger("#server-to-user-u1", "my-event", R"({"a":1})"));
  CHECK(response.status == 200);
  CHECK(fixture.take(user) == Frames{event_frame("#server-to-user-u1", "my-event", R"({"a":1})")});
}

TEST_CASE("info on a trigger reports user_count for presence channels only, per unique channel") {
  RestFixture fixture;
  ConnectionId first = fixture.connect();
  fixture.join_presence(first, "presence-b", "u1");
  ConnectionId second = fixture.connect();
  fixture.join_presence(second, "presence-b", "u1");
  fixture.subscribe(second, "ch-a");
  Json body = {{"name", "e"},
               {"data", "d"},
               {"channels", {"ch-a", "presence-b", "ch-a"}},
               {"info", "user_count,subscription_count"}};
  HttpResponse response = fixture.post("/events", body);
  CHECK(response.status == 200);
  // subscription_count is off for this app, so it is left out rather than refused.
  CHECK(response.body == R"({"channels":{"ch-a":{},"presence-b":{"user_count":1}}})");
}

TEST_CASE("info on a trigger reports subscription_count when the app has the feature on") {
  AppConfig app = test_app();
  app.subscription_count = true;
  RestFixture fixture(app);
  ConnectionId first = fixture.connect();
  fixture.subscribe(first, "ch-a");
  ConnectionId second = fixture.connect();
  fixture.subscribe(second, "ch-a");
  fixture.join_presence(second, "presence-b", "u1");
  Json body = {{"name", "e"},
               {"data", "d"},
               {"channels", {"ch-a", "presence-b", "empty"}},
               {"info", "subscription_count,user_count"}};
  HttpResponse response = fixture.post("/events", body);
  CHECK(response.status == 200);
  CHECK(response.body == R"({"channels":{"ch-a":{"subscription_count":2},"empty":{"subscription_count":0},)"
                         R"("presence-b":{"subscription_count":1,"user_count":1}}})");
}

TEST_CASE("an unknown info attribute on a trigger is a 400") {
  RestFixture fixture;
  Json body = trigger("c");
  body["info"] = "user_count,cache";
  HttpResponse response = fixture.post("/events", body);
  CHECK(response.status == 400);
  CHECK(response.body ==
        error_body("info attribute 'cache' is not supported; expected user_count or subscription_count"));
}

// --- batch_events ------------------------------------------------------------------------

TEST_CASE("a batch delivers each item to its own channel, in order") {
  RestFixture fixture;
  ConnectionId subscriber = fixture.connect();
  fixture.subscribe(subscriber, "ch-a");
  fixture.subscribe(subscriber, "ch-b");
  fixture.take(subscriber);
  Json batch = {{"batch",
                 {{{"channel", "ch-a"}, {"name", "e1"}, {"data", "1"}},
                  {{"channel", "ch-b"}, {"name", "e2"}, {"data", "2"}},
                  {{"channel", "ch-a"}, {"name", "e3"}, {"data", "3"}}}}};
  HttpResponse response = fixture.post("/batch_events", batch);
  CHECK(response.status == 200);
  CHECK(response.body == "{}");
  CHECK(fixture.take(subscriber) ==
        Frames{event_frame("ch-a", "e1", "1"), event_frame("ch-b", "e2", "2"), event_frame("ch-a", "e3", "3")});
}

TEST_CASE("a batch item's socket_id excludes that connection from that item only") {
  ThreeSubscribers fixture;
  Json batch = {
      {"batch",
       {{{"channel", "my-channel"}, {"name", "e1"}, {"data", "1"}, {"socket_id", fixture.socket_id(fixture.ids[0])}},
        {{"channel", "my-channel"}, {"name", "e2"}, {"data", "2"}},
        {{"channel", "my-channel"}, {"name", "e3"}, {"data", "3"}, {"socket_id", fixture.socket_id(fixture.ids[1])}}}}};
  HttpResponse response = fixture.post("/batch_events", batch);
  CHECK(response.status == 200);
  CHECK(fixture.take(fixture.ids[0]) ==
        Frames{event_frame("my-channel", "e2", "2"), event_frame("my-channel", "e3", "3")});
  CHECK(fixture.take(fixture.ids[1]) ==
        Frames{event_frame("my-channel", "e1", "1"), event_frame("my-channel", "e2", "2")});
  CHECK(fixture.take(fixture.ids[2]) == Frames{event_frame("my-channel", "e1", "1"),
                                               event_frame("my-channel", "e2", "2"),
                                               event_frame("my-channel", "e3", "3")});
}

TEST_CASE("a batch of 10 items is accepted, 11 are a 400") {
  RestFixture fixture;
  Json items = Json::array();
  for (int i = 0; i < 10; ++i) items.push_back({{"channel", "c"}, {"name", "e"}, {"data", std::to_string(i)}});
  CHECK(fixture.post("/batch_events", {{"batch", items}}).status == 200);
  items.push_back({{"channel", "c"}, {"name", "e"}, {"data", "10"}});
  HttpResponse response = fixture.post("/batch_events", {{"batch", items}});
  CHECK(response.status == 400);
  CHECK(response.body == error_body("batch holds 11 events; the limit is 10"));
}

TEST_CASE("a batch item is validated like a trigger, and a bad item publishes nothing") {
  ThreeSubscribers fixture;
  struct Case {
    Json item;
    int status;
    std::string message;
  };
  std::vector<Case> cases = {
      {{{"name", "e"}, {"data", "d"}}, 400, "batch[1].channel is required (a string)"},
      {{{"name", "e"}, {"data", "d"}, {"channels", {"my-channel"}}}, 400, "batch[1].channel is required (a string)"},
      {{{"channel", "my-channel"}, {"data", "d"}}, 400, "batch[1].name is required (a string)"},
      {{{"channel", "my-channel"}, {"name", "e"}, {"data", 3}}, 400, "batch[1].data must be a string, got a number"},
      {{{"channel", "my-channel"}, {"name", "e"}, {"data", std::string(10241, 'x')}},
       413,
       "batch[1].data is 10241 bytes; the limit is 10240"},
      {{{"channel", "my-channel"}, {"name", std::string(201, 'e')}, {"data", "d"}},
       400,
       "batch[1]: event name is 201 characters long; the limit is 200"},
      {{{"channel", "a b"}, {"name", "e"}, {"data", "d"}},
       400,
       "batch[1].channel: channel name has invalid character byte 0x20 at position 1; allowed: A-Z a-z 0-9 _ - = @ , . "
       ";"},
      {{{"channel", "my-channel"}, {"name", "e"}, {"data", "d"}, {"socket_id", "1"}},
       400,
       "batch[1].socket_id '1' is not a socket id (digits.digits)"},
      {{{"channel", "my-channel"}, {"name", "e"}, {"data", "d"}, {"info", "occupied"}},
       400,
       "batch[1]: info attribute 'occupied' is not supported; expected user_count or subscription_count"},
      {"just a string", 400, "batch[1] must be an object, got a string"},
  };
  for (const auto& c : cases) {
    INFO(c.item.dump());
    Json good = {{"channel", "my-channel"}, {"name", "ok"}, {"data", "ok"}};
    HttpResponse response = fixture.post("/batch_events", {{"batch", {good, c.item}}});
    CHECK(response.status == c.status);
    CHECK(response.body == error_body(c.message));
  }
  for (ConnectionId id : fixture.ids) CHECK(fixture.take(id).empty());
}

TEST_CASE("a batch body without a non-empty batch array is a 400") {
  RestFixture fixture;
  CHECK(fixture.post("/batch_events", Json::object()).body == error_body("batch is required (an array of events)"));
  CHECK(fixture.post("/batch_events", {{"batch", {{"a", 1}}}}).body ==
        error_body("batch must be an array of events, got an object"));
  CHECK(fixture.post("/batch_events", {{"batch", Json::array()}}).body ==
        error_body("batch must hold at least one event"));
  CHECK(fixture.post("/batch_events", {{"batch", Json::array()}}).status == 400);
}

TEST_CASE("a batch with info answers attributes aligned with the items") {
  RestFixture fixture;
  ConnectionId first = fixture.connect();
  fixture.join_presence(first, "presence-b", "u1");
  ConnectionId second = fixture.connect();
  fixture.join_presence(second, "presence-b", "u2");
  Json batch = {{"batch",
                 {{{"channel", "ch-a"}, {"name", "e1"}, {"data", "1"}},
                  {{"channel", "presence-b"}, {"name", "e2"}, {"data", "2"}, {"info", "user_count"}},
                  {{"channel", "ch-a"}, {"name", "e3"}, {"data", "3"}, {"info", "user_count"}}}}};
  HttpResponse response = fixture.post("/batch_events", batch);
  CHECK(response.status == 200);
  CHECK(response.body == R"({"batch":[{},{"user_count":2},{}]})");
}
