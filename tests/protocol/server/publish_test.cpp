#include <catch2/catch.hpp>

#include "engine_fixture.hpp"

using namespace pushsim;
using namespace pushsim::test;

namespace {

// Three subscribers of my-channel, opened in id order.
struct Audience {
  EngineFixture f;
  ConnectionId a = 0, b = 0, c = 0;

  Audience() {
    a = f.connect();
    b = f.connect();
    c = f.connect();
    for (ConnectionId id : {c, a, b}) f.subscribe(id, "my-channel");
    for (ConnectionId id : {a, b, c}) f.take(id);
    f.take_webhooks();
    f.sends.clear();
  }
};

const std::string kEvent = R"({"event":"news","channel":"my-channel","data":"{\"n\":1}"})";

// The connections an output sends to, in the order a driver sends.
std::vector<ConnectionId> recipients_of(const EngineOutput& output) {
  std::vector<ConnectionId> out;
  for_each_frame(output, [&](ConnectionId connection, const auto&) { out.push_back(connection); });
  return out;
}

}  // namespace

TEST_CASE("publish sends the data string verbatim to every subscriber, in connection order", "[engine][publish]") {
  Audience s;
  PublishOutcome outcome = s.f.publish("my-channel", "news", R"({"n":1})");
  CHECK(outcome.delivered == 3);
  REQUIRE(s.f.sends.size() == 3);
  CHECK(s.f.sends[0].connection == s.a);
  CHECK(s.f.sends[1].connection == s.b);
  CHECK(s.f.sends[2].connection == s.c);
  for (ConnectionId id : {s.a, s.b, s.c}) CHECK(s.f.take(id) == std::vector<std::string>{kEvent});
  CHECK(s.f.take_webhooks().empty());
}

TEST_CASE("a fan-out encodes once: every SendFrame shares one buffer", "[engine][publish]") {
  Audience s;
  s.f.publish("my-channel", "news", R"({"n":1})");
  REQUIRE(s.f.sends.size() == 3);
  CHECK(s.f.sends[0].text.get() == s.f.sends[1].text.get());
  CHECK(s.f.sends[1].text.get() == s.f.sends[2].text.get());
}

TEST_CASE("data that is not JSON, or JSON-looking text, is forwarded unchanged as a string", "[engine][publish]") {
  Audience s;
  s.f.engine.publish(s.f.now, s.f.app(), "my-channel", "raw", "plain \"quoted\" text", std::nullopt);
  CHECK(s.f.take(s.a) ==
        std::vector<std::string>{R"({"event":"raw","channel":"my-channel","data":"plain \"quoted\" text"})"});
  s.f.engine.publish(s.f.now, s.f.app(), "my-channel", "raw", "", std::nullopt);
  CHECK(s.f.take(s.a) == std::vector<std::string>{R"({"event":"raw","channel":"my-channel","data":""})"});
}

TEST_CASE("exclude_socket_id skips exactly that connection", "[engine][publish]") {
  Audience s;
  std::string excluded = s.f.socket_id(s.b);
  PublishOutcome outcome = s.f.engine.publish(s.f.now, s.f.app(), "my-channel", "news", R"({"n":1})", excluded);
  CHECK(outcome.delivered == 2);
  CHECK(s.f.take(s.a) == std::vector<std::string>{kEvent});
  CHECK(s.f.take(s.b).empty());
  CHECK(s.f.take(s.c) == std::vector<std::string>{kEvent});
}

TEST_CASE("an unknown, malformed or other app's socket_id excludes nobody", "[engine][publish]") {
  AppConfig other = test_app();
  other.id = "2";
  other.key = "other-key";
  other.secret = "other-secret";
  EngineFixture f(test_options(), {test_app(), other});
  ConnectionId mine = f.connect();
  ConnectionId theirs = f.connect("/app/other-key?protocol=7");
  f.subscribe(mine, "my-channel");
  f.take(mine);
  for (std::string exclude : {std::string("1.1"), std::string("not-a-socket"), f.socket_id(theirs)}) {
    INFO(exclude);
    CHECK(f.engine.publish(f.now, f.app(), "my-channel", "news", "d", exclude).delivered == 1);
    CHECK(f.take(mine).size() == 1);
  }
  CHECK(f.take(theirs).empty());
}

