#include <catch2/catch.hpp>

#include "protocol/client/client_test_util.hpp"

using namespace pushsim;
using namespace pushsim::test;

namespace {
constexpr std::string_view kSubscribeNews = R"({"event":"pusher:subscribe","data":{"auth":"","channel":"news"}})";
constexpr std::string_view kUnsubscribeNews = R"({"event":"pusher:unsubscribe","data":{"channel":"news"}})";
constexpr std::string_view kNewsSucceeded =
    R"({"event":"pusher_internal:subscription_succeeded","channel":"news","data":"{}"})";
}  // namespace

TEST_CASE("subscribing to a public channel sends pusher:subscribe with an empty auth", "[client][subscription]") {
  auto client = connected_client();
  REQUIRE_FALSE(client.subscribe(kT0, "news"));
  CHECK(sent(client.take_outputs()) == std::vector<std::string>{std::string(kSubscribeNews)});
  CHECK(client.subscription_state("news") == SubscriptionState::kSubscribing);
  client.on_text(kT0, kNewsSucceeded);
  CHECK(described(client.take_outputs()) == std::vector<std::string>{"event subscription_succeeded #news {}"});
  CHECK(client.subscription_state("news") == SubscriptionState::kSubscribed);
}

TEST_CASE("subscription_succeeded without data (soketi) is a success all the same", "[client][subscription]") {
  auto client = connected_client();
  client.subscribe(kT0, "news");
  client.take_outputs();
  client.on_text(kT0, R"({"event":"pusher_internal:subscription_succeeded","channel":"news"})");
  CHECK(described(client.take_outputs()) == std::vector<std::string>{"event subscription_succeeded #news null"});
  CHECK(client.subscription_state("news") == SubscriptionState::kSubscribed);
}

TEST_CASE("sub-sub = sub: a second subscribe sends nothing", "[client][subscription]") {
  auto client = connected_client();
  client.subscribe(kT0, "news");
  client.subscribe(kT0, "news");
  CHECK(sent(client.take_outputs()).size() == 1);
  client.on_text(kT0, kNewsSucceeded);
  client.subscribe(kT0, "news");
  CHECK(sent(client.take_outputs()).empty());
}

TEST_CASE("channels asked for before connecting are subscribed on connect, in order", "[client][subscription]") {
  ProtocolClient client;
  client.subscribe(kT0, "zeta");
  client.subscribe(kT0, "alpha");
  client.on_open(kT0);
  CHECK(sent(client.take_outputs()).empty());
  client.on_text(kT0, kEstablished);
  CHECK(sent(client.take_outputs()) == std::vector<std::string>{
                                           R"({"event":"pusher:subscribe","data":{"auth":"","channel":"zeta"}})",
                                           R"({"event":"pusher:subscribe","data":{"auth":"","channel":"alpha"}})",
                                       });
  CHECK(client.channels() == std::vector<std::string>{"zeta", "alpha"});
}

TEST_CASE("sub-unsub: unsubscribing from a subscribed channel sends pusher:unsubscribe", "[client][subscription]") {
  auto client = connected_client();
  client.subscribe(kT0, "news");
  client.on_text(kT0, kNewsSucceeded);
  client.take_outputs();
  client.unsubscribe(kT0, "news");
  CHECK(sent(client.take_outputs()) == std::vector<std::string>{std::string(kUnsubscribeNews)});
  CHECK(client.subscription_state("news") == SubscriptionState::kUnsubscribed);
  CHECK(client.channels().empty());
  client.unsubscribe(kT0, "news");  // unsub twice = nothing
  CHECK(client.take_outputs().empty());
}

TEST_CASE("unsubscribe before subscription_succeeded waits for it, then leaves", "[client][subscription]") {
  auto client = connected_client();
  client.subscribe(kT0, "news");
  client.take_outputs();
  client.unsubscribe(kT0, "news");
  CHECK(client.take_outputs().empty());
  CHECK(client.subscription_cancelled("news"));
  client.on_text(kT0, kNewsSucceeded);
  CHECK(described(client.take_outputs()) == std::vector<std::string>{"send " + std::string(kUnsubscribeNews)});
  CHECK(client.channels().empty());
}

