// The app server's half of the simulation target: auth signatures and signed REST calls,
// including the deliberately wrong ones scenarios ask for.
#include "fakes/raw_client.hpp"
#include "fakes/world.hpp"
#include "harness/sim_target.hpp"
#include "protocol/signing.hpp"
#include "harness/target_requests.hpp"

namespace pushsim::harness {
namespace {

// A socket_id that is well-formed but belongs to nobody.
constexpr const char* kOtherSocketId = "123456.7890123";

AppCredentials with_secret(AppCredentials app, std::string secret) {
  app.secret = std::move(secret);
  return app;
}

}  // namespace

Result<std::string> SimTarget::channel_auth(const ClientState& client, const std::string& channel,
                                            const AuthChoice& auth,
                                            const std::optional<std::string>& channel_data) const {
  const AppCredentials app = app_of(client).credentials();
  if (auth.kind == AuthChoice::Kind::kLiteral) return auth.literal;
  const std::optional<std::string> socket = client.raw == nullptr ? std::nullopt : client.raw->socket_id();
  if (auth.kind == AuthChoice::Kind::kOtherSocket) return sign_channel(app, kOtherSocketId, channel, channel_data);
  if (!socket) {
    return Error{"cannot sign for '" + client.spec.name + "': it has no socket_id (not connected yet?)", std::nullopt};
  }
  if (auth.kind == AuthChoice::Kind::kWrongSignature) {
    return sign_channel(with_secret(app, "not-the-secret"), *socket, channel, channel_data);
  }
  return sign_channel(app, *socket, channel, channel_data);
}

Result<std::string> SimTarget::user_auth(const ClientState& client, const std::string& user_data,
                                         const AuthChoice& auth) const {
  const AppCredentials app = app_of(client).credentials();
  if (auth.kind == AuthChoice::Kind::kLiteral) return auth.literal;
  const std::optional<std::string> socket = client.raw == nullptr ? std::nullopt : client.raw->socket_id();
  if (auth.kind == AuthChoice::Kind::kOtherSocket) return sign_user(app, kOtherSocketId, user_data);
  if (!socket) {
    return Error{"cannot sign in '" + client.spec.name + "': it has no socket_id (not connected yet?)", std::nullopt};
  }
  if (auth.kind == AuthChoice::Kind::kWrongSignature) {
    return sign_user(with_secret(app, "not-the-secret"), *socket, user_data);
  }
  return sign_user(app, *socket, user_data);
}

ActionError SimTarget::rest(const RestCall& call) {
  const AppCredentials app = world_->config().app().credentials();
  HttpRequest request = build_rest_request(call, app, to_unix_seconds(world_->now()));
  world_->rest(std::move(request));
  return std::nullopt;
}

}  // namespace pushsim::harness
