#include "protocol/client/auth_error.hpp"

namespace pushsim {

std::string_view auth_endpoint_name(AuthKind kind) {
  return kind == AuthKind::kUser ? "user-authentication" : "channel-authorization";
}

Json auth_error_data(std::string message, std::optional<int> status) {
  Json data{{"type", "AuthError"}, {"error", std::move(message)}};
  if (status) data["status"] = *status;
  return data;
}

Json invalid_auth_json_error(AuthKind kind) {
  return auth_error_data(
      "JSON returned from " + std::string(auth_endpoint_name(kind)) + " endpoint was invalid, yet status code was 200",
      200);
}

AuthResult auth_result_of(AuthKind kind, std::string_view path, const std::optional<HttpResponse>& response) {
  const std::string endpoint(auth_endpoint_name(kind));
  if (!response) {
    return AuthFailure{
        0, "Unable to retrieve auth string from " + endpoint + " endpoint - no response from " + std::string(path)};
  }
  if (response->status == 200) return Json::parse(response->body, nullptr, /*allow_exceptions=*/false);
  return AuthFailure{response->status, "Unable to retrieve auth string from " + endpoint +
                                           " endpoint - received status: " + std::to_string(response->status) +
                                           " from " + std::string(path) + "."};
}

Frame local_subscription_error(std::string channel, Json data) {
  return Frame::with_object_data("pusher:subscription_error", std::move(channel), std::move(data));
}

}  // namespace pushsim
