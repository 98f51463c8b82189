// The model's "extras" (workload.hpp): operations drawn from a stream of their own, so that
// adding them left every other operation of a seed as it was. Each is a self-contained probe
// (its own clients x<N>..., users p<N>, channel or app) but kWsPing, which pings a model client,
// so it holds whatever the rest of the workload did; none runs live (the live generator never
// draws them, and a workload that holds one renders without it). Each expects what
// docs/protocol.md (or docs/cluster.md) promises; kShutdown the reference's SHOULD choice.
#include <string>
#include <vector>

#include "harness/workload_model.hpp"

namespace pushsim::harness::workload_model {
namespace {

constexpr const char* kExtraWithin = "within: 5s";
// Longer than any latency the workload sets, both ways (as workload_model.cpp's settle).
constexpr const char* kExtraSettle = "- advance: 1s";

std::vector<std::string> extra_connect_steps(const std::string& name, int node) {
  return {node < 0 ? "- connect: " + name : "- connect: { client: " + name + ", node: " + std::to_string(node) + " }",
          "- expect: { client: " + name + ", event: pusher:connection_established, " + kExtraWithin + " }"};
}

std::vector<std::string> extra_signin_steps(const std::string& name) {
  return {"- signin: " + name,
          "- expect: { client: " + name + ", event: pusher:signin_success, " + kExtraWithin + " }"};
}

}  // namespace

bool Model::possible_extra(const WorkloadOp& op) const {
  using K = WorkloadOp::Kind;
  const bool cluster = nodes() > 1;
  if (workload_.live) return false;
  if (op.kind == K::kShutdown) return !cluster && workload_.should && shutdown_number_ < 0;
  // The others take seconds: no dropped connection's liveness window to stretch.
  if (any_dropped()) return false;
  const bool two_nodes = cluster && node_up(op.node) && node_up(op.node_b) && op.node != op.node_b;
  switch (op.kind) {
    case K::kWebhookFilter: return !cluster;
    case K::kWsPing: return !cluster && active(op.a);
    case K::kTerminate:
    case K::kWatchlistNodes: return two_nodes && node_up(op.node_c);
    case K::kQuotaNodes: return two_nodes;
    default: return false;
  }
}

// §8.3: each endpoint gets only the events its filter names, in POSTs of its own, also when
// the app batches (webhooks.79-80): a presence subscribe makes channel_occupied and
// member_added at once. The endpoints are the scenario's, so they get the rest of the
// workload's events too; the probe looks only at its own channel.
void Model::webhook_filter(const WorkloadOp& op) {
  const std::string n = std::to_string(op.number);
  const std::string name = probe_name(op.number);
  const std::string user_id = "p" + n;
  const std::string channel = "presence-hook" + n;
  probe_clients[name] = "{ user_id: " + user_id + " }";
  webhook_endpoints = true;
  for (auto& step : extra_connect_steps(name, -1)) emit(std::move(step));
  emit("- subscribe: { client: " + name + ", channel: " + channel + " }");
  emit("- expect: { client: " + name + ", event: pusher_internal:subscription_succeeded, channel: " + channel + ", " +
       kExtraWithin + " }");
  // 60 s: a failing receiver (webhook_failures) may have the POSTs retried.
  emit(concurrently_step(
      {"expect_webhook: { name: channel_occupied, channel: " + channel + ", endpoint: occupancy, within: 60s }",
       "expect_webhook: { name: member_added, channel: " + channel + ", user_id: " + user_id +
           ", endpoint: members, within: 60s }"}));
  emit(concurrently_step(
      {"expect_no_webhook: { name: member_added, channel: " + channel + ", endpoint: occupancy, for: 1s }",
       "expect_no_webhook: { name: channel_occupied, channel: " + channel + ", endpoint: members, for: 1s }"}));
  emit("- disconnect: " + name);
  emit(kExtraSettle);  // the default app's channel: off the channel list before any listing
}

// §1.6: a WebSocket ping control frame is answered with a pong carrying its payload (RFC 6455
// §5.5.2, connection.85), whatever the connection is doing.
void Model::ws_ping(const WorkloadOp& op) {
  const std::string name = client_name(op.a);
  const std::string payload = "ping-" + std::to_string(op.number);
  emit("- send: { client: " + name + ", ws_ping: " + payload + " }");
  emit("- expect_pong: { client: " + name + ", data: " + payload + ", " + kExtraWithin + " }");
}

// SHOULD (§1.8, connection.86): a graceful shutdown closes every connection with 4200, so that
// clients reconnect at once. The scenario's last steps: nothing runs on a server shut down.
// A probe client of its own makes sure some connection is open.
void Model::shutdown_steps() {
  const std::string name = probe_name(shutdown_number_);
  probes.insert(shutdown_number_);
  for (auto& step : extra_connect_steps(name, -1)) emit(std::move(step));
  emit("- shutdown_server:");
  std::vector<std::string> closes;
  for (int j = 0; j < clients(); ++j) {
    if (client(j).connected)
      closes.push_back("expect_close: { client: " + client_name(j) + ", code: 4200, " + kExtraWithin + " }");
  }
  closes.push_back("expect_close: { client: " + name + ", code: 4200, " + kExtraWithin + " }");
  emit(concurrently_step(closes));
}

// §4.6, §7.4: terminate_connections closes every signed-in connection of the user, whichever
// node got the request and whichever nodes hold them (cluster.13).
void Model::terminate(const WorkloadOp& op) {
  const std::string n = std::to_string(op.number);
  const std::string user_id = "p" + n;
  const std::string first = probe_name(op.number) + "a";
  const std::string second = probe_name(op.number) + "b";
  probe_clients[first] = "{ user_id: " + user_id + " }";
  probe_clients[second] = "{ user_id: " + user_id + " }";
  requires_extra.insert("terminate_connections");
  for (const auto& [who, node] : {std::pair{first, op.node}, std::pair{second, op.node_b}}) {
    for (auto& step : extra_connect_steps(who, node)) emit(std::move(step));
    for (auto& step : extra_signin_steps(who)) emit(std::move(step));
  }
  emit("- request: { method: POST, path: /users/" + user_id +
       "/terminate_connections, body: {}, node: " + std::to_string(op.node_c) + " }");
  emit("- expect_response: { status: 200 }");
  emit(concurrently_step({"expect_close: { client: " + first + ", " + kExtraWithin + " }",
                          "expect_close: { client: " + second + ", " + kExtraWithin + " }"}));
}

// §1.8 (docs/cluster.md, cluster.16): max_connections is the app's, not a node's: with one
// connection through each of two nodes, a third through either is over a quota of 2.
void Model::quota_nodes(const WorkloadOp& op) {
  const std::string name = probe_name(op.number);
  const std::string app = "app" + std::to_string(op.number);
  const std::string second = name + "b";
  const std::string third = name + "c";
  apps[app] = "{ max_connections: 2 }";
  for (const auto& who : {name, second, third}) probe_clients[who] = "{ app: " + app + " }";
  for (auto& step : extra_connect_steps(name, op.node)) emit(std::move(step));
  for (auto& step : extra_connect_steps(second, op.node_b)) emit(std::move(step));
  emit(kExtraSettle);
  emit("- connect: { client: " + third + ", node: " + std::to_string(op.node) + " }");
  emit("- expect_close: { client: " + third + ", code: 4004, " + kExtraWithin + " }");
  emit("- disconnect: " + name);
  emit("- disconnect: " + second);
  emit(kExtraSettle);
}

}  // namespace pushsim::harness::workload_model
