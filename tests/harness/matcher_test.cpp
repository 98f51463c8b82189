#include <catch2/catch.hpp>

#include "harness/expected_value.hpp"
#include "harness/matcher.hpp"

using namespace pushsim;
using namespace pushsim::harness;

namespace {

Frame frame(std::string event, std::optional<std::string> channel, std::optional<Json> data) {
  return Frame{std::move(event), std::move(channel), std::move(data), std::nullopt};
}

}  // namespace

TEST_CASE("a subset of an object matches; omitted fields are not checked", "[matcher]") {
  const Json actual = {{"presence", {{"count", 2}, {"ids", {"u1", "u2"}}}}, {"extra", true}};
  CHECK_FALSE(match_subset(Json::object(), actual));
  CHECK_FALSE(match_subset({{"presence", {{"count", 2}}}}, actual));
  CHECK_FALSE(match_subset({{"presence", {{"ids", {"u1", "u2"}}}}}, actual));
  CHECK_FALSE(match_subset(2, 2.0));
}

TEST_CASE("the first difference is reported with its path", "[matcher]") {
  const Json actual = {{"presence", {{"count", 1}, {"ids", {"u1", "u2"}}}}};
  CHECK(match_subset({{"presence", {{"count", 2}}}}, actual, "data") == "data.presence.count: expected 2, got 1");
  CHECK(match_subset({{"presence", {{"hash", Json::object()}}}}, actual, "data") ==
        "data.presence.hash: expected {}, got nothing (no such key)");
  CHECK(match_subset({{"presence", {{"ids", {"u1", "u3"}}}}}, actual) ==
        "presence.ids[1]: expected \"u3\", got \"u2\"");
  CHECK(match_subset({{"a.b", 1}}, Json{{"a.b", 2}}, "body") == "body[\"a.b\"]: expected 1, got 2");
  CHECK(match_subset(Json{{"x", 1}}, Json("text")) == "expected {\"x\":1}, got \"text\"");
  CHECK(match_subset(nullptr, Json::object(), "data") == "data: expected null, got {}");
  CHECK(match_subset("1", 1, "v") == "v: expected \"1\", got 1");
}

TEST_CASE("arrays match element by element with equal lengths", "[matcher]") {
  const Json actual = Json::array({{{"id", "1"}, {"info", 5}}, {{"id", "2"}}});
  CHECK_FALSE(match_subset(Json::array({{{"id", "1"}}, {{"id", "2"}}}), actual));
  CHECK(match_subset(Json::array({{{"id", "1"}}}), actual, "users") ==
        "users: expected 1 elements [{\"id\":\"1\"}], got [{\"id\":\"1\",\"info\":5},{\"id\":\"2\"}]");
  CHECK(match_subset(Json::array({{{"id", "2"}}, {{"id", "1"}}}), actual, "users") ==
        "users[0].id: expected \"2\", got \"1\"");
}

TEST_CASE("frame data is decoded from its string form before matching", "[matcher]") {
  const Frame succeeded = frame("pusher_internal:subscription_succeeded", "presence-room",
                                Json(R"({"presence":{"count":1,"ids":["u1"],"hash":{"u1":null}}})"));
  const FrameExpectation expected{"pusher_internal:subscription_succeeded", "presence-room",
                                  Json{{"presence", {{"count", 1}}}}, std::nullopt};
  CHECK_FALSE(match_frame(expected, succeeded));
  // The same payload as an object matches too: the form is not what this checks.
  CHECK_FALSE(match_frame(
      expected, frame("pusher_internal:subscription_succeeded", "presence-room", Json{{"presence", {{"count", 1}}}})));
  FrameExpectation two = expected;
  two.data = Json{{"presence", {{"count", 2}}}};
  CHECK(match_frame(two, succeeded) == "data.presence.count: expected 2, got 1");
}

