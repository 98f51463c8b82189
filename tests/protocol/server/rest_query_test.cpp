// GET /channels, GET /channels/{name}, GET /channels/{name}/users and
// POST /users/{id}/terminate_connections (docs/protocol.md §7.4).
#include <catch2/catch.hpp>

#include "tests/protocol/server/rest_fixture.hpp"

using namespace pushsim;
using namespace pushsim::test;

namespace {

AppConfig app_with_subscription_count() {
  AppConfig app = test_app();
  app.subscription_count = true;
  return app;
}

}  // namespace

TEST_CASE("GET /channels lists only occupied channels, before and after subscribe and unsubscribe") {
  RestFixture fixture;
  CHECK(fixture.get("/channels").body == R"({"channels":{}})");
  ConnectionId subscriber = fixture.connect();
  fixture.subscribe(subscriber, "my-channel");
  fixture.subscribe(subscriber, "private-x");
  HttpResponse occupied = fixture.get("/channels");
  CHECK(occupied.status == 200);
  CHECK(occupied.body == R"({"channels":{"my-channel":{},"private-x":{}}})");
  fixture.unsubscribe(subscriber, "my-channel");
  CHECK(fixture.get("/channels").body == R"({"channels":{"private-x":{}}})");
  fixture.close(subscriber);
  CHECK(fixture.get("/channels").body == R"({"channels":{}})");
}

TEST_CASE("GET /channels filters by prefix") {
  RestFixture fixture;
  ConnectionId subscriber = fixture.connect();
  for (const char* channel : {"private-a", "public-b", "private-c"}) fixture.subscribe(subscriber, channel);
  fixture.join_presence(subscriber, "presence-x", "u1");
  HttpResponse response = fixture.get("/channels", {{"filter_by_prefix", "private-"}});
  CHECK(response.status == 200);
  CHECK(response.body == R"({"channels":{"private-a":{},"private-c":{}}})");
}

TEST_CASE("GET /channels info=user_count needs filter_by_prefix=presence-") {
  RestFixture fixture;
  fixture.join_presence(fixture.connect(), "presence-room", "u1");
  fixture.join_presence(fixture.connect(), "presence-room", "u1");  // the same user twice counts once
  fixture.join_presence(fixture.connect(), "presence-room", "u3");
  const std::string refusal = error_body("user_count may only be requested together with filter_by_prefix=presence-");
  HttpResponse unfiltered = fixture.get("/channels", {{"info", "user_count"}});
  CHECK(unfiltered.status == 400);
  CHECK(unfiltered.body == refusal);
  HttpResponse private_filter = fixture.get("/channels", {{"filter_by_prefix", "private-"}, {"info", "user_count"}});
  CHECK(private_filter.status == 400);
  CHECK(private_filter.body == refusal);
  HttpResponse presence = fixture.get("/channels", {{"filter_by_prefix", "presence-"}, {"info", "user_count"}});
  CHECK(presence.status == 200);
  CHECK(presence.body == R"({"channels":{"presence-room":{"user_count":2}}})");
}

TEST_CASE("GET /channels info=subscription_count counts connections when the feature is on") {
  RestFixture on(app_with_subscription_count());
  RestFixture off;
  for (RestFixture* fixture : {&on, &off}) {
    fixture->subscribe(fixture->connect(), "my-channel");
    fixture->subscribe(fixture->connect(), "my-channel");
  }
  CHECK(on.get("/channels", {{"info", "subscription_count"}}).body ==
        R"({"channels":{"my-channel":{"subscription_count":2}}})");
  CHECK(off.get("/channels", {{"info", "subscription_count"}}).body == R"({"channels":{"my-channel":{}}})");
  HttpResponse unknown = on.get("/channels", {{"info", "cache"}});
  CHECK(unknown.status == 400);
  CHECK(unknown.body ==
        error_body("info attribute 'cache' is not supported; expected user_count or subscription_count"));
}

TEST_CASE("GET /channels/{name} reports occupied before and after subscribe") {
  RestFixture fixture;
  HttpResponse before = fixture.get("/channels/my-channel");
  CHECK(before.status == 200);
  CHECK(before.body == R"({"occupied":false})");
  ConnectionId subscriber = fixture.connect();
  fixture.subscribe(subscriber, "my-channel");
  CHECK(fixture.get("/channels/my-channel").body == R"({"occupied":true})");
  fixture.unsubscribe(subscriber, "my-channel");
  CHECK(fixture.get("/channels/my-channel").body == R"({"occupied":false})");
}

TEST_CASE("GET /channels/{name} user_count is for presence channels only") {
  RestFixture fixture;
  ConnectionId subscriber = fixture.connect();
  fixture.subscribe(subscriber, "my-channel");
  HttpResponse public_channel = fixture.get("/channels/my-channel", {{"info", "user_count"}});
  CHECK(public_channel.status == 400);
  CHECK(public_channel.body == error_body("user_count is only available for presence channels; my-channel is public"));
  HttpResponse private_channel = fixture.get("/channels/private-x", {{"info", "user_count"}});
  CHECK(private_channel.status == 400);
  fixture.join_presence(subscriber, "presence-room", "u1");
  fixture.join_presence(fixture.connect(), "presence-room", "u2");
  HttpResponse presence = fixture.get("/channels/presence-room", {{"info", "user_count"}});
  CHECK(presence.status == 200);
  CHECK(presence.body == R"({"occupied":true,"user_count":2})");
}

