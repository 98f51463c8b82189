// pusher:signin (§4.5) and the authorized-connections deadline (§4.6).
//
// A refused sign-in is a pusher:error with code 4009 (the official code is unconfirmed;
// 4009 "connection is unauthorized" is what soketi uses) and, unlike soketi, the connection
// stays open: the client may retry, and an authorized-connections deadline still applies.
// Watchlists are not implemented.
#include "protocol/channel_name.hpp"
#include "protocol/server/engine_state.hpp"
#include "protocol/server/server_codes.hpp"
#include "protocol/server/server_frames.hpp"
#include "protocol/signing.hpp"

namespace pushsim {
namespace {

struct SigninRequest {
  std::string auth;
  std::string user_data;
};

Result<SigninRequest> read_request(const Json& data) {
  if (!data.is_object()) return make_error("data must be an object");
  auto auth = data.find("auth");
  auto user_data = data.find("user_data");
  if (auth == data.end() || !auth->is_string()) return make_error("auth must be a string");
  if (user_data == data.end() || !user_data->is_string()) return make_error("user_data must be a string");
  return SigninRequest{auth->get<std::string>(), user_data->get<std::string>()};
}

// The non-empty string `id` of user_data.
Result<std::string> user_id_of(std::string_view user_data, std::size_t user_id_max) {
  Json parsed = Json::parse(user_data.begin(), user_data.end(), nullptr, /*allow_exceptions=*/false);
  if (parsed.is_discarded() || !parsed.is_object()) return make_error("user_data must be a JSON object");
  auto id = parsed.find("id");
  if (id == parsed.end() || !id->is_string() || id->get_ref<const std::string&>().empty()) {
    return make_error("user_data must have a non-empty string id");
  }
  std::string user_id = id->get<std::string>();
  if (auto invalid = validate_user_id(user_id, user_id_max)) return *invalid;
  return user_id;
}

}  // namespace

void Engine::State::on_signin(TimeNs /*now*/, Connection& connection, const Frame& frame) {
  auto refuse = [&](const std::string& why) {
    send_error(connection.id, server_codes::kUnauthorized, "Sign-in rejected: " + why);
  };
  auto request = read_request(frame.decoded_data());
  if (!request) return refuse(request.error().message);
  if (!verify_user_auth(connection.app->credentials(), request->auth, connection.socket_id, request->user_data)) {
    return refuse("invalid signature for " + user_string_to_sign(connection.socket_id, request->user_data));
  }
  auto user_id = user_id_of(request->user_data, options.limits.presence_user_id_max);
  if (!user_id) return refuse(user_id.error().message);
  if (connection.user_id && *connection.user_id != *user_id) {
    return refuse("the connection is already signed in as another user");
  }
  PUSHSIM_ENGINE_ASSERT(
      !connection.user_id || *connection.user_id == *user_id, "signed-in-user-fixed",
      "connection " + std::to_string(connection.id) + " signed in as " + *connection.user_id + " becomes " + *user_id);
  connection.user_id = std::move(user_id).value();
  connection.user_data = request->user_data;
  mark_authorized(connection);
  send(connection.id, server_frames::signin_success(request->user_data));
}

void Engine::State::mark_authorized(Connection& connection) {
  if (!connection.authorization_deadline) return;
  connection.authorization_deadline.reset();
  reschedule(connection);
}

}  // namespace pushsim