TEST_CASE("a string expectation also matches the raw string data", "[matcher]") {
  const Frame pong = frame("pusher:pong", std::nullopt, Json("{}"));
  CHECK_FALSE(match_frame(FrameExpectation{"pusher:pong", std::nullopt, Json("{}"), std::nullopt}, pong));
  CHECK_FALSE(match_frame(FrameExpectation{"pusher:pong", std::nullopt, Json::object(), std::nullopt}, pong));
  CHECK(match_frame(FrameExpectation{"pusher:pong", "x", Json("{}"), std::nullopt}, pong) ==
        "channel: expected \"x\", got nothing (no such key)");
  const Frame text = frame("e", std::nullopt, Json("not json"));
  CHECK_FALSE(match_frame(FrameExpectation{"e", std::nullopt, Json("not json"), std::nullopt}, text));
}

TEST_CASE("event, channel and user_id are matched exactly", "[matcher]") {
  Frame relayed = frame("client-typing", "presence-room", Json::object());
  relayed.user_id = "u1";
  CHECK_FALSE(match_frame(FrameExpectation{"client-typing", std::nullopt, std::nullopt, "u1"}, relayed));
  CHECK(match_frame(FrameExpectation{"client-typing", std::nullopt, std::nullopt, "u2"}, relayed) ==
        "user_id: expected \"u2\", got \"u1\"");
  CHECK(match_frame(FrameExpectation{"client-other", std::nullopt, std::nullopt, std::nullopt}, relayed) ==
        "event: expected \"client-other\", got \"client-typing\"");
  CHECK(match_frame(FrameExpectation{"e", std::nullopt, Json::object(), std::nullopt}, frame("e", std::nullopt, {})) ==
        "data: expected {}, got nothing (no such key)");
}

TEST_CASE("the closest frame prefers the event name, then matching fields", "[matcher]") {
  const FrameExpectation expected{"news", "a", Json{{"x", 1}, {"y", 2}}, std::nullopt};
  const std::vector<Frame> candidates = {
      frame("other", "a", Json{{"x", 1}, {"y", 2}}),  // everything but the event
      frame("news", "b", Json{{"x", 0}}),             // the event only
      frame("news", "a", Json{{"x", 1}, {"y", 3}}),   // the event and two fields
      frame("news", "a", Json{{"x", 1}, {"y", 4}}),   // as good: the earlier one wins
  };
  CHECK(closest_frame(expected, candidates) == 2u);
  CHECK_FALSE(closest_frame(expected, std::vector<Frame>{}).has_value());
  CHECK(match_score(Json{{"x", 1}, {"y", 2}}, Json{{"x", 1}, {"y", 3}}) == 1);
  CHECK(match_score(Json::array({1, 2}), Json::array({1, 2})) == 3);
}

TEST_CASE("a failed expectation reports the closest frame and what arrived around it", "[matcher]") {
  const TimeNs origin = kSimulationEpoch;
  const std::vector<ReceivedFrame> received = {
      {origin + ms(100), frame("pusher:connection_established", std::nullopt, Json(R"({"socket_id":"1.2"})"))},
      {origin + ms(300), frame("news", "a", Json(R"({"x":2})"))},
      {origin + ms(900), frame("other", "a", Json(R"({"x":1})"))},
      {origin + ms(2500), frame("late", "a", std::nullopt)},
  };
  const FrameExpectation expected{"news", "a", Json{{"x", 1}}, std::nullopt};
  CHECK(describe_frame_mismatch(expected, received, origin + ms(250), origin + ms(1250), origin) ==
        "expected: {\"channel\":\"a\",\"data\":{\"x\":1},\"event\":\"news\"}\n"
        "closest:  +0.300s news #a \"{\\\"x\\\":2}\"\n"
        "          data.x: expected 1, got 2\n"
        "received from +0.250s to +1.250s (2 frames)\n"
        "  +0.300s news #a \"{\\\"x\\\":2}\"\n"
        "  +0.900s other #a \"{\\\"x\\\":1}\"");
  CHECK(describe_frame_mismatch(expected, received, origin + ms(1000), origin + ms(2000), origin) ==
        "expected: {\"channel\":\"a\",\"data\":{\"x\":1},\"event\":\"news\"}\n"
        "closest:  nothing was received\n"
        "received from +1.000s to +2.000s (0 frames)");
}

