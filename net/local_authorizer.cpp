#include "net/local_authorizer.hpp"

#include "protocol/channel_name.hpp"
#include "protocol/client/client_frames.hpp"

namespace pushsim {
namespace {

constexpr int kForbidden = 403;

AuthResult authorize_channel(const LocalAuthorizerOptions& options, const AuthRequest& request) {
  ChannelKind kind = classify_channel(request.channel).kind;
  if (kind == ChannelKind::kPresence) {
    if (!options.presence_user) return AuthFailure{kForbidden, "no presence user configured"};
    std::string channel_data = dump_json(*options.presence_user);
    return Json{{"auth", sign_channel(options.app, request.socket_id, request.channel, channel_data)},
                {"channel_data", channel_data}};
  }
  Json body = {{"auth", sign_channel(options.app, request.socket_id, request.channel)}};
  if (kind == ChannelKind::kEncrypted && options.encryption_master_key_base64) {
    auto secret = encrypted_channel_shared_secret(request.channel, *options.encryption_master_key_base64);
    if (!secret) return AuthFailure{kForbidden, secret.error().message};
    body["shared_secret"] = *secret;
  }
  return body;
}

}  // namespace

Authorizer make_local_authorizer(LocalAuthorizerOptions options) {
  return [options = std::move(options)](const AuthRequest& request) -> AuthResult {
    if (request.kind == AuthKind::kChannel) return authorize_channel(options, request);
    if (!options.user_data) return AuthFailure{kForbidden, "no user data configured"};
    std::string user_data = dump_json(*options.user_data);
    return Json{{"auth", sign_user(options.app, request.socket_id, user_data)}, {"user_data", user_data}};
  };
}

}  // namespace pushsim