TEST_CASE("publishing to a channel nobody is in delivers nothing and occupies nothing", "[engine][publish]") {
  Audience s;
  CHECK(s.f.engine.publish(s.f.now, s.f.app(), "empty-channel", "news", "d", std::nullopt).delivered == 0);
  CHECK(s.f.nothing_sent());
  CHECK_FALSE(s.f.engine.channel("1", "empty-channel", s.f.now).occupied());
  CHECK(s.f.engine.channels("1", s.f.now).size() == 1);
}

TEST_CASE("apps are separate: a publish reaches only its own app's subscribers", "[engine][publish]") {
  AppConfig other = test_app();
  other.id = "2";
  other.key = "other-key";
  other.secret = "other-secret";
  EngineFixture f(test_options(), {test_app(), other});
  ConnectionId mine = f.connect();
  ConnectionId theirs = f.connect("/app/other-key?protocol=7");
  f.subscribe(mine, "my-channel");
  f.subscribe(theirs, "my-channel");
  f.take(mine);
  f.take(theirs);
  CHECK(f.engine.publish(f.now, *f.engine.app_by_id("2"), "my-channel", "news", "d", std::nullopt).delivered == 1);
  CHECK(f.take(mine).empty());
  CHECK(f.take(theirs).size() == 1);
  CHECK(f.engine.channel("1", "my-channel", f.now).subscription_count == 1);
  CHECK(f.engine.app_by_key("other-key") == f.engine.app_by_id("2"));
  CHECK(f.engine.app_by_key("nope") == nullptr);
}

TEST_CASE("on_http is answered by the REST API against this engine's state", "[engine][publish]") {
  EngineFixture f;
  ConnectionId id = f.connect();
  f.subscribe(id, "my-channel");
  f.take(id);
  const std::string body = R"({"name":"news","data":"hello","channels":["my-channel"]})";
  SignedRestRequest signed_request =
      sign_rest_request(f.app().credentials(), "POST", "/apps/1/events", {}, body, to_unix_seconds(f.now));
  HttpRequest request{"POST", signed_request.target(), {{"Content-Type", "application/json"}}, body};
  HttpResponse response = f.engine.on_http(f.now, request);
  CHECK(response.status == 200);
  CHECK(f.take(id) == std::vector<std::string>{R"({"event":"news","channel":"my-channel","data":"hello"})"});
  HttpRequest unknown{"GET", "/apps/9/channels", {}, ""};
  CHECK(f.engine.on_http(f.now, unknown).status == 404);
}

TEST_CASE("publish never throws on data that is not valid UTF-8; bad bytes become U+FFFD", "[engine][publish]") {
  Audience s;
  PublishOutcome outcome{};
  CHECK_NOTHROW(outcome = s.f.publish("my-channel", "news",
                                      std::string("a\xff"
                                                  "b")));
  CHECK(outcome.delivered == 3);
  CHECK(s.f.take(s.a) ==
        std::vector<std::string>{"{\"event\":\"news\",\"channel\":\"my-channel\",\"data\":\"a\xef\xbf\xbd"
                                 "b\"}"});
}

