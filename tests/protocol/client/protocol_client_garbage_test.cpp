#include <catch2/catch.hpp>

#include "protocol/client/client_test_util.hpp"

using namespace pushsim;
using namespace pushsim::test;

TEST_CASE("garbage from the server becomes an error event naming the frame", "[client][garbage]") {
  struct Case {
    const char* text;
    const char* message;
  };
  const Case cases[] = {
      {"not json", "frame is not valid JSON"},
      {"[1,2]", "frame must be a JSON object, got an array"},
      {"42", "frame must be a JSON object, got a number"},
      {"{}", "frame has no \"event\" field"},
      {R"({"event":7})", "\"event\" must be a string, got a number"},
      {"{\"event\":\"\xff\"}", "frame is not valid JSON"},
  };
  for (const auto& c : cases) {
    INFO(c.text);
    auto client = connected_client();
    client.on_text(kT0, c.text);
    auto outputs = client.take_outputs();
    REQUIRE(outputs.size() == 1);
    CHECK(only<ClientError>(outputs) ==
          std::vector<ClientError>{{ClientErrorKind::kGarbage, std::nullopt, c.message, c.text}});
    CHECK(client.state() == ConnectionState::kConnected);
  }
}

TEST_CASE("a channel event truncated at any byte is garbage; the whole one is a message", "[client][garbage]") {
  auto client = connected_client();
  client.subscribe(kT0, "news");
  client.on_text(kT0, R"({"event":"pusher_internal:subscription_succeeded","channel":"news","data":"{}"})");
  client.take_outputs();
  const std::string whole = R"({"event":"headline","channel":"news","data":"{\"title\":\"é\"}"})";
  for (std::size_t length = 0; length < whole.size(); ++length) {
    INFO("first " << length << " bytes");
    client.on_text(kT0, whole.substr(0, length));
    auto outputs = client.take_outputs();
    REQUIRE(outputs.size() == 1);
    REQUIRE(only<ClientError>(outputs).size() == 1);
    CHECK(only<ClientError>(outputs)[0].kind == ClientErrorKind::kGarbage);
    CHECK(only<ClientError>(outputs)[0].frame_text == whole.substr(0, length));
  }
  CHECK(client.subscription_state("news") == SubscriptionState::kSubscribed);
  client.on_text(kT0, whole);
  auto messages = only<ClientMessage>(client.take_outputs());
  REQUIRE(messages.size() == 1);
  CHECK(messages[0].frame.decoded_data() == Json{{"title", "é"}});
}

TEST_CASE("a subscription_succeeded truncated at any byte changes no subscription", "[client][garbage]") {
  auto client = connected_client();
  client.subscribe(kT0, "news");
  client.take_outputs();
  const std::string whole = R"({"event":"pusher_internal:subscription_succeeded","channel":"news","data":"{}"})";
  for (std::size_t length = 0; length < whole.size(); ++length) client.on_text(kT0, whole.substr(0, length));
  CHECK(only<ClientError>(client.take_outputs()).size() == whole.size());
  CHECK(client.subscription_state("news") == SubscriptionState::kSubscribing);
  client.on_text(kT0, whole);
  CHECK(client.subscription_state("news") == SubscriptionState::kSubscribed);
}

TEST_CASE("pusher:error on a live connection is reported, in object or string form, without closing",
          "[client][garbage]") {
  auto client = connected_client();
  client.on_text(kT0, R"({"event":"pusher:error","data":{"code":4301,"message":"Rate limit"}})");
  client.on_text(kT0, R"({"event":"pusher:error","data":"{\"code\":4009,\"message\":\"Unauthorized\"}"})");
  client.on_text(kT0, R"({"event":"pusher:error","data":{"code":null,"message":"Invalid signature"}})");
  CHECK(described(client.take_outputs()) == std::vector<std::string>{
                                                "event error server code=4301 \"Rate limit\"",
                                                "event error server code=4009 \"Unauthorized\"",
                                                "event error server code=null \"Invalid signature\"",
                                            });
  CHECK(client.state() == ConnectionState::kConnected);
}

TEST_CASE("unknown connection-level events and cache misses reach the app as messages", "[client][garbage]") {
  auto client = connected_client();
  client.on_text(kT0, R"({"event":"pusher:cache_miss","channel":"cache-news"})");
  client.on_text(kT0, R"({"event":"pusher_internal:watchlist_events","data":{"events":[]}})");
  CHECK(described(client.take_outputs()) == std::vector<std::string>{
                                                "event message pusher:cache_miss #cache-news",
                                                "event message pusher_internal:watchlist_events {\"events\":[]}",
                                            });
}
