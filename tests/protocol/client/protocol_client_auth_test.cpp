#include <catch2/catch.hpp>

#include <fstream>
#include <sstream>

#include "protocol/client/client_test_util.hpp"
#include "test_paths.hpp"

using namespace pushsim;
using namespace pushsim::test;

namespace {

// The auth endpoint response the Node SDK produced for a vector of tests/data/vectors.json.
Json vector_response(std::string_view name) {
  std::ifstream in(pushsim::test::test_data() / "vectors.json");
  std::stringstream text;
  text << in.rdbuf();
  Json all = Json::parse(text.str(), nullptr, false);
  for (const auto& vector : all["vectors"]) {
    if (vector["name"] == name) return vector["expected"]["response"];
  }
  return nullptr;
}

// Subscribes and returns the AuthRequest it emitted.
AuthRequest subscribe_for_auth(ProtocolClient& client, std::string_view channel) {
  client.subscribe(kT0, channel);
  return single_auth_request(client.take_outputs());
}

}  // namespace

TEST_CASE("a private channel asks the authorizer, then subscribes with its auth", "[client][auth]") {
  auto client = connected_client();
  auto request = subscribe_for_auth(client, "private-foo");
  CHECK(request == AuthRequest{1, AuthKind::kChannel, "private-foo", "123.456"});
  CHECK(client.subscription_state("private-foo") == SubscriptionState::kPendingAuth);
  CHECK(client.on_auth_response(kT0, request.request_id, vector_response("private_channel_auth")));
  CHECK(
      sent(client.take_outputs()) ==
      std::vector<std::string>{
          R"({"event":"pusher:subscribe","data":{"auth":"app-key:c53bc505cb3d68dc9905dea8d5ed3c42f9e24aeed9453b7b9b200ff759958c02","channel":"private-foo"}})"});
  CHECK(client.subscription_state("private-foo") == SubscriptionState::kSubscribing);
}

TEST_CASE("a presence subscribe sends the signed channel_data string before channel", "[client][auth]") {
  auto client = connected_client();
  auto request = subscribe_for_auth(client, "presence-foo");
  CHECK(client.on_auth_response(kT0, request.request_id, vector_response("presence_channel_auth")));
  CHECK(
      sent(client.take_outputs()) ==
      std::vector<std::string>{
          R"({"event":"pusher:subscribe","data":{"auth":"app-key:ba2d0374d23d93a25bc53a8025f968dc6efceae14f440e3d125cced4323c9df1","channel_data":"{\"user_id\":\"u1\",\"user_info\":{\"name\":\"Alice\"}}","channel":"presence-foo"}})"});
  CHECK(client.members("presence-foo")->my_id() == std::optional<std::string>("u1"));
}

TEST_CASE("an encrypted channel keeps its shared_secret and never sends it", "[client][auth]") {
  auto client = connected_client();
  auto request = subscribe_for_auth(client, "private-encrypted-foo");
  Json response = vector_response("encrypted_channel_auth");
  response["channel_data"] = "{}";  // pusher-js passes only auth on for encrypted channels
  CHECK(client.on_auth_response(kT0, request.request_id, response));
  CHECK(
      sent(client.take_outputs()) ==
      std::vector<std::string>{
          R"({"event":"pusher:subscribe","data":{"auth":"app-key:8b3cc46461ed5056eda17e13acd313d4fe45b74091cd279b6fe29390116cf6cb","channel":"private-encrypted-foo"}})"});
  CHECK(client.shared_secret("private-encrypted-foo") ==
        std::optional<std::string>("E3I6KxLwqP1Rr/p1676Vpnrw23CkRdS5bkX5NazRkeY="));
}

TEST_CASE("an encrypted auth response without shared_secret is an AuthError", "[client][auth]") {
  auto client = connected_client();
  auto request = subscribe_for_auth(client, "private-encrypted-foo");
  client.on_auth_response(kT0, request.request_id, vector_response("private_channel_auth"));
  CHECK(
      described(client.take_outputs()) ==
      std::vector<std::string>{
          R"(event subscription_error #private-encrypted-foo local {"error":"No shared_secret key in auth payload for encrypted channel: private-encrypted-foo","type":"AuthError"})"});
}

TEST_CASE("a failed auth call becomes a local subscription_error with the HTTP status", "[client][auth]") {
  auto client = connected_client();
  auto request = subscribe_for_auth(client, "private-foo");
  CHECK(client.on_auth_response(kT0, request.request_id, AuthFailure{403, "Forbidden"}));
  CHECK(described(client.take_outputs()) ==
        std::vector<std::string>{
            R"(event subscription_error #private-foo local {"error":"Forbidden","status":403,"type":"AuthError"})"});
  CHECK(client.subscription_state("private-foo") == SubscriptionState::kUnsubscribed);
  CHECK(client.channels() == std::vector<std::string>{"private-foo"});  // still wanted
  client.subscribe(kT0, "private-foo");
  CHECK(single_auth_request(client.take_outputs()).request_id == 2);
}

