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
  if (call.app != "default" && options_.app_names.count(call.app) == 0) {
    return "a REST call names app '" + call.app + "', which this target was not given";
  }
  const AppCredentials app = app_named(call.app).credentials();
  HttpRequest request = build_rest_request(call, app, to_unix_seconds(world_->now()));
  std::optional<NodeId> node;
  if (call.node) node = static_cast<NodeId>(*call.node);
  world_->rest(std::move(request), {}, node);
  return std::nullopt;
}

// ---- cluster faults ---------------------------------------------------------------------------

int SimTarget::nodes() const { return static_cast<int>(world_->node_count()); }

ActionError SimTarget::crash_node(int node) {
  if (!world_->crash_node(static_cast<NodeId>(node))) return "node " + std::to_string(node) + " is not up";
  return std::nullopt;
}

ActionError SimTarget::restart_node(int node) {
  if (!world_->restart_node(static_cast<NodeId>(node))) return "node " + std::to_string(node) + " is not down";
  return std::nullopt;
}

ActionError SimTarget::partition_nodes(int a, int b) {
  if (!world_->partition_nodes(static_cast<NodeId>(a), static_cast<NodeId>(b))) return "no such nodes";
  return std::nullopt;
}

ActionError SimTarget::heal_nodes(std::optional<std::pair<int, int>> nodes) {
  const bool done = nodes ? world_->heal_nodes(static_cast<NodeId>(nodes->first), static_cast<NodeId>(nodes->second))
                          : world_->heal_all_nodes();
  if (!done) return "no cluster bus to heal";
  return std::nullopt;
}

}  // namespace pushsim::harness