// The steps below are built member by member, not aggregate-initialised: with an initialiser
// that may throw (a Json) after `where`, GCC 12 at -O3 takes the exception cleanup of where.file
// for a read of an uninitialised string (-Wmaybe-uninitialized, which fails a Release build).

TEST_CASE("expect steps become frame expectations", "[matcher]") {
  ExpectStep step;
  step.client = "alice";
  step.event = "news";
  step.channel = "a";
  step.data = Json{{"x", 1}};
  step.user_id = "u1";
  step.within = seconds(1);
  CHECK(frame_expectation(step) == FrameExpectation{"news", "a", Json{{"x", 1}}, "u1"});
  ExpectNoneStep none;
  none.client = "bob";
  none.channel = "a";
  none.span = ms(500);
  CHECK(frame_expectation(none) == FrameExpectation{std::nullopt, "a", std::nullopt, std::nullopt});
  CHECK(expectation_view(frame_expectation(none)) == Json{{"channel", "a"}});
}

TEST_CASE("webhook events match by subset with string data decoded", "[matcher]") {
  ExpectWebhookStep step;
  step.name = "client_event";
  step.channel = "private-a";
  step.event = "client-x";
  step.data = Json{{"n", 1}};
  step.within = seconds(5);
  const Json event = {{"name", "client_event"},
                      {"channel", "private-a"},
                      {"event", "client-x"},
                      {"data", R"({"n":1})"},
                      {"socket_id", "1.2"}};
  CHECK_FALSE(match_webhook(step, event));
  step.user_id = "u1";
  CHECK(match_webhook(step, event) == "user_id: expected \"u1\", got nothing (no such key)");
  ExpectWebhookStep member_added;
  member_added.name = "member_added";
  CHECK(match_webhook(member_added, event) == "name: expected \"member_added\", got \"client_event\"");
}

TEST_CASE("!absent holds only when the key is not there", "[matcher]") {
  const Json expected = {{"code", absent_marker()}, {"message", "x"}};
  CHECK_FALSE(match_subset(expected, Json{{"message", "x"}}));
  CHECK(match_subset(expected, Json{{"message", "x"}, {"code", nullptr}}, "data") ==
        "data.code: expected no such key (!absent), got null");
  CHECK(match_subset(expected, Json{{"message", "x"}, {"code", 4001}}) ==
        "code: expected no such key (!absent), got 4001");
  // Nested: presence.hash.u1 must be missing, the rest by subset.
  const Json nested = {{"presence", {{"hash", {{"u1", absent_marker()}}}}}};
  CHECK_FALSE(match_subset(nested, Json{{"presence", {{"hash", {{"u2", 1}}}}}}));
  CHECK(match_subset(nested, Json{{"presence", {{"hash", {{"u1", 1}}}}}}));
}

TEST_CASE("!present holds for any value, null included, and fails on a missing key", "[matcher]") {
  const Json expected = {{"activity_timeout", present_marker()}};
  CHECK_FALSE(match_subset(expected, Json{{"activity_timeout", 120}}));
  CHECK_FALSE(match_subset(expected, Json{{"activity_timeout", nullptr}}));
  CHECK(match_subset(expected, Json{{"socket_id", "1.2"}}, "data") ==
        "data.activity_timeout: expected !present, got nothing (no such key)");
}

