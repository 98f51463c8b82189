#include <catch2/catch.hpp>

#include "fakes/rest_caller.hpp"
#include "protocol/vectors.hpp"

using namespace pushsim;
using namespace pushsim::fakes;
using pushsim::test::vector_named;

namespace {

// vectors.json signs with auth_timestamp 1700000000, which is where simulations start.
const RestCaller kCaller(AppCredentials{"1", "app-key", "app-secret"});

void check_matches_sdk(const HttpRequest& request, const std::string& vector) {
  const Json expected = vector_named(vector)["expected"];
  REQUIRE(expected.is_object());
  CHECK(request.method == expected["method"].get<std::string>());
  CHECK(request.target == expected["path"].get<std::string>() + "?" + expected["query_string"].get<std::string>());
  CHECK(request.body == (expected["body"].is_string() ? expected["body"].get<std::string>() : ""));
  if (expected["content_type"].is_string()) {
    CHECK(request.header("content-type") == expected["content_type"].get<std::string>());
  }
}

}  // namespace

TEST_CASE("REST caller triggers exactly as the Node SDK does", "[rest_caller]") {
  check_matches_sdk(kCaller.trigger(kSimulationEpoch, {"my-channel"}, "my-event", Json{{"message", "hello"}},
                                    TriggerParams{"123.456", std::nullopt}),
                    "trigger_single_channel_exclude_socket");
  check_matches_sdk(kCaller.trigger(kSimulationEpoch, {"ch-a", "presence-b"}, "my-event", "plain string",
                                    TriggerParams{std::nullopt, "user_count,subscription_count"}),
                    "trigger_multi_channel_with_info");
}

TEST_CASE("REST caller batches, sends to users and terminates as the Node SDK does", "[rest_caller]") {
  check_matches_sdk(kCaller.trigger_batch(kSimulationEpoch, {BatchItem{"ch-a", "e1", Json{{"n", 1}}, {}},
                                                             BatchItem{"presence-b", "e2", "two",
                                                                       TriggerParams{"123.456", "user_count"}}}),
                    "trigger_batch");
  check_matches_sdk(kCaller.send_to_user(kSimulationEpoch, "u1", "my-event", Json{{"a", 1}}), "send_to_user");
  check_matches_sdk(kCaller.terminate_user_connections(kSimulationEpoch, "u1"), "terminate_user_connections");
}

TEST_CASE("REST caller queries channels as the Node SDK does", "[rest_caller]") {
  check_matches_sdk(
      kCaller.get(kSimulationEpoch, "/channels", {{"filter_by_prefix", "presence-"}, {"info", "user_count"}}),
      "get_channels");
  check_matches_sdk(
      kCaller.get(kSimulationEpoch, "/channels/presence-foo", {{"info", "user_count,subscription_count"}}),
      "get_channel");
  check_matches_sdk(kCaller.get(kSimulationEpoch, "/channels/presence-foo/users"), "get_channel_users");
}

TEST_CASE("REST caller signs with the virtual time it is given", "[rest_caller]") {
  const HttpRequest later = kCaller.get(kSimulationEpoch + seconds(61), "/channels");
  CHECK(later.target.find("auth_timestamp=1700000061&") != std::string::npos);
}
