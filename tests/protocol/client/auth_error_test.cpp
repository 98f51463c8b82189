// pusher-js's AuthError: the data, messages and local subscription_error it raises itself.
#include <catch2/catch.hpp>

#include "protocol/client/auth_error.hpp"

using namespace pushsim;

TEST_CASE("an auth error's data is type, error and status", "[client][auth_error]") {
  CHECK(auth_error_data("nope", 403).dump() == R"({"error":"nope","status":403,"type":"AuthError"})");
  CHECK(auth_error_data("no status", std::nullopt).dump() == R"({"error":"no status","type":"AuthError"})");
}

TEST_CASE("a refused auth call fails with pusher-js's message and the status", "[client][auth_error]") {
  const AuthResult result =
      auth_result_of(AuthKind::kChannel, "/pusher/auth", HttpResponse{403, {}, R"({"auth":"k:s"})"});
  const auto* failure = std::get_if<AuthFailure>(&result);
  REQUIRE(failure != nullptr);
  CHECK(failure->status == 403);
  CHECK(failure->message ==
        "Unable to retrieve auth string from channel-authorization endpoint - received status: 403 from /pusher/auth.");
}

TEST_CASE("an auth call without an answer fails with status 0", "[client][auth_error]") {
  const AuthResult result = auth_result_of(AuthKind::kUser, "/pusher/user-auth", std::nullopt);
  const auto* failure = std::get_if<AuthFailure>(&result);
  REQUIRE(failure != nullptr);
  CHECK(failure->status == 0);
  CHECK(failure->message ==
        "Unable to retrieve auth string from user-authentication endpoint - no response from /pusher/user-auth");
}

TEST_CASE("a 200 answer is the parsed body, an unparsable one stays discarded", "[client][auth_error]") {
  const AuthResult ok = auth_result_of(AuthKind::kChannel, "/pusher/auth", HttpResponse{200, {}, R"({"auth":"k:s"})"});
  REQUIRE(std::holds_alternative<Json>(ok));
  CHECK(std::get<Json>(ok) == Json{{"auth", "k:s"}});
  const AuthResult garbage = auth_result_of(AuthKind::kChannel, "/pusher/auth", HttpResponse{200, {}, "<html>"});
  REQUIRE(std::holds_alternative<Json>(garbage));
  CHECK(std::get<Json>(garbage).is_discarded());
}

TEST_CASE("invalid JSON from the endpoint is an AuthError with status 200", "[client][auth_error]") {
  CHECK(invalid_auth_json_error(AuthKind::kUser) ==
        Json{{"type", "AuthError"},
             {"error", "JSON returned from user-authentication endpoint was invalid, yet status code was 200"},
             {"status", 200}});
  CHECK(invalid_auth_json_error(AuthKind::kChannel)["error"] ==
        "JSON returned from channel-authorization endpoint was invalid, yet status code was 200");
}

TEST_CASE("the local subscription_error is on the channel, with the data as an object", "[client][auth_error]") {
  const Frame frame = local_subscription_error("private-foo", auth_error_data("auth refused", 403));
  CHECK(
      encode_frame(frame) ==
      R"({"event":"pusher:subscription_error","channel":"private-foo","data":{"error":"auth refused","status":403,"type":"AuthError"}})");
  CHECK(frame.decoded_data() == Json{{"type", "AuthError"}, {"error", "auth refused"}, {"status", 403}});
}
