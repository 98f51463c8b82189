// The app server's half of the simulation target: auth signatures and signed REST calls,
// including the deliberately wrong ones scenarios ask for.
#include "fakes/raw_client.hpp"
#include "fakes/world.hpp"
#include "harness/sim_target.hpp"
#include "harness/target_requests.hpp"
#include "protocol/signing.hpp"

namespace pushsim::harness {
namespace {

std::optional<std::string> socket_of(const fakes::RawClient* raw) {
  return raw == nullptr ? std::nullopt : raw->socket_id();
}

}  // namespace

ClientSigner SimTarget::signer_of(const ClientState& client, const AuthChoice& auth) const {
  return [this, &client, &auth](const Signer& sign) {
    return sign_for(client.spec.name, app_of(client).credentials(), socket_of(client.raw), auth, sign);
  };
}

ActionError SimTarget::rest(const RestCall& call) {
  const AppCredentials app = world_->config().app().credentials();
  HttpRequest request = build_rest_request(call, app, to_unix_seconds(world_->now()));
  world_->rest(std::move(request));
  return std::nullopt;
}

}  // namespace pushsim::harness