TEST_CASE("an auth body that is not a JSON object fails as pusher-js does, with status 200", "[client][auth]") {
  auto client = connected_client();
  auto request = subscribe_for_auth(client, "private-foo");
  client.on_auth_response(kT0, request.request_id, Json::parse("<html>", nullptr, false));
  auto errors = only<SubscriptionError>(client.take_outputs());
  REQUIRE(errors.size() == 1);
  CHECK(errors[0].data["status"] == 200);
  CHECK(errors[0].data["type"] == "AuthError");
}

TEST_CASE("a presence auth response without channel_data is refused locally", "[client][auth]") {
  auto client = connected_client();
  auto request = subscribe_for_auth(client, "presence-foo");
  client.on_auth_response(kT0, request.request_id, vector_response("private_channel_auth"));
  auto outputs = client.take_outputs();
  CHECK(sent(outputs).empty());
  auto errors = only<SubscriptionError>(outputs);
  REQUIRE(errors.size() == 1);
  CHECK(errors[0].data == Json{{"type", "AuthError"},
                               {"error",
                                "Invalid auth response for channel 'presence-foo', expected "
                                "'channel_data' field holding a JSON object"}});
}

TEST_CASE("an auth response after unsubscribing is stale and dropped", "[client][auth]") {
  auto client = connected_client();
  auto request = subscribe_for_auth(client, "private-foo");
  client.unsubscribe(kT0, "private-foo");
  CHECK_FALSE(client.on_auth_response(kT0, request.request_id, vector_response("private_channel_auth")));
  CHECK(client.take_outputs().empty());
  CHECK(client.channels().empty());
}

TEST_CASE("leave and rejoin while auth is pending: only the new request's answer counts", "[client][auth]") {
  auto client = connected_client();
  auto first = subscribe_for_auth(client, "private-foo");
  client.unsubscribe(kT0, "private-foo");
  auto second = subscribe_for_auth(client, "private-foo");
  CHECK(second.request_id == first.request_id + 1);
  CHECK_FALSE(client.on_auth_response(kT0, first.request_id, vector_response("private_channel_auth")));
  CHECK(client.take_outputs().empty());
  CHECK(client.on_auth_response(kT0, second.request_id, vector_response("private_channel_auth")));
  CHECK(sent(client.take_outputs()).size() == 1);
}

TEST_CASE("an auth response from before a disconnect is stale; the reconnect asks again", "[client][auth]") {
  auto client = connected_client();
  auto old_request = subscribe_for_auth(client, "private-foo");
  client.on_close(kT0, 4200, "restart");
  client.take_outputs();
  CHECK_FALSE(client.on_auth_response(kT0, old_request.request_id, vector_response("private_channel_auth")));
  CHECK(client.take_outputs().empty());
  client.on_open(kT0 + seconds(1));
  client.on_text(kT0 + seconds(1),
                 R"({"event":"pusher:connection_established","data":{"socket_id":"7.8","activity_timeout":120}})");
  auto request = single_auth_request(client.take_outputs());
  CHECK(request == AuthRequest{2, AuthKind::kChannel, "private-foo", "7.8"});
}

TEST_CASE("answering an auth request twice, or one never made, is stale", "[client][auth]") {
  auto client = connected_client();
  auto request = subscribe_for_auth(client, "private-foo");
  CHECK(client.on_auth_response(kT0, request.request_id, vector_response("private_channel_auth")));
  client.take_outputs();
  CHECK_FALSE(client.on_auth_response(kT0, request.request_id, vector_response("private_channel_auth")));
  CHECK_FALSE(client.on_auth_response(kT0, 99, vector_response("private_channel_auth")));
  CHECK(client.take_outputs().empty());
}

TEST_CASE("unsubscribing between the auth answer and the success leaves after the success", "[client][auth]") {
  auto client = connected_client();
  auto request = subscribe_for_auth(client, "private-foo");
  client.on_auth_response(kT0, request.request_id, vector_response("private_channel_auth"));
  client.unsubscribe(kT0, "private-foo");
  client.take_outputs();
  client.on_text(kT0, R"({"event":"pusher_internal:subscription_succeeded","channel":"private-foo","data":"{}"})");
  CHECK(sent(client.take_outputs()) ==
        std::vector<std::string>{R"({"event":"pusher:unsubscribe","data":{"channel":"private-foo"}})"});
}
