// Per-app settings and their broken variants: disabled apps (4003, REST 403), the connection
// quota (4004), the message quota (REST 403), client events switched off, authorized
// connections, and presence channel_data bound by its signature.
#include <catch2/catch.hpp>

#include "tests/protocol/server/rest_fixture.hpp"

using namespace pushsim;
using namespace pushsim::test;

namespace {

RestFixture app_fixture(AppConfig app, std::optional<Defect> defect = std::nullopt) {
  EngineOptions options = test_options();
  if (defect) options.defects.add(*defect);
  return RestFixture(std::move(app), options);
}

Json one_trigger(const std::string& channel) {
  return {{"name", "e"}, {"data", "x"}, {"channels", Json::array({channel})}};
}

}  // namespace

TEST_CASE("a disabled app refuses connections with 4003 and signed REST calls with 403", "[engine][apps]") {
  AppConfig app = test_app();
  app.enabled = false;
  RestFixture f = app_fixture(app);
  f.open();
  auto closes = f.take_closes();
  REQUIRE(closes.size() == 1);
  CHECK(closes[0].code == 4003);
  CHECK(f.post("/events", one_trigger("news")).status == 403);
  RestFixture broken = app_fixture(app, Defect::kDisabledAppServed);
  broken.open();
  CHECK(broken.take_closes().empty());
  CHECK(broken.post("/events", one_trigger("news")).status == 200);
}

TEST_CASE("a connection over the app's quota is closed with 4004; a freed slot is usable", "[engine][apps]") {
  AppConfig app = test_app();
  app.max_connections = 1;
  RestFixture f = app_fixture(app);
  ConnectionId first = f.connect();
  f.open();
  auto closes = f.take_closes();
  REQUIRE(closes.size() == 1);
  CHECK(closes[0].code == 4004);
  f.close(first);
  f.open();
  CHECK(f.take_closes().empty());
  RestFixture broken = app_fixture(app, Defect::kConnectionQuotaIgnored);
  broken.connect();
  broken.open();
  CHECK(broken.take_closes().empty());
}

TEST_CASE("publishes past the message quota are answered 403 and deliver nothing", "[engine][apps]") {
  AppConfig app = test_app();
  app.max_messages = 3;
  RestFixture f = app_fixture(app);
  ConnectionId id = f.connect();
  f.subscribe(id, "news");
  f.take(id);
  CHECK(f.post("/events", one_trigger("news")).status == 200);
  // Two channels count two messages: 1 + 2 fills the quota of 3.
  CHECK(f.post("/events", Json{{"name", "e"}, {"data", "x"}, {"channels", {"news", "other"}}}).status == 200);
  CHECK(f.take(id).size() == 2);
  HttpResponse over = f.post("/events", one_trigger("news"));
  CHECK(over.status == 403);
  CHECK(over.body.find("message quota") != std::string::npos);
  CHECK(f.post("/batch_events", Json{{"batch", {Json{{"name", "e"}, {"data", "x"}, {"channel", "news"}}}}}).status ==
        403);
  CHECK(f.take(id).empty());
  RestFixture broken = app_fixture(app, Defect::kMessageQuotaIgnored);
  for (int i = 0; i < 4; ++i) CHECK(broken.post("/events", one_trigger("news")).status == 200);
}

TEST_CASE("client events are refused for an app that has them off, unless the variant ignores it", "[engine][apps]") {
  AppConfig app = test_app();
  app.client_events = false;
  for (const bool broken : {false, true}) {
    RestFixture f = broken ? app_fixture(app, Defect::kClientEventsSettingIgnored) : app_fixture(app);
    ConnectionId alice = f.connect();
    ConnectionId bob = f.connect();
    f.subscribe(alice, "private-chat");
    f.subscribe(bob, "private-chat");
    f.take(alice);
    f.take(bob);
    f.send(alice, R"({"event":"client-x","channel":"private-chat","data":{}})");
    CHECK(f.take(bob).size() == (broken ? 1u : 0u));
  }
}

TEST_CASE("presence channel_data other than the signed one is refused", "[engine][apps]") {
  RestFixture f = app_fixture(test_app());
  ConnectionId id = f.connect();
  const std::string sid = f.socket_id(id);
  const std::string auth = sign_channel(f.app().credentials(), sid, "presence-room", R"({"user_id":"u1"})");
  f.send_json(id,
              Json{{"event", "pusher:subscribe"},
                   {"data", {{"channel", "presence-room"}, {"auth", auth}, {"channel_data", R"({"user_id":"u2"})"}}}});
  const auto frames = f.take(id);
  REQUIRE(frames.size() == 1);
  CHECK(frames[0].find("Invalid signature") != std::string::npos);
}

TEST_CASE("a presence subscription with the private-form signature is refused, unless the variant takes it",
          "[engine][apps]") {
  for (const bool broken : {false, true}) {
    RestFixture f = broken ? app_fixture(test_app(), Defect::kChannelDataUnsigned) : app_fixture(test_app());
    ConnectionId id = f.connect();
    const std::string sid = f.socket_id(id);
    const std::string sent_data = R"({"user_id":"u2"})";
    const std::string auth = sign_channel(f.app().credentials(), sid, "presence-room", std::nullopt);
    f.send_json(id, Json{{"event", "pusher:subscribe"},
                         {"data", {{"channel", "presence-room"}, {"auth", auth}, {"channel_data", sent_data}}}});
    const auto frames = f.take(id);
    REQUIRE(frames.size() == 1);
    INFO(frames[0]);
    CHECK((frames[0].find("subscription_succeeded") != std::string::npos) == broken);
  }
}

TEST_CASE("authorized connections: which actions stop the timer, and the variants that differ", "[engine][apps]") {
  AppConfig app = test_app();
  app.user_authentication_required = true;
  app.authorization_timeout = seconds(2);
  struct Case {
    std::optional<Defect> defect;
    std::string channel;
    bool closed;
  };
  const Case cases[] = {
      {std::nullopt, "news", true},
      {std::nullopt, "private-room", false},
      {Defect::kPublicSubscribeAuthorizes, "news", false},
      {Defect::kPrivateSubscribeNotAuthorizing, "private-room", true},
      {Defect::kAuthorizationTimeoutIgnored, "news", false},
  };
  for (const auto& c : cases) {
    RestFixture f = app_fixture(app, c.defect);
    ConnectionId id = f.connect();
    f.subscribe(id, c.channel);
    f.advance(seconds(3));
    CHECK(!f.take_closes().empty() == c.closed);
  }
  for (const bool broken : {false, true}) {
    RestFixture f = broken ? app_fixture(app, Defect::kSigninNotAuthorizing) : app_fixture(app);
    ConnectionId id = f.connect();
    f.signin(id, R"({"id":"u1"})");
    f.advance(seconds(3));
    CHECK(!f.take_closes().empty() == broken);
  }
}