TEST_CASE("!exact refuses anything beyond what is written, all the way down", "[matcher]") {
  const Json empty = {{"channels", exact_marker(Json::object())}};
  CHECK_FALSE(match_subset(empty, Json{{"channels", Json::object()}}));
  // The check rest.39 makes: subset matching alone took any map here.
  CHECK_FALSE(match_subset({{"channels", Json::object()}}, Json{{"channels", {{"a", Json::object()}}}}));
  CHECK(match_subset(empty, Json{{"channels", {{"a", Json::object()}}}}, "body") ==
        "body.channels.a: expected no such key (!exact), got {}");
  const Json deep = exact_marker(Json{{"a", {{"b", 1}}}});
  CHECK_FALSE(match_subset(deep, Json{{"a", {{"b", 1.0}}}}));
  CHECK(match_subset(deep, Json{{"a", {{"b", 1}, {"c", 2}}}}) == "a.c: expected no such key (!exact), got 2");
  CHECK(match_subset(deep, Json{{"a", {{"b", 2}}}}) == "a.b: expected exactly 1, got 2");
  CHECK(match_subset(deep, Json{{"a", Json::array()}}) == "a: expected exactly {\"b\":1}, got []");
  const Json list = exact_marker(Json::array({Json{{"id", "1"}}}));
  CHECK_FALSE(match_subset(list, Json::array({Json{{"id", "1"}}})));
  CHECK(match_subset(list, Json::array({Json{{"id", "1"}, {"user_info", 1}}}), "users") ==
        "users[0].user_info: expected no such key (!exact), got 1");
  CHECK(match_subset(list, Json::array({Json{{"id", "1"}}, Json{{"id", "2"}}}), "users") ==
        "users: expected exactly [{\"id\":\"1\"}], got [{\"id\":\"1\"},{\"id\":\"2\"}]");
}

TEST_CASE("expectations print their markers as tags", "[matcher]") {
  const Json expected = {{"a", absent_marker()}, {"b", present_marker()}, {"c", exact_marker(Json{{"d", 1}})}};
  CHECK(expected_text(expected) == R"({"a":!absent,"b":!present,"c":!exact {"d":1}})");
  CHECK(expected_text(Json::array({1, 2, 3}), 4) == "[1,2...");
}

TEST_CASE("a frame expectation's top-level fields may be required absent", "[matcher]") {
  FrameExpectation expected{"client-x", "private-a", std::nullopt, std::nullopt, {"user_id"}};
  Frame relayed = frame("client-x", "private-a", Json::object());
  CHECK_FALSE(match_frame(expected, relayed));
  relayed.user_id = "u1";
  CHECK(match_frame(expected, relayed) == "user_id: expected no such key (!absent), got \"u1\"");
  // data: !absent also holds only without data, although data is otherwise decoded lazily.
  FrameExpectation no_data{"pusher:cache_miss", std::nullopt, absent_marker(), std::nullopt};
  CHECK_FALSE(match_frame(no_data, frame("pusher:cache_miss", "cache-a", std::nullopt)));
  CHECK(match_frame(no_data, frame("pusher:cache_miss", "cache-a", Json("{}"))) ==
        "data: expected no such key (!absent), got {}");
}

TEST_CASE("expect_webhook matches socket_id, subscription_count and the POST's batch size", "[matcher]") {
  // Member by member, as above: aggregate-initialised, these failed GCC 12's Release build too.
  ExpectWebhookStep step;
  step.name = "client_event";
  step.channel = "presence-a";
  step.user_id = "u1";
  step.event = "client-x";
  step.within = seconds(5);
  step.socket_id = "1.2";
  const Json event = {{"name", "client_event"}, {"channel", "presence-a"}, {"event", "client-x"},
                      {"data", "{}"},           {"socket_id", "1.2"},      {"user_id", "u1"}};
  CHECK_FALSE(match_webhook(step, event));
  step.socket_id = "3.4";
  CHECK(match_webhook(step, event) == "socket_id: expected \"3.4\", got \"1.2\"");
  ExpectWebhookStep count;
  count.name = "subscription_count";
  count.channel = "a";
  count.within = seconds(5);
  count.subscription_count = 2;
  const Json counted = {{"name", "subscription_count"}, {"channel", "a"}, {"subscription_count", 2}};
  CHECK_FALSE(match_webhook(count, counted));
  count.subscription_count = 3;
  CHECK(match_webhook(count, counted) == "subscription_count: expected 3, got 2");
  ExpectWebhookStep batched;
  batched.name = "channel_occupied";
  batched.channel = "a";
  batched.within = seconds(5);
  batched.batch_size = 3;
  const Json occupied = {{"name", "channel_occupied"}, {"channel", "a"}};
  CHECK_FALSE(match_webhook(batched, occupied, 3));
  CHECK(match_webhook(batched, occupied, 1) == "batch_size: expected 3, got 1");
  ExpectWebhookStep without_user;
  without_user.name = "client_event";
  without_user.channel = "private-a";
  without_user.within = seconds(5);
  without_user.absent = {"user_id"};
  CHECK(match_webhook(without_user, Json{{"name", "client_event"}, {"channel", "private-a"}, {"user_id", "u1"}}) ==
        "user_id: expected no such key (!absent), got \"u1\"");
}

