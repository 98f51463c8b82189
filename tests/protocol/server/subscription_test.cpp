#include <catch2/catch.hpp>

#include "engine_fixture.hpp"

using namespace pushsim;
using namespace pushsim::test;

namespace {

std::string succeeded(const std::string& channel) {
  return R"({"event":"pusher_internal:subscription_succeeded","channel":")" + channel + R"(","data":"{}"})";
}

std::string null_error(const std::string& message) {
  return R"({"event":"pusher:error","data":{"code":null,"message":)" + Json(message).dump() + "}}";
}

Json hook(const std::string& name, const std::string& channel) { return Json{{"name", name}, {"channel", channel}}; }

// Sends the subscribe frame and expects exactly one null-code pusher:error, nothing else.
void expect_refused(EngineFixture& f, ConnectionId id, const Json& frame, const std::string& message) {
  f.take_webhooks();
  auto before = f.engine.channels("1", f.now);
  f.send_json(id, frame);
  CHECK(f.take(id) == std::vector<std::string>{null_error(message)});
  CHECK(f.nothing_sent());
  CHECK(f.take_closes().empty());
  CHECK(f.take_webhooks().empty());
  CHECK(f.engine.channels("1", f.now) == before);
}

Json subscribe_with(const std::string& channel, const std::string& auth) {
  return Json{{"event", "pusher:subscribe"}, {"data", {{"channel", channel}, {"auth", auth}}}};
}

}  // namespace

TEST_CASE("a public subscription succeeds with data \"{}\" and occupies the channel", "[engine][subscribe]") {
  EngineFixture f;
  ConnectionId id = f.connect();
  f.subscribe(id, "my-channel");
  CHECK(f.take(id) == std::vector<std::string>{succeeded("my-channel")});
  ChannelSnapshot snapshot = f.engine.channel("1", "my-channel", f.now);
  CHECK(snapshot.subscription_count == 1);
  CHECK(snapshot.occupied());
  CHECK(f.take_webhooks() == std::vector<Json>{hook("channel_occupied", "my-channel")});
}

TEST_CASE("subscription_succeeded_data=false omits data, as soketi does", "[engine][subscribe]") {
  EngineOptions options = test_options();
  options.subscription_succeeded_data = false;
  EngineFixture f(options);
  ConnectionId id = f.connect();
  f.subscribe(id, "my-channel");
  CHECK(f.take(id) ==
        std::vector<std::string>{R"({"event":"pusher_internal:subscription_succeeded","channel":"my-channel"})"});
}

TEST_CASE("a public subscription ignores whatever auth it carries", "[engine][subscribe]") {
  EngineFixture f;
  ConnectionId id = f.connect();
  f.send_json(id, subscribe_with("my-channel", "app-key:garbage"));
  CHECK(f.take(id) == std::vector<std::string>{succeeded("my-channel")});
}

TEST_CASE("a private subscription with a valid signature succeeds", "[engine][subscribe]") {
  EngineFixture f;
  ConnectionId id = f.connect();
  f.subscribe(id, "private-foo");
  CHECK(f.take(id) == std::vector<std::string>{succeeded("private-foo")});
  CHECK(f.engine.channel("1", "private-foo", f.now).subscription_count == 1);
}

TEST_CASE("a private subscription without auth is refused with the official message", "[engine][subscribe]") {
  EngineFixture f;
  ConnectionId id = f.connect();
  expect_refused(f, id, subscribe_with("private-foo", ""), "Auth info required to subscribe to private-foo");
  expect_refused(f, id, Json{{"event", "pusher:subscribe"}, {"data", {{"channel", "private-foo"}}}},
                 "Auth info required to subscribe to private-foo");
}

TEST_CASE("a private subscription with a bad signature names the signed string but not the digest",
          "[engine][subscribe]") {
  EngineFixture f;
  ConnectionId id = f.connect();
  const std::string sid = f.socket_id(id);
  const std::string good = sign_channel(f.app().credentials(), sid, "private-foo");
  const std::string bad = "app-key:" + std::string(64, '0');
  expect_refused(f, id, subscribe_with("private-foo", bad),
                 "Invalid signature: Expected HMAC SHA256 hex digest of " + sid + ":private-foo, but got " + bad);
  // A signature for another channel, or another socket, or under another key is just as bad.
  const std::string other_channel = sign_channel(f.app().credentials(), sid, "private-bar");
  expect_refused(
      f, id, subscribe_with("private-foo", other_channel),
      "Invalid signature: Expected HMAC SHA256 hex digest of " + sid + ":private-foo, but got " + other_channel);
  const std::string wrong_key = "other-key" + good.substr(good.find(':'));
  expect_refused(f, id, subscribe_with("private-foo", wrong_key),
                 "Invalid signature: Expected HMAC SHA256 hex digest of " + sid + ":private-foo, but got " + wrong_key);
  // The message must not leak the expected digest.
  f.send_json(id, subscribe_with("private-foo", bad));
  auto frames = f.take(id);
  REQUIRE(frames.size() == 1);
  CHECK(frames[0].find(good.substr(good.find(':') + 1)) == std::string::npos);
}