TEST_CASE("sub-unsub-sub before the success reinstates the subscription with no new frame", "[client][subscription]") {
  auto client = connected_client();
  client.subscribe(kT0, "news");
  client.unsubscribe(kT0, "news");
  client.subscribe(kT0, "news");
  CHECK(sent(client.take_outputs()) == std::vector<std::string>{std::string(kSubscribeNews)});
  CHECK_FALSE(client.subscription_cancelled("news"));
  client.on_text(kT0, kNewsSucceeded);
  CHECK(described(client.take_outputs()) == std::vector<std::string>{"event subscription_succeeded #news {}"});
}

TEST_CASE("a cancelled pending subscription is dropped, not resumed, by a reconnect", "[client][subscription]") {
  auto client = connected_client();
  client.subscribe(kT0, "news");
  client.unsubscribe(kT0, "news");
  client.on_close(kT0, 1006, "");
  client.take_outputs();
  client.on_open(kT0);
  client.on_text(kT0, kEstablished);
  CHECK(sent(client.take_outputs()).empty());
  CHECK(client.channels().empty());
}

TEST_CASE("a disconnect while subscribing resubscribes on the next connection", "[client][subscription]") {
  auto client = connected_client();
  client.subscribe(kT0, "news");
  client.on_close(kT0, 1006, "");
  CHECK(client.subscription_state("news") == SubscriptionState::kUnsubscribed);
  client.take_outputs();
  client.on_open(kT0 + seconds(1));
  client.on_text(kT0 + seconds(1), kEstablished);
  CHECK(sent(client.take_outputs()) == std::vector<std::string>{std::string(kSubscribeNews)});
}

TEST_CASE("names starting with '#' are refused locally", "[client][subscription]") {
  auto client = connected_client();
  CHECK(client.subscribe(kT0, "#server-to-user-u1") ==
        make_error("cannot subscribe to '#server-to-user-u1': names starting with '#' are reserved"));
  CHECK(client.take_outputs().empty());
  CHECK(client.channels().empty());
}

TEST_CASE("channel events reach the application as messages with their wire data", "[client][subscription]") {
  auto client = connected_client();
  client.subscribe(kT0, "news");
  client.on_text(kT0, kNewsSucceeded);
  client.take_outputs();
  client.on_text(kT0, R"({"event":"headline","channel":"news","data":"{\"x\":1}"})");
  client.on_text(kT0, R"({"event":"headline","channel":"elsewhere","data":"plain"})");
  auto messages = only<ClientMessage>(client.take_outputs());
  REQUIRE(messages.size() == 2);
  CHECK(messages[0].frame == Frame{"headline", "news", Json("{\"x\":1}"), std::nullopt});
  CHECK(messages[0].frame.decoded_data() == Json{{"x", 1}});
  CHECK(messages[1].frame.channel == std::optional<std::string>("elsewhere"));
}

TEST_CASE("a server's pusher:subscription_error ends the attempt; the channel stays wanted", "[client][subscription]") {
  auto client = connected_client();
  client.subscribe(kT0, "news");
  client.take_outputs();
  client.on_text(
      kT0,
      R"({"event":"pusher:subscription_error","channel":"news","data":{"type":"LimitReached","error":"full","status":4100}})");
  CHECK(described(client.take_outputs()) ==
        std::vector<std::string>{
            R"(event subscription_error #news server {"error":"full","status":4100,"type":"LimitReached"})"});
  CHECK(client.subscription_state("news") == SubscriptionState::kUnsubscribed);
  client.subscribe(kT0, "news");  // trying again sends again
  CHECK(sent(client.take_outputs()) == std::vector<std::string>{std::string(kSubscribeNews)});
}

TEST_CASE("a subscription_succeeded never asked for is shown as a message and changes nothing",
          "[client][subscription]") {
  auto client = connected_client();
  client.on_text(kT0, kNewsSucceeded);
  auto outputs = client.take_outputs();
  CHECK(only<ClientMessage>(outputs).size() == 1);
  CHECK(only<SubscriptionSucceeded>(outputs).empty());
  CHECK(client.subscription_state("news") == SubscriptionState::kUnsubscribed);
}