TEST_CASE("a subscription is refused by any documented refusal frame", "[matcher]") {
  using enum SubscriptionOutcome;
  const std::string ch = "private-a";
  // soketi's form, with and without status; also pusher-js's own when its auth call fails.
  CHECK(subscription_outcome(
            frame("pusher:subscription_error", ch, Json{{"type", "AuthError"}, {"error", "no"}, {"status", 401}}),
            ch) == kRefused);
  CHECK(subscription_outcome(frame("pusher:subscription_error", ch, Json{{"type", "AuthError"}, {"error", "no"}}),
                             ch) == kRefused);
  // The official service's pusher:error (code null) and Reverb's (4009) carry no channel.
  CHECK(subscription_outcome(frame("pusher:error", std::nullopt, Json{{"code", nullptr}, {"message", "x"}}), ch) ==
        kRefused);
  CHECK(subscription_outcome(frame("pusher:error", std::nullopt, Json{{"code", 4009}, {"message", "x"}}), ch) ==
        kRefused);
  CHECK(subscription_outcome(frame("pusher:error", ch, Json::object()), ch) == kRefused);
  // Not a refusal of this channel.
  CHECK(subscription_outcome(frame("pusher:subscription_error", "private-b", Json::object()), ch) == kNone);
  CHECK(subscription_outcome(frame("pusher:error", "private-b", Json::object()), ch) == kNone);
  CHECK(subscription_outcome(frame("pusher:subscription_error", std::nullopt, Json::object()), ch) == kNone);
  CHECK(subscription_outcome(frame("news", ch, Json::object()), ch) == kNone);
  CHECK(subscription_outcome(frame("pusher_internal:subscription_succeeded", ch, Json("{}")), ch) == kSucceeded);
  CHECK(subscription_outcome(frame("pusher_internal:subscription_succeeded", "private-b", Json("{}")), ch) == kNone);
}

TEST_CASE("responses match status first, then the JSON body by subset", "[matcher]") {
  ExpectResponseStep step;
  step.status = 200;
  step.body = Json{{"occupied", true}};
  CHECK_FALSE(match_response(step, 200, R"({"occupied":true,"user_count":1})"));
  CHECK(match_response(step, 400, R"({"error":"no"})") == "status: expected 200, got 400 (body: {\"error\":\"no\"})");
  CHECK(match_response(step, 200, R"({"occupied":false})") == "body.occupied: expected true, got false");
  CHECK(match_response(step, 200, "oops") == "body: expected JSON holding {\"occupied\":true}, got 'oops'");
  CHECK_FALSE(match_response(ExpectResponseStep{{}, 401, std::nullopt}, 401, "not json"));
}

TEST_CASE("offsets print as seconds with milliseconds", "[matcher]") {
  CHECK(format_offset(ms(1250)) == "+1.250s");
  CHECK(format_offset(0) == "+0.000s");
  CHECK(format_offset(-ms(5)) == "-0.005s");
  CHECK(format_offset(seconds(61)) == "+61.000s");
}
