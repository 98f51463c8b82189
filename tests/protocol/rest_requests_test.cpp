// The REST request builder against the requests the official Node SDK made (vectors.json):
// bodies, targets and headers byte for byte.
#include <catch2/catch.hpp>

#include "protocol/rest_requests.hpp"
#include "vectors.hpp"

using namespace pushsim;

namespace {

const AppCredentials kRestApp{"1", "app-key", "app-secret"};
constexpr std::int64_t kVectorTime_s = 1'700'000'000;

// The request's method, target (path and signed query), body and Content-Type are the vector's.
void check_is_sdk_request(const HttpRequest& request, const std::string& vector) {
  const Json expected = test::vector_named(vector)["expected"];
  REQUIRE(expected.is_object());
  INFO(vector);
  CHECK(request.method == expected["method"].get<std::string>());
  CHECK(request.target == expected["path"].get<std::string>() + "?" + expected["query_string"].get<std::string>());
  CHECK(request.body == (expected["body"].is_string() ? expected["body"].get<std::string>() : ""));
  const auto content_type = request.header("Content-Type");
  if (expected["content_type"].is_string()) {
    REQUIRE(content_type);
    CHECK(std::string(*content_type) == expected["content_type"].get<std::string>());
  } else {
    CHECK_FALSE(content_type);
  }
}

HttpRequest post(const std::string& path, std::string body) {
  return signed_rest_request(kRestApp, "POST", app_rest_path(kRestApp, path), {}, std::move(body), kVectorTime_s);
}

}  // namespace

TEST_CASE("trigger bodies are the SDK's, byte for byte", "[rest_requests]") {
  check_is_sdk_request(
      post(
          "/events",
          encode_trigger_body(TriggerBody{
              "my-event", sdk_event_data(Json{{"message", "hello"}}), {"my-channel"}, false, "123.456", std::nullopt})),
      "trigger_single_channel_exclude_socket");
  check_is_sdk_request(post("/events", encode_trigger_body(TriggerBody{"my-event",
                                                                       sdk_event_data("plain string"),
                                                                       {"ch-a", "presence-b"},
                                                                       false,
                                                                       std::nullopt,
                                                                       "user_count,subscription_count"})),
                       "trigger_multi_channel_with_info");
  check_is_sdk_request(
      post("/events",
           encode_trigger_body(TriggerBody{
               "my-event", sdk_event_data(Json{{"a", 1}}), {"#server-to-user-u1"}, false, std::nullopt, std::nullopt})),
      "send_to_user");
}

TEST_CASE("batch bodies are the SDK's, byte for byte", "[rest_requests]") {
  check_is_sdk_request(
      post("/batch_events",
           encode_batch_body({BatchEventBody{"ch-a", "e1", sdk_event_data(Json{{"n", 1}}), std::nullopt, std::nullopt},
                              BatchEventBody{"presence-b", "e2", sdk_event_data("two"), "123.456", "user_count"}})),
      "trigger_batch");
}

TEST_CASE("queries and bodiless posts are signed as the SDK signs them", "[rest_requests]") {
  check_is_sdk_request(post("/users/u1/terminate_connections", "{}"), "terminate_user_connections");
  check_is_sdk_request(
      signed_rest_request(kRestApp, "GET", "/apps/1/channels",
                          {{"filter_by_prefix", "presence-"}, {"info", "user_count"}}, "", kVectorTime_s),
      "get_channels");
  check_is_sdk_request(
      signed_rest_request(kRestApp, "GET", "/apps/1/channels/presence-foo/users", {}, "", kVectorTime_s),
      "get_channel_users");
}

TEST_CASE("the single-channel form writes channel instead of channels", "[rest_requests]") {
  CHECK(encode_trigger_body(TriggerBody{"e", "{}", {"a"}, true, std::nullopt, std::nullopt}) ==
        R"({"name":"e","data":"{}","channel":"a"})");
  // With more than one channel there is no single-channel form to write.
  CHECK(encode_trigger_body(TriggerBody{"e", "{}", {"a", "b"}, true, std::nullopt, std::nullopt}) ==
        R"({"name":"e","data":"{}","channels":["a","b"]})");
}

TEST_CASE("event data is sent as the SDK's ensureJSON makes it", "[rest_requests]") {
  CHECK(sdk_event_data("text") == "text");
  CHECK(sdk_event_data(Json{{"b", 1}, {"a", true}}) == R"({"a":true,"b":1})");
  CHECK(sdk_event_data(42) == "42");
}
