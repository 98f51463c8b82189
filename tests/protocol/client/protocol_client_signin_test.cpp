#include <catch2/catch.hpp>

#include "protocol/client/client_test_util.hpp"

using namespace pushsim;
using namespace pushsim::test;

namespace {
const Json kUserAuth{{"auth", "app-key:sig"}, {"user_data", R"({"id":"u1","user_info":{"name":"Alice"}})"}};
constexpr std::string_view kSigninSuccess =
    R"({"event":"pusher:signin_success","data":{"user_data":"{\"id\":\"u1\",\"user_info\":{\"name\":\"Alice\"}}"}})";
}  // namespace

TEST_CASE("signin asks the authenticator, then sends pusher:signin with its answer", "[client][signin]") {
  auto client = connected_client();
  client.signin(kT0);
  auto request = single_auth_request(client.take_outputs());
  CHECK(request == AuthRequest{1, AuthKind::kUser, "", "123.456"});
  CHECK(client.on_auth_response(kT0, request.request_id, kUserAuth));
  CHECK(
      sent(client.take_outputs()) ==
      std::vector<std::string>{
          R"({"event":"pusher:signin","data":{"auth":"app-key:sig","user_data":"{\"id\":\"u1\",\"user_info\":{\"name\":\"Alice\"}}"}})"});
}

TEST_CASE("signin_success reports the user and subscribes to the user's own channel", "[client][signin]") {
  auto client = connected_client();
  client.signin(kT0);
  client.on_auth_response(kT0, 1, kUserAuth);
  client.take_outputs();
  client.on_text(kT0, kSigninSuccess);
  CHECK(described(client.take_outputs()) ==
        std::vector<std::string>{
            R"(event signin_success {"id":"u1","user_info":{"name":"Alice"}})",
            R"(send {"event":"pusher:subscribe","data":{"auth":"","channel":"#server-to-user-u1"}})",
        });
  CHECK(client.user_data() == std::optional<Json>(Json{{"id", "u1"}, {"user_info", {{"name", "Alice"}}}}));
  CHECK(client.subscription_state("#server-to-user-u1") == SubscriptionState::kSubscribing);
}

TEST_CASE("signin before connecting waits for the connection; a second signin is a no-op", "[client][signin]") {
  ProtocolClient client;
  client.signin(kT0);
  client.signin(kT0);
  CHECK(client.take_outputs().empty());
  client.on_open(kT0);
  client.on_text(kT0, kEstablished);
  CHECK(only<AuthRequest>(client.take_outputs()) == std::vector<AuthRequest>{{1, AuthKind::kUser, "", "123.456"}});
}

TEST_CASE("a reconnect signs in again and forgets the old user's channel", "[client][signin]") {
  auto client = connected_client();
  client.signin(kT0);
  client.on_auth_response(kT0, 1, kUserAuth);
  client.on_text(kT0, kSigninSuccess);
  client.on_close(kT0, 4200, "");
  CHECK(client.user_data() == std::nullopt);
  CHECK(client.channels().empty());
  client.take_outputs();
  client.on_open(kT0);
  client.on_text(kT0, kEstablished);
  auto outputs = client.take_outputs();
  CHECK(only<AuthRequest>(outputs) == std::vector<AuthRequest>{{2, AuthKind::kUser, "", "123.456"}});
  CHECK(sent(outputs).empty());
}

TEST_CASE("a failed user authentication is reported as signin_failed", "[client][signin]") {
  auto client = connected_client();
  client.signin(kT0);
  client.take_outputs();
  client.on_auth_response(kT0, 1, AuthFailure{500, "boom"});
  CHECK(described(client.take_outputs()) ==
        std::vector<std::string>{R"(event signin_failed {"error":"boom","status":500,"type":"AuthError"})"});
}

TEST_CASE("signin_success with unreadable user_data is a protocol error and signs no one in", "[client][signin]") {
  const char* frames[] = {
      R"({"event":"pusher:signin_success","data":{"user_data":"not json"}})",
      R"({"event":"pusher:signin_success","data":{"user_data":"{\"id\":\"\"}"}})",
      R"({"event":"pusher:signin_success","data":{"user_data":{"id":"u1"}}})",
      R"({"event":"pusher:signin_success"})",
  };
  for (const char* frame : frames) {
    INFO(frame);
    auto client = connected_client();
    client.on_text(kT0, frame);
    auto outputs = client.take_outputs();
    CHECK(only<ClientError>(outputs).size() == 1);
    CHECK(sent(outputs).empty());
    CHECK(client.user_data() == std::nullopt);
  }
}

TEST_CASE("events on the user's channel reach the app as messages", "[client][signin]") {
  auto client = connected_client();
  client.on_text(kT0, kSigninSuccess);
  client.on_text(kT0,
                 R"({"event":"pusher_internal:subscription_succeeded","channel":"#server-to-user-u1","data":"{}"})");
  client.take_outputs();
  client.on_text(kT0, R"({"event":"note","channel":"#server-to-user-u1","data":"hi"})");
  auto messages = only<ClientMessage>(client.take_outputs());
  REQUIRE(messages.size() == 1);
  CHECK(messages[0].frame.event == "note");
  client.unsubscribe(kT0, "#server-to-user-u1");  // not the application's to leave
  CHECK(client.subscription_state("#server-to-user-u1") == SubscriptionState::kSubscribed);
}