TEST_CASE("encrypted channels are authorized with the private string", "[engine][subscribe]") {
  EngineFixture f;
  ConnectionId id = f.connect();
  f.subscribe(id, "private-encrypted-foo");
  CHECK(f.take(id) == std::vector<std::string>{succeeded("private-encrypted-foo")});
  ConnectionId other = f.connect();
  expect_refused(f, other, subscribe_with("private-encrypted-foo", ""),
                 "Auth info required to subscribe to private-encrypted-foo");
}

TEST_CASE("channel names over channel_name_max or with bad characters are refused", "[engine][subscribe]") {
  EngineFixture f;
  ConnectionId id = f.connect();
  std::string at_limit(164, 'a');
  f.subscribe(id, at_limit);
  CHECK(f.take(id) == std::vector<std::string>{succeeded(at_limit)});
  std::string too_long(165, 'a');
  expect_refused(f, id, subscribe_with(too_long, ""),
                 "Invalid channel name " + too_long + ": channel name is 165 characters long; the limit is 164");
  expect_refused(f, id, subscribe_with("my channel", ""),
                 "Invalid channel name my channel: channel name has invalid character byte 0x20 at position 2; "
                 "allowed: A-Z a-z 0-9 _ - = @ , . ;");
  expect_refused(f, id, subscribe_with("", ""), "Invalid channel name : channel name is empty");
}

TEST_CASE("reserved # channel names other than #server-to-user- are refused", "[engine][subscribe]") {
  EngineFixture f;
  ConnectionId id = f.connect();
  expect_refused(f, id, subscribe_with("#internal", ""),
                 "Cannot subscribe to #internal: names starting with # are reserved");
}

TEST_CASE("#server-to-user-<id> is only for the connection signed in as that user", "[engine][subscribe]") {
  EngineFixture f;
  ConnectionId id = f.connect();
  expect_refused(f, id, subscribe_with("#server-to-user-u1", ""),
                 "Cannot subscribe to #server-to-user-u1: the connection is not signed in as that user");
  f.signin(id, R"({"id":"u1"})");
  f.take(id);
  expect_refused(f, id, subscribe_with("#server-to-user-u2", ""),
                 "Cannot subscribe to #server-to-user-u2: the connection is not signed in as that user");
  f.subscribe(id, "#server-to-user-u1");
  CHECK(f.take(id) == std::vector<std::string>{succeeded("#server-to-user-u1")});
}

TEST_CASE("subscribing twice on one connection answers twice and counts once", "[engine][subscribe]") {
  EngineFixture f;
  ConnectionId id = f.connect();
  f.subscribe(id, "my-channel");
  f.subscribe(id, "my-channel");
  CHECK(f.take(id) == std::vector<std::string>{succeeded("my-channel"), succeeded("my-channel")});
  CHECK(f.engine.channel("1", "my-channel", f.now).subscription_count == 1);
  CHECK(f.take_webhooks() == std::vector<Json>{hook("channel_occupied", "my-channel")});
  // One unsubscribe is enough to leave.
  f.unsubscribe(id, "my-channel");
  CHECK_FALSE(f.engine.channel("1", "my-channel", f.now).occupied());
}

TEST_CASE("unsubscribe sends no reply and vacates the channel with its last subscriber", "[engine][subscribe]") {
  EngineFixture f;
  ConnectionId a = f.connect();
  ConnectionId b = f.connect();
  f.subscribe(a, "my-channel");
  f.subscribe(b, "my-channel");
  f.take(a);
  f.take(b);
  CHECK(f.take_webhooks() == std::vector<Json>{hook("channel_occupied", "my-channel")});
  f.unsubscribe(a, "my-channel");
  CHECK(f.nothing_sent());
  CHECK(f.take_webhooks().empty());
  CHECK(f.engine.channel("1", "my-channel", f.now).subscription_count == 1);
  f.unsubscribe(b, "my-channel");
  CHECK(f.nothing_sent());
  CHECK(f.take_webhooks() == std::vector<Json>{hook("channel_vacated", "my-channel")});
  CHECK(f.engine.channels("1", f.now).empty());
}