TEST_CASE("GET /channels/{name} subscription_count is reported only when the feature is on") {
  RestFixture on(app_with_subscription_count());
  RestFixture off;
  for (RestFixture* fixture : {&on, &off}) {
    for (int i = 0; i < 3; ++i) fixture->subscribe(fixture->connect(), "my-channel");
  }
  CHECK(on.get("/channels/my-channel", {{"info", "subscription_count"}}).body ==
        R"({"occupied":true,"subscription_count":3})");
  CHECK(on.get("/channels/nobody", {{"info", "subscription_count"}}).body ==
        R"({"occupied":false,"subscription_count":0})");
  CHECK(off.get("/channels/my-channel", {{"info", "subscription_count"}}).body == R"({"occupied":true})");
}

TEST_CASE("GET /channels/{name} info=cache gives the last event and its ttl, or null") {
  RestFixture fixture;
  fixture.subscribe(fixture.connect(), "cache-news");
  CHECK(fixture.get("/channels/cache-news", {{"info", "cache"}}).body == R"({"cache":null,"occupied":true})");
  CHECK(fixture.post("/events", {{"name", "e"}, {"data", "first"}, {"channel", "cache-news"}}).status == 200);
  CHECK(fixture.post("/events", {{"name", "e"}, {"data", "latest"}, {"channel", "cache-news"}}).status == 200);
  CHECK(fixture.get("/channels/cache-news", {{"info", "cache"}}).body ==
        R"({"cache":{"data":"latest","ttl":1800},"occupied":true})");
  fixture.now += seconds(100) + ms(1);
  CHECK(fixture.get("/channels/cache-news", {{"info", "cache"}}).body ==
        R"({"cache":{"data":"latest","ttl":1700},"occupied":true})");
  HttpResponse not_cache = fixture.get("/channels/my-channel", {{"info", "cache"}});
  CHECK(not_cache.status == 400);
  CHECK(not_cache.body == error_body("cache is only available for cache channels; my-channel is not one"));
}

TEST_CASE("GET /channels/{name} refuses invalid names and unknown attributes") {
  RestFixture fixture;
  HttpResponse bad_name = fixture.get("/channels/bad%20name");
  CHECK(bad_name.status == 400);
  CHECK(bad_name.body ==
        error_body("channel name has invalid character byte 0x20 at position 3; allowed: A-Z a-z 0-9 _ - = @ , . ;"));
  HttpResponse unknown = fixture.get("/channels/my-channel", {{"info", "occupied"}});
  CHECK(unknown.status == 400);
  CHECK(unknown.body ==
        error_body("info attribute 'occupied' is not supported; expected user_count, subscription_count or cache"));
}

TEST_CASE("GET /channels/{name}/users lists presence members in join order") {
  RestFixture fixture;
  CHECK(fixture.get("/channels/presence-room/users").body == R"({"users":[]})");
  fixture.join_presence(fixture.connect(), "presence-room", "u2");
  fixture.join_presence(fixture.connect(), "presence-room", "u1");
  fixture.join_presence(fixture.connect(), "presence-room", "u2");
  HttpResponse response = fixture.get("/channels/presence-room/users");
  CHECK(response.status == 200);
  CHECK(response.body == R"({"users":[{"id":"u2"},{"id":"u1"}]})");
}

TEST_CASE("GET /channels/{name}/users is a 400 for other channel types") {
  RestFixture fixture;
  for (const char* channel : {"my-channel", "private-x", "private-encrypted-x", "cache-x"}) {
    INFO(channel);
    HttpResponse response = fixture.get("/channels/" + std::string(channel) + "/users");
    CHECK(response.status == 400);
    CHECK_THAT(response.body, Catch::StartsWith(R"({"error":"users can only be listed for presence channels; )"));
  }
  CHECK(fixture.get("/channels/my-channel/users").body ==
        error_body("users can only be listed for presence channels; my-channel is public"));
}

TEST_CASE("terminate_connections closes the user's signed-in connections with 4009, and only those") {
  RestFixture fixture;
  ConnectionId u1_first = fixture.connect();
  fixture.signin_as(u1_first, "u1");
  ConnectionId u1_second = fixture.connect();
  fixture.signin_as(u1_second, "u1");
  fixture.signin_as(fixture.connect(), "u2");
  fixture.connect();  // never signed in
  REQUIRE(fixture.take_closes().empty());
  HttpResponse response = fixture.post("/users/u1/terminate_connections", Json::object());
  CHECK(response.status == 200);
  CHECK(response.body == "{}");
  std::vector<std::pair<ConnectionId, int>> closed;
  for (const auto& close : fixture.take_closes()) closed.emplace_back(close.connection, close.code);
  CHECK(closed == std::vector<std::pair<ConnectionId, int>>{{u1_first, 4009}, {u1_second, 4009}});
}

TEST_CASE("terminate_connections of a user with no connection answers {}") {
  RestFixture fixture;
  HttpResponse response = fixture.post("/users/nobody/terminate_connections", Json::object());
  CHECK(response.status == 200);
  CHECK(response.body == "{}");
  HttpResponse empty_body =
      fixture.handle(fixture.signed_request("POST", "/apps/1/users/nobody/terminate_connections"));
  CHECK(empty_body.status == 200);
  CHECK(empty_body.body == "{}");
}

TEST_CASE("terminate_connections refuses a bad user id or a body that is not an object") {
  RestFixture fixture;
  HttpResponse bad_id = fixture.post("/users/a%20b/terminate_connections", Json::object());
  CHECK(bad_id.status == 400);
  CHECK(bad_id.body ==
        error_body("user id has invalid character byte 0x20 at position 1; allowed: A-Z a-z 0-9 _ - = @ , . ;"));
  HttpResponse bad_body = fixture.post_raw("/users/u1/terminate_connections", "nope");
  CHECK(bad_body.status == 400);
  CHECK(bad_body.body == error_body("request body is not valid JSON"));
}