TEST_CASE("take_outputs into a kept vector: the same outputs, the old ones dropped, capacity recycled",
          "[engine][publish]") {
  Audience s;
  std::vector<EngineOutput> kept;
  s.f.engine.publish(s.f.now, s.f.app(), "my-channel", "news", R"({"n":1})", std::nullopt);
  s.f.engine.take_outputs(kept);
  REQUIRE(kept.size() == 1);
  CHECK(recipients_of(kept[0]) == std::vector<ConnectionId>{s.a, s.b, s.c});
  CHECK(*std::get<BroadcastFrame>(kept[0]).text == kEvent);

  // The next take replaces the contents; the engine filled the buffer it got back last time.
  const EngineOutput* first_buffer = kept.data();
  s.f.engine.publish(s.f.now, s.f.app(), "my-channel", "news", R"({"n":2})", s.f.socket_id(s.b));
  s.f.engine.take_outputs(kept);
  REQUIRE(kept.size() == 1);
  CHECK(recipients_of(kept[0]) == std::vector<ConnectionId>{s.a, s.c});
  s.f.engine.publish(s.f.now, s.f.app(), "my-channel", "news", R"({"n":3})", std::nullopt);
  s.f.engine.take_outputs(kept);
  CHECK(kept.data() == first_buffer);
  s.f.engine.take_outputs(kept);
  CHECK(kept.empty());
}

TEST_CASE("a fan-out goes in ascending connection id order, whatever order they subscribed in", "[engine][publish]") {
  EngineFixture f;
  std::vector<ConnectionId> ids;
  for (int i = 0; i < 6; ++i) ids.push_back(f.connect());
  // Subscribed out of order, one leaves and comes back: the order stays by id.
  for (std::size_t i : {4, 1, 5, 0, 3, 2}) f.subscribe(ids[i], "my-channel");
  f.unsubscribe(ids[1], "my-channel");
  f.subscribe(ids[1], "my-channel");
  std::vector<EngineOutput> outputs;
  f.engine.publish(f.now, f.app(), "my-channel", "news", R"({"n":1})", std::nullopt);
  f.engine.take_outputs(outputs);
  REQUIRE(outputs.size() == 1);
  CHECK(recipients_of(outputs[0]) == ids);
}

TEST_CASE("a channel's subscriber list follows every change, and outputs keep the list they were given",
          "[engine][publish]") {
  Audience s;
  std::vector<EngineOutput> first;
  s.f.engine.publish(s.f.now, s.f.app(), "my-channel", "news", R"({"n":1})", std::nullopt);
  s.f.engine.take_outputs(first);
  REQUIRE(first.size() == 1);

  // Unchanged channel: the same list again, not a copy.
  std::vector<EngineOutput> again;
  s.f.engine.publish(s.f.now, s.f.app(), "my-channel", "news", R"({"n":2})", std::nullopt);
  s.f.engine.take_outputs(again);
  REQUIRE(again.size() == 1);
  CHECK(std::get<BroadcastFrame>(again[0]).recipients == std::get<BroadcastFrame>(first[0]).recipients);

  // b leaves: the next fan-out sees it; the earlier output still lists a, b, c.
  s.f.unsubscribe(s.b, "my-channel");
  std::vector<EngineOutput> without_b;
  s.f.engine.publish(s.f.now, s.f.app(), "my-channel", "news", R"({"n":3})", std::nullopt);
  s.f.engine.take_outputs(without_b);
  REQUIRE(without_b.size() == 1);
  CHECK(recipients_of(without_b[0]) == std::vector<ConnectionId>{s.a, s.c});

  // d joins: so does the next one.
  const ConnectionId d = s.f.connect();
  s.f.subscribe(d, "my-channel");
  std::vector<EngineOutput> after;
  s.f.engine.publish(s.f.now, s.f.app(), "my-channel", "news", R"({"n":3})", std::nullopt);
  s.f.engine.take_outputs(after);
  REQUIRE(after.size() == 1);
  CHECK(recipients_of(after[0]) == std::vector<ConnectionId>{s.a, s.c, d});
  CHECK(recipients_of(first[0]) == std::vector<ConnectionId>{s.a, s.b, s.c});

  // The last subscriber gone, a publish sends nothing at all.
  for (ConnectionId id : {s.a, s.c, d}) s.f.unsubscribe(id, "my-channel");
  PublishOutcome outcome = s.f.engine.publish(s.f.now, s.f.app(), "my-channel", "news", R"({"n":4})", std::nullopt);
  CHECK(outcome.delivered == 0);
  CHECK(s.f.engine.take_outputs().empty());
}
