#include <catch2/catch.hpp>

#include "protocol/webhook.hpp"
#include "webhook_events.hpp"

using pushsim::test::event;

using namespace pushsim;

TEST_CASE("channel_occupied and channel_vacated carry only name and channel", "[webhook]") {
  CHECK(event("channel_occupied", "my-channel").to_json().dump() ==
        R"({"channel":"my-channel","name":"channel_occupied"})");
  CHECK(event("channel_vacated", "my-channel").to_json().dump() ==
        R"({"channel":"my-channel","name":"channel_vacated"})");
}

TEST_CASE("member_added and member_removed carry the user_id", "[webhook]") {
  WebhookEvent added = event("member_added", "presence-room", "u1");
  CHECK(added.to_json().dump() == R"({"channel":"presence-room","name":"member_added","user_id":"u1"})");
  WebhookEvent removed = event("member_removed", "presence-room", "u2");
  CHECK(removed.to_json().dump() == R"({"channel":"presence-room","name":"member_removed","user_id":"u2"})");
}

TEST_CASE("client_event on a private channel has event, data and socket_id but no user_id", "[webhook]") {
  WebhookEvent e;
  e.name = "client_event";
  e.channel = "private-chat";
  e.event = "client-typing";
  e.data = Json{{"b", 2}, {"a", 1}};
  e.socket_id = "123.456";
  CHECK(
      e.to_json().dump() ==
      R"({"channel":"private-chat","data":{"a":1,"b":2},"event":"client-typing","name":"client_event","socket_id":"123.456"})");
}

TEST_CASE("client_event on a presence channel adds the sender's user_id", "[webhook]") {
  WebhookEvent e;
  e.name = "client_event";
  e.channel = "presence-room";
  e.user_id = "u1";
  e.event = "client-typing";
  e.data = Json("{\"x\":1}");  // a client that sent its data as a string keeps it a string
  e.socket_id = "1.2";
  CHECK(
      e.to_json().dump() ==
      R"({"channel":"presence-room","data":"{\"x\":1}","event":"client-typing","name":"client_event","socket_id":"1.2","user_id":"u1"})");
}

TEST_CASE("subscription_count carries the count as a number", "[webhook]") {
  WebhookEvent e = event("subscription_count", "my-channel");
  e.subscription_count = 7;
  CHECK(e.to_json().dump() == R"({"channel":"my-channel","name":"subscription_count","subscription_count":7})");
}

TEST_CASE("cache_miss carries only name and channel", "[webhook]") {
  CHECK(event("cache_miss", "cache-news").to_json().dump() == R"({"channel":"cache-news","name":"cache_miss"})");
}

TEST_CASE("encode_webhook_body puts time_ms first and keeps event order", "[webhook]") {
  std::vector<WebhookEvent> events{event("channel_vacated", "b"), event("member_added", "presence-a", "u1")};
  CHECK(encode_webhook_body(1700000000123, events) ==
        R"({"time_ms":1700000000123,"events":[{"channel":"b","name":"channel_vacated"},)"
        R"({"channel":"presence-a","name":"member_added","user_id":"u1"}]})");
}

TEST_CASE("encode_webhook_body with no events gives an empty list", "[webhook]") {
  CHECK(encode_webhook_body(5, {}) == R"({"time_ms":5,"events":[]})");
}

TEST_CASE("encode_webhook_body replaces invalid UTF-8 instead of throwing", "[webhook]") {
  std::vector<WebhookEvent> events{event("channel_occupied", "bad\xff")};
  std::string body;
  REQUIRE_NOTHROW(body = encode_webhook_body(1, events));
  CHECK(body == "{\"time_ms\":1,\"events\":[{\"channel\":\"bad\xEF\xBF\xBD\",\"name\":\"channel_occupied\"}]}");
}

TEST_CASE("a webhook config without event types wants every type", "[webhook]") {
  WebhookConfig config{"http://hook", {}};
  CHECK(config.wants("channel_occupied"));
  CHECK(config.wants("client_event"));
}

TEST_CASE("a webhook config with event types wants only those", "[webhook]") {
  WebhookConfig config{"http://hook", {"member_added", "member_removed"}};
  CHECK(config.wants("member_added"));
  CHECK(config.wants("member_removed"));
  CHECK_FALSE(config.wants("channel_occupied"));
  CHECK_FALSE(config.wants("member"));
}
