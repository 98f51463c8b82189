#include <catch2/catch.hpp>

#include "protocol/client/client_test_util.hpp"

using namespace pushsim;
using namespace pushsim::test;

namespace {

// Connected and subscribed to `channel` (a private, presence or public one).
ProtocolClient subscribed_to(std::string_view channel) {
  auto client = connected_client();
  client.subscribe(kT0, channel);
  auto outputs = client.take_outputs();
  if (auto requests = only<AuthRequest>(outputs); !requests.empty()) {
    client.on_auth_response(
        kT0, requests[0].request_id,
        Json{{"auth", "k:s"}, {"channel_data", R"({"user_id":"u1"})"}, {"shared_secret", "c2VjcmV0"}});
  }
  client.on_text(kT0, R"({"event":"pusher_internal:subscription_succeeded","channel":")" + std::string(channel) +
                          R"(","data":"{\"presence\":{\"hash\":{},\"count\":0}}"})");
  client.take_outputs();
  return client;
}

}  // namespace

TEST_CASE("a client event on a subscribed private channel goes out in pusher-js's form", "[client][client_events]") {
  auto client = subscribed_to("private-chat");
  REQUIRE_FALSE(client.send_client_event(kT0, "private-chat", "client-typing", Json{{"who", "u1"}}));
  CHECK(sent(client.take_outputs()) ==
        std::vector<std::string>{R"({"event":"client-typing","data":{"who":"u1"},"channel":"private-chat"})"});
}

TEST_CASE("client events on presence channels are allowed too", "[client][client_events]") {
  auto client = subscribed_to("presence-room");
  REQUIRE_FALSE(client.send_client_event(kT0, "presence-room", "client-x", Json::array({1, 2})));
  CHECK(sent(client.take_outputs()) ==
        std::vector<std::string>{R"({"event":"client-x","data":[1,2],"channel":"presence-room"})"});
}

TEST_CASE("client events not named client-* are refused and nothing is sent", "[client][client_events]") {
  auto client = subscribed_to("private-chat");
  CHECK(client.send_client_event(kT0, "private-chat", "typing", Json::object()) ==
        make_error("event 'typing' does not start with 'client-'"));
  CHECK(client.take_outputs().empty());
}

TEST_CASE("client events on public and encrypted channels are refused", "[client][client_events]") {
  auto client = subscribed_to("news");
  CHECK(client.send_client_event(kT0, "news", "client-x", Json::object()) ==
        make_error("client events are only supported on private and presence channels; 'news' is public"));
  auto encrypted = subscribed_to("private-encrypted-chat");
  CHECK(encrypted.subscription_state("private-encrypted-chat") == SubscriptionState::kSubscribed);
  CHECK(encrypted.send_client_event(kT0, "private-encrypted-chat", "client-x", Json::object()) ==
        make_error("client events are only supported on private and presence channels; 'private-encrypted-chat' "
                   "is encrypted"));
  CHECK(client.take_outputs().empty());
  CHECK(encrypted.take_outputs().empty());
}

TEST_CASE("client events on a channel not (yet) subscribed are refused", "[client][client_events]") {
  auto client = connected_client();
  CHECK(client.send_client_event(kT0, "private-chat", "client-x", Json::object()) ==
        make_error("not subscribed to 'private-chat'"));
  client.subscribe(kT0, "private-chat");
  CHECK(client.send_client_event(kT0, "private-chat", "client-x", Json::object()) ==
        make_error("not subscribed to 'private-chat'"));
  auto outputs = client.take_outputs();
  CHECK(sent(outputs).empty());
}

TEST_CASE("send_raw sends anything verbatim while a transport is open", "[client][client_events]") {
  auto client = connected_client();
  REQUIRE_FALSE(client.send_raw(kT0, R"({"event":"typing","data":{},"channel":"news"})"));
  CHECK(sent(client.take_outputs()) == std::vector<std::string>{R"({"event":"typing","data":{},"channel":"news"})"});
  client.disconnect(kT0);
  client.take_outputs();
  CHECK(client.send_raw(kT0, "x") == make_error("cannot send: no open transport"));
  CHECK(client.take_outputs().empty());
}

TEST_CASE("relayed client events arrive as messages with the sender's user_id", "[client][client_events]") {
  auto client = subscribed_to("presence-room");
  client.on_text(kT0, R"({"event":"client-typing","channel":"presence-room","data":{"x":1},"user_id":"u2"})");
  auto messages = only<ClientMessage>(client.take_outputs());
  REQUIRE(messages.size() == 1);
  CHECK(messages[0].frame == Frame{"client-typing", "presence-room", Json{{"x", 1}}, "u2"});
}
