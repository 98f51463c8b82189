#include "fakes/auth_server.hpp"

#include "protocol/channel_name.hpp"

namespace pushsim::fakes {

namespace {

HttpResponse json_response(int status, const Json& body) {
  return HttpResponse{status, {{"Content-Type", "application/json"}}, body.dump()};
}

HttpResponse refusal(int status, std::string message) {
  return HttpResponse{status, {{"Content-Type", "text/plain"}}, std::move(message)};
}

std::optional<std::string> form_value(const QueryParams& form, std::string_view key) {
  for (const auto& [k, v] : form)
    if (k == key) return v;
  return std::nullopt;
}

}  // namespace

std::string presence_channel_data(const UserProfile& user) {
  nlohmann::ordered_json data;
  data["user_id"] = user.id;
  if (!user.info.is_null()) data["user_info"] = user.info;
  return data.dump();
}

std::string user_data(const UserProfile& user) {
  nlohmann::ordered_json data;
  data["id"] = user.id;
  if (!user.info.is_null()) data["user_info"] = user.info;
  if (user.watchlist) data["watchlist"] = *user.watchlist;
  return data.dump();
}

AuthServer::AuthServer(AppCredentials app, std::optional<std::string> encryption_master_key_base64)
    : app_(std::move(app)), master_key_(std::move(encryption_master_key_base64)) {}

HttpRequest AuthServer::channel_auth_request(std::string_view session, std::string_view socket_id,
                                             std::string_view channel) {
  return HttpRequest{
      "POST",
      kChannelAuthPath,
      {{"Content-Type", "application/x-www-form-urlencoded"}, {"Cookie", "session=" + std::string(session)}},
      "socket_id=" + percent_encode(socket_id) + "&channel_name=" + percent_encode(channel)};
}

HttpRequest AuthServer::user_auth_request(std::string_view session, std::string_view socket_id) {
  return HttpRequest{
      "POST",
      kUserAuthPath,
      {{"Content-Type", "application/x-www-form-urlencoded"}, {"Cookie", "session=" + std::string(session)}},
      "socket_id=" + percent_encode(socket_id)};
}

const UserProfile* AuthServer::session_user(const HttpRequest& request) const {
  const auto cookie = request.header("Cookie");
  if (!cookie || !cookie->starts_with("session=")) return nullptr;
  auto it = sessions_.find(std::string(cookie->substr(8)));
  return it == sessions_.end() ? nullptr : &it->second;
}

HttpReply AuthServer::handle(TimeNs now, const HttpRequest& request) {
  if (auto forced = faults_.intercept()) {
    log_.push_back(
        AuthLogEntry{now, std::string(request.path()), "", "", forced->response ? forced->response->status : 0});
    return *forced;
  }
  HttpResponse response;
  std::string socket_id, channel;
  auto form = parse_query(request.body);
  if (request.method != "POST") {
    response = refusal(405, "POST only");
  } else if (!form) {
    response = refusal(400, form.error().message);
  } else {
    socket_id = form_value(*form, "socket_id").value_or("");
    if (request.path() == kChannelAuthPath) {
      channel = form_value(*form, "channel_name").value_or("");
      response = authorize_channel(socket_id, channel, session_user(request));
    } else if (request.path() == kUserAuthPath) {
      response = authenticate_user(socket_id, session_user(request));
    } else {
      response = refusal(404, "no such endpoint");
    }
  }
  log_.push_back(AuthLogEntry{now, std::string(request.path()), socket_id, channel, response.status});
  return HttpReply{std::move(response), faults_.delay()};
}

HttpResponse AuthServer::authorize_channel(std::string_view socket_id, std::string_view channel,
                                           const UserProfile* user) const {
  if (!is_valid_socket_id(socket_id)) return refusal(400, "invalid socket_id");
  if (channel.empty()) return refusal(400, "channel_name required");
  if (policy_.refused_channels.count(std::string(channel)) > 0) return refusal(403, "Forbidden");
  if (user && policy_.refused_users.count(user->id) > 0) return refusal(403, "Forbidden");
  const ChannelKind kind = classify_channel(channel).kind;
  Json body;
  if (kind == ChannelKind::kPresence) {
    if (!user) return refusal(403, "presence needs a signed-in session");
    const std::string data = presence_channel_data(*user);
    body["auth"] = sign_channel(app_, socket_id, channel, data);
    body["channel_data"] = data;
    return json_response(200, body);
  }
  body["auth"] = sign_channel(app_, socket_id, channel);
  if (kind == ChannelKind::kEncrypted) {
    if (!master_key_) return refusal(500, "no encryption master key configured");
    auto secret = encrypted_channel_shared_secret(channel, *master_key_);
    if (!secret) return refusal(500, secret.error().message);
    body["shared_secret"] = *secret;
  }
  return json_response(200, body);
}

HttpResponse AuthServer::authenticate_user(std::string_view socket_id, const UserProfile* user) const {
  if (!is_valid_socket_id(socket_id)) return refusal(400, "invalid socket_id");
  if (!user) return refusal(403, "not signed in");
  if (policy_.refused_users.count(user->id) > 0) return refusal(403, "Forbidden");
  const std::string data = user_data(*user);
  Json body;
  body["auth"] = sign_user(app_, socket_id, data);
  body["user_data"] = data;
  return json_response(200, body);
}

}  // namespace pushsim::fakes
