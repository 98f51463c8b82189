#include <catch2/catch.hpp>

#include "protocol/client/close_action.hpp"

using namespace pushsim;

TEST_CASE("close_action follows pusher-js's table code by code", "[client][close_action]") {
  struct Case {
    int code;
    CloseAction action;
  };
  const Case cases[] = {
      {1000, CloseAction::kNone},
      {1001, CloseAction::kNone},
      {1002, CloseAction::kBackoff},
      {1003, CloseAction::kBackoff},
      {1004, CloseAction::kBackoff},
      {1005, CloseAction::kNone},
      {1006, CloseAction::kNone},
      {1011, CloseAction::kNone},
      {3999, CloseAction::kNone},
      {4000, CloseAction::kTls},
      {4001, CloseAction::kRefused},
      {4004, CloseAction::kRefused},
      {4009, CloseAction::kRefused},
      {4099, CloseAction::kRefused},
      {4100, CloseAction::kBackoff},
      {4199, CloseAction::kBackoff},
      {4200, CloseAction::kReconnectNow},
      {4201, CloseAction::kReconnectNow},
      {4299, CloseAction::kReconnectNow},
      {4300, CloseAction::kRefused},
      {4301, CloseAction::kRefused},
      {4999, CloseAction::kRefused},
      {0, CloseAction::kNone},
  };
  for (const auto& c : cases) {
    INFO("code " << c.code);
    CHECK(close_action(c.code) == c.action);
  }
}

TEST_CASE("reconnect_delay: back-off waits 1 s, retries go at once, refusals never", "[client][close_action]") {
  CHECK(reconnect_delay(CloseAction::kNone) == std::optional<DurationNs>(seconds(1)));
  CHECK(reconnect_delay(CloseAction::kBackoff) == std::optional<DurationNs>(seconds(1)));
  CHECK(reconnect_delay(CloseAction::kReconnectNow) == std::optional<DurationNs>(0));
  CHECK(reconnect_delay(CloseAction::kTls) == std::optional<DurationNs>(0));
  CHECK(reconnect_delay(CloseAction::kRefused) == std::nullopt);
  CHECK(to_string(CloseAction::kReconnectNow) == "reconnect-now");
}
