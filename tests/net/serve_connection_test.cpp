// pushsim serve + the live client, over loopback: connecting, subscribing, presence.
#include <catch2/catch.hpp>

#include <regex>

#include "support/serve_fixture.hpp"

namespace pushsim::test {

TEST_CASE("serve: a live client connects and gets connection_established with a socket id", "[net][serve]") {
  ServeFixture fixture;
  auto alice = fixture.connected_client();
  REQUIRE(alice->socket_id().has_value());
  CHECK(std::regex_match(*alice->socket_id(), std::regex(R"(^\d+\.\d+$)")));
  REQUIRE(alice->frames().size() == 1);
  CHECK(alice->frames()[0].text == R"({"event":"pusher:connection_established","data":"{\"socket_id\":\")" +
                                       *alice->socket_id() + R"(\",\"activity_timeout\":120}"})");
  CHECK(alice->errors().empty());
  CHECK(fixture.server.connection_count() == 1);
}

TEST_CASE("serve: an unknown app key is refused with 4001 and the client says so", "[net][serve]") {
  ServeFixture fixture;
  LiveConnectionOptions options;
  options.url = fixture.server.ws_url();
  options.app_key = "no-such-key";
  LiveConnection connection(fixture.loop, options);
  auto error = connection.connect(soon());
  REQUIRE(error.has_value());
  // pusher-js closes on a handshake error itself; the client says so after the server's error.
  CHECK(error->message ==
        "connect failed: server sent pusher:error 4001 \"Application does not exist\"; "
        "the client closed the WebSocket (handshake error 4001)");
  CHECK(connection.stage() == LiveStage::kClosed);
  CHECK(connection.client().state() == ConnectionState::kFailed);
}

TEST_CASE("serve: public and private subscriptions succeed with the official frames", "[net][serve]") {
  ServeFixture fixture;
  auto alice = fixture.connected_client();
  CHECK(ServeFixture::subscribe(*alice, "my-channel") ==
        R"({"event":"pusher_internal:subscription_succeeded","channel":"my-channel","data":"{}"})");
  CHECK(ServeFixture::subscribe(*alice, "private-room") ==
        R"({"event":"pusher_internal:subscription_succeeded","channel":"private-room","data":"{}"})");
  CHECK(alice->client().subscription_state("private-room") == SubscriptionState::kSubscribed);
}

TEST_CASE("serve: presence members see each other join and leave", "[net][serve]") {
  ServeFixture fixture;
  auto alice = fixture.connected_client("u1");
  auto bob = fixture.connected_client("u2");
  CHECK(
      ServeFixture::subscribe(*alice, "presence-room") ==
      R"({"event":"pusher_internal:subscription_succeeded","channel":"presence-room","data":"{\"presence\":{\"count\":1,\"hash\":{\"u1\":{\"name\":\"u1\"}},\"ids\":[\"u1\"]}}"})");
  std::size_t from = alice->frames().size();
  CHECK(
      ServeFixture::subscribe(*bob, "presence-room") ==
      R"({"event":"pusher_internal:subscription_succeeded","channel":"presence-room","data":"{\"presence\":{\"count\":2,\"hash\":{\"u1\":{\"name\":\"u1\"},\"u2\":{\"name\":\"u2\"}},\"ids\":[\"u1\",\"u2\"]}}"})");
  CHECK(
      ServeFixture::wait_text(*alice, "pusher_internal:member_added", from) ==
      R"({"event":"pusher_internal:member_added","channel":"presence-room","data":"{\"user_id\":\"u2\",\"user_info\":{\"name\":\"u2\"}}"})");
  REQUIRE(alice->client().members("presence-room") != nullptr);
  CHECK(alice->client().members("presence-room")->count() == 2);

  from = alice->frames().size();
  REQUIRE_FALSE(bob->close(soon()).has_value());
  CHECK(ServeFixture::wait_text(*alice, "pusher_internal:member_removed", from) ==
        R"({"event":"pusher_internal:member_removed","channel":"presence-room","data":"{\"user_id\":\"u2\"}"})");
}

}  // namespace pushsim::test
