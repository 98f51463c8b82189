#include <catch2/catch.hpp>

#include "protocol/client/client_test_util.hpp"

using namespace pushsim;
using namespace pushsim::test;

namespace {

constexpr std::string_view kSucceeded =
    R"({"event":"pusher_internal:subscription_succeeded","channel":"presence-room","data":"{\"presence\":{\"ids\":[\"u1\",\"u2\"],\"hash\":{\"u1\":{\"name\":\"Alice\"},\"u2\":{}},\"count\":2}}"})";

// Connected, subscribed to presence-room as u1, with u1 and u2 present.
ProtocolClient in_room() {
  auto client = connected_client();
  client.subscribe(kT0, "presence-room");
  auto request = single_auth_request(client.take_outputs());
  client.on_auth_response(
      kT0, request.request_id,
      Json{{"auth", "app-key:x"}, {"channel_data", R"({"user_id":"u1","user_info":{"name":"Alice"}})"}});
  client.on_text(kT0, kSucceeded);
  client.take_outputs();
  return client;
}

}  // namespace

TEST_CASE("presence subscription_succeeded carries the members, with me", "[client][presence]") {
  auto client = connected_client();
  client.subscribe(kT0, "presence-room");
  auto request = single_auth_request(client.take_outputs());
  client.on_auth_response(kT0, request.request_id,
                          Json{{"auth", "app-key:x"}, {"channel_data", R"({"user_id":"u1"})"}});
  client.take_outputs();
  client.on_text(kT0, kSucceeded);
  auto succeeded = only<SubscriptionSucceeded>(client.take_outputs());
  REQUIRE(succeeded.size() == 1);
  REQUIRE(succeeded[0].members);
  CHECK(succeeded[0].members->count() == 2);
  CHECK(succeeded[0].members->me() == MemberInfo{"u1", Json{{"name", "Alice"}}});
  CHECK(succeeded[0].members->get("u2") == MemberInfo{"u2", Json::object()});
  CHECK(*client.members("presence-room") == *succeeded[0].members);
}

TEST_CASE("member_added for a new user counts up and is reported", "[client][presence]") {
  auto client = in_room();
  client.on_text(
      kT0,
      R"({"event":"pusher_internal:member_added","channel":"presence-room","data":"{\"user_id\":\"u3\",\"user_info\":{\"name\":\"Carol\"}}"})");
  CHECK(described(client.take_outputs()) ==
        std::vector<std::string>{R"(event member_added #presence-room u3 {"name":"Carol"})"});
  CHECK(client.members("presence-room")->count() == 3);
}

TEST_CASE("member_added for a user already present is reported but not counted", "[client][presence]") {
  auto client = in_room();
  client.on_text(
      kT0,
      R"({"event":"pusher_internal:member_added","channel":"presence-room","data":{"user_id":"u2","user_info":{"n":1}}})");
  CHECK(only<PresenceMemberAdded>(client.take_outputs()).size() == 1);
  CHECK(client.members("presence-room")->count() == 2);
  CHECK(client.members("presence-room")->get("u2")->info == Json{{"n", 1}});
}

TEST_CASE("member_removed for a known user counts down; for an unknown one nothing", "[client][presence]") {
  auto client = in_room();
  client.on_text(
      kT0, R"({"event":"pusher_internal:member_removed","channel":"presence-room","data":"{\"user_id\":\"u9\"}"})");
  CHECK(client.take_outputs().empty());
  CHECK(client.members("presence-room")->count() == 2);
  client.on_text(
      kT0, R"({"event":"pusher_internal:member_removed","channel":"presence-room","data":"{\"user_id\":\"u2\"}"})");
  CHECK(described(client.take_outputs()) == std::vector<std::string>{"event member_removed #presence-room u2 {}"});
  CHECK(client.members("presence-room")->count() == 1);
}

TEST_CASE("malformed presence frames are protocol errors naming the frame", "[client][presence]") {
  auto client = in_room();
  std::string bad = R"({"event":"pusher_internal:member_added","channel":"presence-room","data":"{\"user_info\":{}}"})";
  client.on_text(kT0, bad);
  auto errors = only<ClientError>(client.take_outputs());
  REQUIRE(errors.size() == 1);
  CHECK(errors[0] == ClientError{ClientErrorKind::kProtocol, std::nullopt, "member_added data has no user_id", bad});
  CHECK(client.members("presence-room")->count() == 2);
}

TEST_CASE("presence success without presence data still subscribes, and says what is wrong", "[client][presence]") {
  auto client = connected_client();
  client.subscribe(kT0, "presence-room");
  auto request = single_auth_request(client.take_outputs());
  client.on_auth_response(kT0, request.request_id, Json{{"auth", "k:s"}, {"channel_data", R"({"user_id":"u1"})"}});
  client.take_outputs();
  client.on_text(kT0, R"({"event":"pusher_internal:subscription_succeeded","channel":"presence-room","data":"{}"})");
  auto outputs = client.take_outputs();
  REQUIRE(only<ClientError>(outputs).size() == 1);
  CHECK(only<ClientError>(outputs)[0].message == "presence subscription_succeeded data has no \"presence\" object");
  CHECK(only<SubscriptionSucceeded>(outputs).size() == 1);
  CHECK(client.subscription_state("presence-room") == SubscriptionState::kSubscribed);
}

TEST_CASE("member events on a channel we are not in reach the app only as messages", "[client][presence]") {
  auto client = connected_client();
  client.on_text(kT0,
                 R"({"event":"pusher_internal:member_added","channel":"presence-x","data":"{\"user_id\":\"u3\"}"})");
  auto outputs = client.take_outputs();
  CHECK(only<PresenceMemberAdded>(outputs).empty());
  CHECK(only<ClientMessage>(outputs).size() == 1);
}

TEST_CASE("a disconnect empties the member list", "[client][presence]") {
  auto client = in_room();
  client.on_close(kT0, 1006, "");
  CHECK(client.members("presence-room")->count() == 0);
  CHECK(client.members("presence-room")->hash().empty());
  CHECK(client.members("presence-room")->me() == std::nullopt);
}