TEST_CASE("unsubscribing from a channel the connection is not in is ignored", "[engine][subscribe]") {
  EngineFixture f;
  ConnectionId a = f.connect();
  ConnectionId b = f.connect();
  f.subscribe(b, "my-channel");
  f.take(b);
  f.take_webhooks();
  auto before = f.engine.channels("1", f.now);
  f.unsubscribe(a, "my-channel");
  f.unsubscribe(a, "never-heard-of-it");
  CHECK(f.nothing_sent());
  CHECK(f.take_webhooks().empty());
  CHECK(f.engine.channels("1", f.now) == before);
}

TEST_CASE("a disconnect vacates every channel of the connection", "[engine][subscribe]") {
  EngineFixture f;
  ConnectionId id = f.connect();
  f.subscribe(id, "b-channel");
  f.subscribe(id, "a-channel");
  f.take_webhooks();
  f.close(id);
  CHECK(f.take_webhooks() ==
        std::vector<Json>{hook("channel_vacated", "a-channel"), hook("channel_vacated", "b-channel")});
  CHECK(f.engine.channels("1", f.now).empty());
}

TEST_CASE("channels() lists occupied channels sorted by name; channel() of an unknown one is unoccupied",
          "[engine][subscribe]") {
  EngineFixture f;
  ConnectionId id = f.connect();
  for (const char* name : {"zeta", "alpha", "private-mid"}) f.subscribe(id, name);
  auto channels = f.engine.channels("1", f.now);
  REQUIRE(channels.size() == 3);
  CHECK(channels[0].name == "alpha");
  CHECK(channels[1].name == "private-mid");
  CHECK(channels[2].name == "zeta");
  CHECK(f.engine.channels("2", f.now).empty());
  ChannelSnapshot unknown = f.engine.channel("1", "nobody-here", f.now);
  CHECK(unknown.name == "nobody-here");
  CHECK_FALSE(unknown.occupied());
  CHECK(unknown.members.empty());
  CHECK_FALSE(unknown.cache.has_value());
}

TEST_CASE("subscription_count is broadcast to every subscriber on each change when the app enables it",
          "[engine][subscribe]") {
  AppConfig app = test_app();
  app.subscription_count = true;
  EngineFixture f(test_options(), {app});
  ConnectionId a = f.connect();
  ConnectionId b = f.connect();
  auto count = [](int n) {
    return R"({"event":"pusher_internal:subscription_count","channel":"my-channel","data":"{\"subscription_count\":)" +
           std::to_string(n) + R"(}"})";
  };
  f.subscribe(a, "my-channel");
  CHECK(f.take(a) == std::vector<std::string>{succeeded("my-channel"), count(1)});
  f.subscribe(b, "my-channel");
  CHECK(f.take(a) == std::vector<std::string>{count(2)});
  CHECK(f.take(b) == std::vector<std::string>{succeeded("my-channel"), count(2)});
  f.unsubscribe(b, "my-channel");
  CHECK(f.take(a) == std::vector<std::string>{count(1)});
  CHECK(f.take(b).empty());
  auto counted = [](int n) {
    return Json{{"name", "subscription_count"}, {"channel", "my-channel"}, {"subscription_count", n}};
  };
  CHECK(f.take_webhooks() ==
        std::vector<Json>{hook("channel_occupied", "my-channel"), counted(1), counted(2), counted(1)});
  f.unsubscribe(a, "my-channel");
  CHECK(f.take_webhooks() == std::vector<Json>{hook("channel_vacated", "my-channel")});
}

TEST_CASE("subscription_count is off by default and never sent on presence channels", "[engine][subscribe]") {
  EngineFixture plain;
  ConnectionId id = plain.connect();
  plain.subscribe(id, "my-channel");
  CHECK(plain.take(id).size() == 1);

  AppConfig app = test_app();
  app.subscription_count = true;
  EngineFixture f(test_options(), {app});
  ConnectionId a = f.connect();
  ConnectionId b = f.connect();
  f.join_presence(a, "presence-room", "u1");
  f.join_presence(b, "presence-room", "u2");
  auto frames = f.take(a);
  REQUIRE(frames.size() == 1);
  CHECK(frames[0].find("member_added") != std::string::npos);
  for (const auto& event : f.take_webhooks()) CHECK(event["name"] != "subscription_count");
}

