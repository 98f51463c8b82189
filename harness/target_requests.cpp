#include "harness/target_requests.hpp"

#include <algorithm>
#include <functional>

#include "protocol/channel_name.hpp"
#include "protocol/client/auth_error.hpp"
#include "protocol/client/client_frames.hpp"
#include "protocol/rest_requests.hpp"

namespace pushsim::harness {
namespace {

// The target of a validly signed request with its query rewritten: the signature in uppercase
// hex, or the parameters in reverse key order (what they sign is unchanged).
std::string reshaped_target(const std::string& target, Signing signing) {
  const auto question = target.find('?');
  if (question == std::string::npos) return target;
  std::vector<std::string> pairs;
  std::string query = target.substr(question + 1);
  for (std::size_t from = 0; from <= query.size();) {
    const auto amp = std::min(query.find('&', from), query.size());
    pairs.push_back(query.substr(from, amp - from));
    from = amp + 1;
  }
  for (auto& pair : pairs) {
    if (signing == Signing::kUppercaseSignature && pair.starts_with("auth_signature=")) {
      for (auto c = pair.begin() + static_cast<std::ptrdiff_t>(pair.find('=') + 1); c != pair.end(); ++c) {
        if (*c >= 'a' && *c <= 'f') *c = static_cast<char>(*c - 'a' + 'A');
      }
    }
  }
  if (signing == Signing::kUnsortedQuery) std::sort(pairs.begin(), pairs.end(), std::greater<>());
  std::string out = target.substr(0, question);
  for (std::size_t i = 0; i < pairs.size(); ++i) out += (i == 0 ? "?" : "&") + pairs[i];
  return out;
}

}  // namespace

void apply_app_settings(AppConfig& app, const std::string& name, const std::vector<AppSettings>& settings) {
  for (const auto& entry : settings) {
    if (entry.name != name) continue;
    if (entry.enabled) app.enabled = *entry.enabled;
    if (entry.client_events) app.client_events = *entry.client_events;
    if (entry.user_authentication_required) app.user_authentication_required = *entry.user_authentication_required;
    if (entry.authorization_timeout) app.authorization_timeout = *entry.authorization_timeout;
    if (entry.max_connections) app.max_connections = *entry.max_connections;
    if (entry.max_messages) app.max_messages = *entry.max_messages;
  }
}

HttpRequest build_rest_request(const RestCall& call, const AppCredentials& app, std::int64_t now_s) {
  const std::string path = call.path.starts_with("/apps/") ? call.path : app_rest_path(app, call.path);
  if (call.signing == Signing::kUnsigned) {
    HttpRequest request;
    request.method = call.method;
    request.body = call.body;
    if (!call.body.empty()) request.headers.push_back({"Content-Type", "application/json"});
    std::string query;
    for (const auto& [k, v] : call.params) query += (query.empty() ? "?" : "&") + k + "=" + v;
    request.target = path + query;
    return request;
  }
  AppCredentials signer = app;
  std::string signed_body = call.body;
  std::int64_t timestamp_s = now_s;
  if (call.signing == Signing::kBadSignature) signer.secret = "not-the-secret";
  if (call.signing == Signing::kWrongKey) signer.key = "not-the-key";
  if (call.signing == Signing::kStaleTimestamp) timestamp_s -= kStaleTimestampBy_s;
  if (call.signing == Signing::kWrongBodyMd5) signed_body += " ";
  if (call.timestamp_offset_s) timestamp_s += *call.timestamp_offset_s;
  HttpRequest request = signed_rest_request(signer, call.method, path, call.params, signed_body, timestamp_s);
  request.body = call.body;  // wrong_body_md5 signs another body than the one it sends
  if (call.signing == Signing::kUppercaseSignature || call.signing == Signing::kUnsortedQuery) {
    request.target = reshaped_target(request.target, call.signing);
  }
  return request;
}

Result<std::string> sign_for(const std::string& client, AppCredentials app, const std::optional<std::string>& socket_id,
                             const AuthChoice& auth, const Signer& sign) {
  if (auth.kind == AuthChoice::Kind::kLiteral) return auth.literal;
  if (auth.kind == AuthChoice::Kind::kOtherSocket) return sign(app, kOtherSocketId);
  if (!socket_id) return make_error("cannot sign for '" + client + "': it has no socket_id (not connected yet?)");
  if (auth.kind == AuthChoice::Kind::kWrongSignature) app.secret = "not-the-secret";
  return sign(app, *socket_id);
}

std::string presence_channel_data(const std::optional<Json>& channel_data, const ClientSpec& spec) {
  if (channel_data) return channel_data->is_string() ? channel_data->get<std::string>() : channel_data->dump();
  // Insertion order, as an app server would write it: user_id first.
  nlohmann::ordered_json data;
  data["user_id"] = spec.user_id.value_or("");
  if (spec.user_info) data["user_info"] = *spec.user_info;
  return data.dump();
}

void AuthRefusals::add(std::optional<std::string> client, std::optional<std::string> channel) {
  refusals_.emplace_back(std::move(client), std::move(channel));
}

bool AuthRefusals::refuses(const std::string& client, const std::string& channel) const {
  for (const auto& [who, which] : refusals_) {
    if ((!who || *who == client) && (!which || *which == channel)) return true;
  }
  return false;
}

Result<SubscribeEffect> subscribe_effect(const ClientSpec& client, const std::string& channel, const AuthChoice& auth,
                                         const std::optional<Json>& channel_data, const AuthRefusals& refusals,
                                         const ClientSigner& sign) {
  const ChannelKind kind = classify_channel(channel).kind;
  const bool signed_channel = requires_auth(kind);
  if (auth.kind == AuthChoice::Kind::kValid && signed_channel && refusals.refuses(client.name, channel)) {
    return SubscribeEffect{std::nullopt, auth_refused_frame(channel)};
  }
  std::optional<std::string> presence_data;
  if (kind == ChannelKind::kPresence) presence_data = presence_channel_data(channel_data, client);
  std::optional<Json> auth_value;
  if (auth.kind != AuthChoice::Kind::kNone && (signed_channel || auth.kind == AuthChoice::Kind::kLiteral)) {
    // Impersonation: the signature covers other channel_data than the one sent.
    std::optional<std::string> signed_data = presence_data;
    if (auth.kind == AuthChoice::Kind::kOtherChannelData) {
      signed_data = auth.signed_channel_data.is_null()
                        ? std::nullopt
                        : std::optional(presence_channel_data(auth.signed_channel_data, client));
    }
    auto signature = sign([&](const AppCredentials& app, const std::string& socket) {
      return sign_channel(app, socket, channel, signed_data);
    });
    if (!signature) return signature.error();
    auth_value = Json(*signature);
  }
  std::optional<Json> data_value;
  if (presence_data) data_value = Json(*presence_data);
  return SubscribeEffect{encode_subscribe(auth_value, data_value, channel, FrameForm::kCanonical), std::nullopt};
}

Result<std::string> signin_text(const ClientSpec& client, const AuthChoice& auth, const ClientSigner& sign) {
  nlohmann::ordered_json user;
  user["id"] = client.user_id.value_or("");
  if (client.user_info) user["user_info"] = *client.user_info;
  if (client.watchlist) user["watchlist"] = *client.watchlist;
  const std::string user_data = user.dump();
  std::optional<Json> auth_value;
  if (auth.kind != AuthChoice::Kind::kNone) {
    auto signature =
        sign([&](const AppCredentials& app, const std::string& socket) { return sign_user(app, socket, user_data); });
    if (!signature) return signature.error();
    auth_value = Json(*signature);
  }
  return encode_signin(auth_value, Json(user_data));
}

Frame auth_refused_frame(const std::string& channel) {
  return local_subscription_error(channel, auth_error_data("auth refused", 403));
}

}  // namespace pushsim::harness
