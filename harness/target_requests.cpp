#include "harness/target_requests.hpp"

namespace pushsim::harness {

HttpRequest build_rest_request(const RestCall& call, const AppCredentials& app, std::int64_t now_s) {
  const std::string path = call.path.starts_with("/apps/") ? call.path : "/apps/" + app.app_id + call.path;
  HttpRequest request;
  request.method = call.method;
  request.body = call.body;
  if (!call.body.empty()) request.headers.push_back({"Content-Type", "application/json"});
  if (call.signing == Signing::kUnsigned) {
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
  request.target = sign_rest_request(signer, call.method, path, call.params, signed_body, timestamp_s).target();
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

Frame auth_refused_frame(const std::string& channel) {
  return Frame::with_object_data("pusher:subscription_error", channel,
                                 Json{{"type", "AuthError"}, {"error", "auth refused"}, {"status", 403}});
}

}  // namespace pushsim::harness