namespace {

std::vector<int> webhook_counts(const std::vector<Json>& events) {
  std::vector<int> out;
  for (const auto& event : events) {
    if (event.value("name", "") == "subscription_count") out.push_back(event["subscription_count"].get<int>());
  }
  return out;
}

// An app with subscription counting and `n` connections subscribed to "crowd", one at a time at
// the same instant, their frames and webhooks so far dropped.
struct Crowd {
  explicit Crowd(std::size_t n) : f(test_options(), {counted_app()}) {
    for (std::size_t i = 0; i < n; ++i) add();
    drain();
  }
  static AppConfig counted_app() {
    AppConfig app = test_app();
    app.subscription_count = true;
    return app;
  }
  ConnectionId add() {
    ConnectionId id = f.connect();
    f.subscribe(id, "crowd");
    ids.push_back(id);
    return id;
  }
  void drain() {
    for (ConnectionId id : ids) f.take(id);
    f.take_webhooks();
  }
  EngineFixture f;
  std::vector<ConnectionId> ids;
};

}  // namespace

TEST_CASE("above 100 subscribers a count change inside the 5-s window is held, and its end sends the current count",
          "[engine][subscribe][subscription_count]") {
  Crowd crowd(100);
  EngineFixture& f = crowd.f;
  const TimeNs start = f.now;
  // The 101st goes out at once and opens the window.
  crowd.add();
  for (ConnectionId id : crowd.ids) CHECK(subscription_counts(f.take(id)) == std::vector<int>{101});
  CHECK(webhook_counts(f.take_webhooks()) == std::vector<int>{101});
  // Two more changes inside it: held, a webhook owed.
  const ConnectionId late = crowd.add();
  crowd.add();
  for (ConnectionId id : crowd.ids) CHECK(subscription_counts(f.take(id)).empty());
  CHECK(webhook_counts(f.take_webhooks()).empty());
  CHECK(f.engine.webhooks_outstanding() == 1);
  CHECK(f.engine.next_deadline() == start + seconds(5));
  f.advance(seconds(5) - 1);
  CHECK(subscription_counts(f.take(crowd.ids.front())).empty());
  // The window's end sends the count as it is then, once, to every subscriber.
  f.advance(1);
  for (ConnectionId id : crowd.ids) CHECK(subscription_counts(f.take(id)) == std::vector<int>{103});
  CHECK(webhook_counts(f.take_webhooks()) == std::vector<int>{103});
  CHECK(f.engine.webhooks_outstanding() == 0);
  // That send opened the next window: a leave inside it is held until its end too.
  f.unsubscribe(late, "crowd");
  CHECK(subscription_counts(f.take(crowd.ids.front())).empty());
  f.advance(seconds(5));
  CHECK(subscription_counts(f.take(crowd.ids.front())) == std::vector<int>{102});
  CHECK(subscription_counts(f.take(late)).empty());
  CHECK(webhook_counts(f.take_webhooks()) == std::vector<int>{102});
  // A window that ends with nothing held sends nothing and closes: the next change goes out at once.
  f.advance(seconds(5));
  CHECK(subscription_counts(f.take(crowd.ids.front())).empty());
  CHECK_FALSE(f.engine.next_deadline() < f.now + seconds(5));
  f.subscribe(late, "crowd");
  CHECK(subscription_counts(f.take(crowd.ids.front())) == std::vector<int>{103});
  CHECK(webhook_counts(f.take_webhooks()) == std::vector<int>{103});
}

TEST_CASE("a count change to 100 or fewer goes out at once and drops what the window held",
          "[engine][subscribe][subscription_count]") {
  Crowd crowd(101);  // the 101st opened a window
  EngineFixture& f = crowd.f;
  const ConnectionId last = crowd.add();  // 102, held
  CHECK(subscription_counts(f.take(crowd.ids.front())).empty());
  f.unsubscribe(last, "crowd");  // 101, held
  CHECK(subscription_counts(f.take(crowd.ids.front())).empty());
  f.unsubscribe(crowd.ids[100], "crowd");  // 100: at once
  CHECK(subscription_counts(f.take(crowd.ids.front())) == std::vector<int>{100});
  CHECK(webhook_counts(f.take_webhooks()) == std::vector<int>{100});
  CHECK(f.engine.webhooks_outstanding() == 0);
  f.advance(seconds(5));
  CHECK(subscription_counts(f.take(crowd.ids.front())).empty());
  CHECK(webhook_counts(f.take_webhooks()).empty());
  // At 100 and below every change goes out at once, however close together.
  f.unsubscribe(crowd.ids[99], "crowd");
  f.subscribe(crowd.ids[99], "crowd");
  CHECK(subscription_counts(f.take(crowd.ids.front())) == std::vector<int>{99, 100});
}
