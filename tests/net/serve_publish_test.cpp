// pushsim serve + the REST client + the webhook listener, over loopback: publishing,
// exclusion by socket_id, client events, channel queries, signed webhooks.
#include <catch2/catch.hpp>

#include "support/serve_fixture.hpp"

namespace pushsim::test {

namespace {

bool has_frame(const LiveConnection& connection, const std::string& event, const std::string& data) {
  return !connection.frames_where([&](const Frame& f) { return f.event == event && f.data == Json(data); }).empty();
}

}  // namespace

TEST_CASE("serve: an event triggered through the REST client reaches every subscriber", "[net][serve][rest]") {
  ServeFixture fixture;
  auto alice = fixture.connected_client();
  auto bob = fixture.connected_client();
  ServeFixture::subscribe(*alice, "my-channel");
  ServeFixture::subscribe(*bob, "my-channel");

  auto response = fixture.rest->trigger({{"my-channel"}, "news", R"({"x":1})", std::nullopt, std::nullopt}, soon());
  REQUIRE(response.ok());
  CHECK(response->status == 200);
  CHECK(response->body == "{}");
  const std::string expected = R"({"event":"news","channel":"my-channel","data":"{\"x\":1}"})";
  CHECK(ServeFixture::wait_text(*alice, "news") == expected);
  CHECK(ServeFixture::wait_text(*bob, "news") == expected);
}

TEST_CASE("serve: the socket_id of a trigger is excluded from delivery", "[net][serve][rest]") {
  ServeFixture fixture;
  auto alice = fixture.connected_client();
  auto bob = fixture.connected_client();
  ServeFixture::subscribe(*alice, "my-channel");
  ServeFixture::subscribe(*bob, "my-channel");

  auto first = fixture.rest->trigger({{"my-channel"}, "news", "first", alice->socket_id(), std::nullopt}, soon());
  REQUIRE(first.ok());
  CHECK(first->status == 200);
  auto second = fixture.rest->trigger({{"my-channel"}, "news", "second", std::nullopt, std::nullopt}, soon());
  REQUIRE(second.ok());
  // Frames of one channel arrive in publish order: once alice has "second", "first" is not coming.
  REQUIRE_FALSE(alice->wait_for([&] { return has_frame(*alice, "news", "second"); }, soon(), "second").has_value());
  REQUIRE_FALSE(bob->wait_for([&] { return has_frame(*bob, "news", "second"); }, soon(), "second").has_value());
  CHECK_FALSE(has_frame(*alice, "news", "first"));
  CHECK(has_frame(*bob, "news", "first"));
}

TEST_CASE("serve: client events reach the other subscribers and never the sender", "[net][serve]") {
  ServeFixture fixture;
  auto alice = fixture.connected_client("u1");
  auto bob = fixture.connected_client("u2");
  ServeFixture::subscribe(*alice, "presence-room");
  ServeFixture::subscribe(*bob, "presence-room");
  ServeFixture::subscribe(*alice, "private-room");
  ServeFixture::subscribe(*bob, "private-room");

  REQUIRE_FALSE(alice->send_client_event("private-room", "client-typing", Json{{"x", 1}}).has_value());
  CHECK(ServeFixture::wait_text(*bob, "client-typing") ==
        R"({"event":"client-typing","channel":"private-room","data":{"x":1}})");
  REQUIRE_FALSE(alice->send_client_event("presence-room", "client-typing", Json{{"x", 2}}).has_value());
  std::size_t from = bob->frames().size();
  CHECK(ServeFixture::wait_text(*bob, "client-typing", from) ==
        R"({"event":"client-typing","channel":"presence-room","data":{"x":2},"user_id":"u1"})");
  // A round trip through alice after the sends: had she been sent her own event, it came first.
  auto pong = alice->send_ping();
  REQUIRE_FALSE(pong.has_value());
  ServeFixture::wait_text(*alice, "pusher:pong");
  CHECK(alice->frames_where([](const Frame& f) { return f.event == "client-typing"; }).empty());
}

TEST_CASE("serve: REST channel queries answer as the official API", "[net][serve][rest]") {
  ServeFixture fixture;
  auto alice = fixture.connected_client("u1");
  ServeFixture::subscribe(*alice, "presence-room");
  ServeFixture::subscribe(*alice, "my-channel");

  auto channels = fixture.rest->get("/channels", {}, soon());
  REQUIRE(channels.ok());
  CHECK(channels->status == 200);
  CHECK(channels->body == R"({"channels":{"my-channel":{},"presence-room":{}}})");
  auto users = fixture.rest->get("/channels/presence-room/users", {}, soon());
  REQUIRE(users.ok());
  CHECK(users->body == R"({"users":[{"id":"u1"}]})");
  auto info = fixture.rest->get("/channels/presence-room", {{"info", "user_count"}}, soon());
  REQUIRE(info.ok());
  CHECK(info->body == R"({"occupied":true,"user_count":1})");
}

TEST_CASE("serve: a request signed with the wrong secret is refused with 401", "[net][serve][rest]") {
  ServeFixture fixture;
  RestClient wrong(fixture.loop, RestClientOptions{fixture.server.http_url(), {"app-id", "app-key", "not-the-secret"}});
  auto response = wrong.get("/channels", {}, soon());
  REQUIRE(response.ok());
  CHECK(response->status == 401);
}

TEST_CASE("serve: webhooks reach the listener signed with the app secret", "[net][serve][webhooks]") {
  ServeFixture fixture;
  auto alice = fixture.connected_client();
  ServeFixture::subscribe(*alice, "my-channel");
  REQUIRE_FALSE(
      alice->wait_for([&] { return !fixture.listener->received().empty(); }, soon(), "a webhook").has_value());
  const ReceivedWebhook& hook = fixture.listener->received().front();
  INFO((hook.error ? hook.error->message : std::string("verified")));
  CHECK(hook.verified);
  CHECK(hook.app_id == "app-id");
  CHECK(hook.method == "POST");
  CHECK(hook.target == "/webhooks");
  CHECK(hook.events == Json::parse(R"([{"channel":"my-channel","name":"channel_occupied"}])"));
  REQUIRE(hook.time_ms.has_value());
  CHECK(*hook.time_ms <= to_unix_ms(hook.at));

  alice->unsubscribe("my-channel");
  REQUIRE_FALSE(alice->wait_for([&] { return fixture.listener->received().size() == 2; }, soon(), "a second webhook")
                    .has_value());
  CHECK(fixture.listener->verified_events().back() ==
        Json::parse(R"({"channel":"my-channel","name":"channel_vacated"})"));
}

TEST_CASE("serve: a webhook answered 500 is retried until the listener accepts it", "[net][serve][webhooks]") {
  ServeFixture fixture;
  fixture.listener->fail_next(2, 500);
  auto alice = fixture.connected_client();
  ServeFixture::subscribe(*alice, "my-channel");
  REQUIRE_FALSE(
      alice->wait_for([&] { return fixture.listener->received().size() == 3; }, soon(), "3 attempts").has_value());
  const auto& received = fixture.listener->received();
  CHECK(received[0].answered_status == 500);
  CHECK(received[1].answered_status == 500);
  CHECK(received[2].answered_status == 200);
  CHECK(received[0].body == received[2].body);  // a retry re-sends the same signed payload
  CHECK(received[2].verified);
}

}  // namespace pushsim::test
