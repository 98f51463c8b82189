// The model's cluster operations and protocol-edge probes (workload.hpp, theory of operation).
//
// Cluster operations change what the model knows (a crashed node's connections are gone); the
// probes mostly stand alone: their own clients (x<N>...), channels (room-9, cache-9) or apps,
// so they hold whatever the rest of the workload did, and expect only what docs/protocol.md
// promises (or, in a `should` workload, the reference's documented SHOULD choice).
#include <algorithm>
#include <array>
#include <map>
#include <utility>

#include "harness/workload_model.hpp"

namespace pushsim::harness::workload_model {
namespace {

constexpr const char* kProbeWithin = "within: 5s";

bool probe_is_presence(const std::string& channel) { return channel.starts_with("presence-"); }

std::string probe_event(int number) { return "e" + std::to_string(number); }

// A connect that must succeed (through `node` in a cluster, when given).
std::vector<std::string> probe_connect_steps(const std::string& name, int node = -1) {
  return {node < 0 ? "- connect: " + name : "- connect: { client: " + name + ", node: " + std::to_string(node) + " }",
          "- expect: { client: " + name + ", event: pusher:connection_established, " + kProbeWithin + " }"};
}

// A sign-in that must succeed.
std::vector<std::string> probe_signin_steps(const std::string& name) {
  return {"- signin: " + name,
          "- expect: { client: " + name + ", event: pusher:signin_success, " + kProbeWithin + " }"};
}

struct RestEdgeCase {
  const char* field;  // what the request carries beyond a valid signature
  int status;
};

// §7.2: 600 s either way is the official window (599 in, 601 out: MUST), the parameters are
// sorted whatever their order on the wire, body_md5 takes its place among them. The reference's
// choices at the edge (exactly 600 s passes; an uppercase signature does not) are SHOULD.
constexpr std::array<RestEdgeCase, kRestEdgesAll> kRestEdgeCases = {{
    {"timestamp_offset: -599", 200},
    {"timestamp_offset: 599", 200},
    {"timestamp_offset: -601", 401},
    {"timestamp_offset: 601", 401},
    {"timestamp_offset: 3600", 401},
    {"signing: unsorted_query", 200},
    {"params: { info: subscription_count }", 200},
    {"timestamp_offset: -600", 200},
    {"timestamp_offset: 600", 200},
    {"signing: uppercase_signature", 401},
}};

}  // namespace

bool Model::possible_edge(const WorkloadOp& op) const {
  using K = WorkloadOp::Kind;
  // The probes that take seconds wait for no dropped connection: they would stretch its
  // liveness window (kDropWindowOps operations of a second or two).
  const bool single = nodes() < 2 && !workload_.live && !any_dropped();
  switch (op.kind) {
    // A crash needs a survivor, and nothing whose timing it would stretch: a dropped
    // connection's liveness window, or webhook retries a crashed node would take with it.
    case K::kCrashNode:
      return !workload_.live && node_up(op.node) && nodes_up() >= 2 && !any_dropped() && !webhook_failures_seen_;
    case K::kRestartNode: return op.node >= 0 && op.node < nodes() && nodes() > 1 && !node_up(op.node);
    case K::kBusPartition: return !workload_.live && op.node != op.node_b && node_up(op.node) && node_up(op.node_b);
    case K::kRestEdge:
      return !workload_.live && op.variant >= 0 && op.variant < (workload_.should ? kRestEdgesAll : kRestEdgesMust);
    case K::kSigninAsOther:
    case K::kWatchlist:
    case K::kWatchlistLimit: return single;
    case K::kAppProbe: return single && op.variant >= 0 && op.variant < kAppProbes;
    case K::kPrivateFormAuth:
      return !workload_.live && active(op.a) && probe_is_presence(op.channel) && !subscribed(op.a, op.channel);
    // The TTL's 30 minutes would outlast a dropped connection's window and a partitioned
    // client's liveness (it could not answer the server's pings).
    case K::kCacheTtl: return single && !cache_ttl_done_ && !any_dropped() && !any_partitioned();
    case K::kBinaryFrame: return single && workload_.should;
    default: return false;
  }
}

// Webhooks due before the crash (the 3 s removal delay) leave first: deliveries in flight on a
// crashed node die with it (docs/cluster.md). Then the stated bound, kClusterDeathNoticed (4 s)
// and a bus hop: the survivors have removed the node's subscriptions and members, and the other
// nodes' clients have their member_removed.
void Model::crash_node(int node) {
  for (int j = 0; j < clients(); ++j) {
    if (client(j).connected && client(j).partitioned && client_node_[static_cast<std::size_t>(j)] == node) heal(j);
  }
  emit("- advance: 5s");
  emit("- crash_node: " + std::to_string(node));
  node_up_[static_cast<std::size_t>(node)] = false;
  emit("- advance: 5s");
  // Every connection of the node is gone at once: the others see each user leave once, and
  // a fellow victim sees nothing.
  std::map<std::pair<std::string, std::string>, int> left;  // (channel, user) -> a victim
  for (int j = 0; j < clients(); ++j) {
    if (!client(j).connected || client_node_[static_cast<std::size_t>(j)] != node) continue;
    for (const auto& channel : client(j).subscriptions) left.emplace(std::pair{channel, user(j)}, j);
    mut(j).subscriptions.clear();
    mut(j).connected = false;
    mut(j).partitioned = false;
    mut(j).signed_in = false;
  }
  for (const auto& [key, victim] : left) {
    if (probe_is_presence(key.first)) member_left(victim, key.first, {});
  }
}

void Model::restart_node(int node) {
  emit("- restart_node: " + std::to_string(node));
  node_up_[static_cast<std::size_t>(node)] = true;
  caches_[static_cast<std::size_t>(node)].clear();
}

// Cut pub/sub between two nodes: channel and member state lives in the shared store, so REST
// on either answers for the whole cluster (cluster.10). Nothing is published meanwhile (the
// cut loses broadcasts, as Redis pub/sub does), and what was in flight has landed first.
void Model::bus_partition(int a, int b) {
  emit(settle());
  emit("- partition_nodes: [" + std::to_string(a) + ", " + std::to_string(b) + "]");
  query_channels(at_node(a));
  for (const auto& channel : channels_used_) {
    if (probe_is_presence(channel)) query_presence(channel, at_node(b));
  }
  emit("- heal_nodes: [" + std::to_string(a) + ", " + std::to_string(b) + "]");
}

void Model::rest_edge(const WorkloadOp& op) {
  const auto& edge = kRestEdgeCases[static_cast<std::size_t>(op.variant)];
  emit("- request: { method: POST, path: /events, body: { name: " + probe_event(op.number) +
       ", channels: [room-9], data: \"{}\" }, " + edge.field + at_node(op.node) + " }");
  emit("- expect_response: { status: " + std::to_string(edge.status) + " }");
}

// §4.5: sign-in fails if the connection is already signed in as a different user.
void Model::signin_as_other(const WorkloadOp& op) {
  const std::string name = probe_name(op.number) + "a";
  const std::string other = probe_name(op.number) + "b";
  probe_clients[name] = "{ user_id: p" + std::to_string(op.number) + "a }";
  probe_clients[other] = "{ user_id: p" + std::to_string(op.number) + "b }";
  for (auto& step : probe_connect_steps(name)) emit(std::move(step));
  for (auto& step : probe_signin_steps(name)) emit(std::move(step));
  emit("- signin: { client: " + name + ", as: " + other + " }");
  emit("- expect: { client: " + name + ", event: pusher:error, " + kProbeWithin + " }");
  emit("- expect_none: { client: " + name + ", event: pusher:signin_success, for: 1s, after_previous: true }");
  emit("- disconnect: " + name);
}

// §4.6: a user is online while signed in on at least one connection: online comes with its
// first, offline with its last, once each (signin.20-22). The watcher's initial state (the
// watched user offline, in whatever form) comes before the online, so the offline is looked
// for after it. kWatchlistNodes puts the watcher, the user's first and its second connection
// on the nodes op.node, op.node_b (another) and op.node_c: every node's sign-ins count
// (docs/cluster.md, cluster.14).
void Model::watchlist(const WorkloadOp& op) {
  const std::string n = std::to_string(op.number);
  const std::string watcher = probe_name(op.number) + "w";
  const std::string first = probe_name(op.number) + "u";
  const std::string second = probe_name(op.number) + "v";
  const std::string watched = "p" + n + "u";
  probe_clients[watcher] = "{ user_id: p" + n + "w, watchlist: [" + watched + "] }";
  probe_clients[first] = "{ user_id: " + watched + " }";
  probe_clients[second] = "{ user_id: " + watched + " }";
  requires_extra.insert("watchlist");
  const std::string events = "event: pusher_internal:watchlist_events";
  for (auto& step : probe_connect_steps(watcher, op.node)) emit(std::move(step));
  for (auto& step : probe_signin_steps(watcher)) emit(std::move(step));
  for (auto& step : probe_connect_steps(first, op.node_b)) emit(std::move(step));
  for (auto& step : probe_signin_steps(first)) emit(std::move(step));
  emit("- expect: { client: " + watcher + ", " + events + ", data: { events: [ { name: online, user_ids: [" + watched +
       "] } ] }, " + kProbeWithin + " }");
  for (auto& step : probe_connect_steps(second, op.node_c)) emit(std::move(step));
  for (auto& step : probe_signin_steps(second)) emit(std::move(step));
  emit("- expect_none: { client: " + watcher + ", " + events + ", for: 1s, after_previous: true }");
  emit("- disconnect: " + first);
  emit("- expect_none: { client: " + watcher + ", " + events + ", for: 2s, after_previous: true }");
  emit("- disconnect: " + second);
  emit("- expect: { client: " + watcher + ", " + events + ", data: { events: [ { name: offline, user_ids: [" + watched +
       "] } ] }, after_previous: true, " + kProbeWithin + " }");
  emit("- disconnect: " + watcher);
}

// §4.6: a watchlist over 100 ids keeps the first 100; the sign-in succeeds, then pusher:error 4302.
void Model::watchlist_limit(const WorkloadOp& op) {
  const std::string name = probe_name(op.number) + "l";
  std::string ids;
  for (int i = 1; i <= 101; ++i) ids += (i == 1 ? "" : ", ") + std::string("w") + std::to_string(i);
  probe_clients[name] = "{ user_id: p" + std::to_string(op.number) + "l, watchlist: [" + ids + "] }";
  requires_extra.insert("watchlist");
  for (auto& step : probe_connect_steps(name)) emit(std::move(step));
  for (auto& step : probe_signin_steps(name)) emit(std::move(step));
  emit("- expect: { client: " + name + ", event: pusher:error, data: { code: 4302 }, after_previous: true, " +
       kProbeWithin + " }");
  emit("- disconnect: " + name);
}

// App settings (§1.8, §5, §7.1) and authorized connections (§4.6), each on an app of its own.
void Model::app_probe(const WorkloadOp& op) {
  const std::string n = std::to_string(op.number);
  const std::string name = probe_name(op.number);
  const std::string other = name + "b";
  const std::string app = "app" + n;
  const std::string event = probe_event(op.number);
  switch (op.variant) {
    case 0:  // a disabled app: its connections are closed with 4003, its REST calls answered 403
      apps[app] = "{ enabled: false }";
      probe_clients[name] = "{ app: " + app + " }";
      emit("- connect: " + name);
      emit("- expect_close: { client: " + name + ", code: 4003, " + kProbeWithin + " }");
      emit("- expect_none: { client: " + name + ", event: pusher:connection_established, for: 500ms }");
      emit("- trigger: { channel: room-9, event: " + event + ", app: " + app + " }");
      emit("- expect_response: { status: 403 }");
      return;
    case 1:  // a connection over the app's quota is closed with 4004
      apps[app] = "{ max_connections: 1 }";
      probe_clients[name] = "{ app: " + app + " }";
      probe_clients[other] = "{ app: " + app + " }";
      for (auto& step : probe_connect_steps(name)) emit(std::move(step));
      emit("- connect: " + other);
      emit("- expect_close: { client: " + other + ", code: 4004, " + kProbeWithin + " }");
      emit("- disconnect: " + name);
      return;
    case 2:  // client events off: refused with pusher:error, relayed to nobody
      apps[app] = "{ client_events: false }";
      probe_clients[name] = "{ app: " + app + " }";
      probe_clients[other] = "{ app: " + app + " }";
      for (const auto& who : {name, other}) {
        for (auto& step : probe_connect_steps(who)) emit(std::move(step));
        emit("- subscribe: { client: " + who + ", channel: private-9 }");
        emit("- expect: { client: " + who + ", event: pusher_internal:subscription_succeeded, channel: private-9, " +
             kProbeWithin + " }");
      }
      emit("- client_event: { client: " + name + ", channel: private-9, event: client-" + event + ", data: { n: " + n +
           " } }");
      emit("- expect: { client: " + name + ", event: pusher:error, " + kProbeWithin + " }");
      emit("- expect_none: { client: " + other + ", event: client-" + event + ", for: 1s }");
      emit("- disconnect: " + name);
      emit("- disconnect: " + other);
      return;
    case 3:  // over the message quota: 403
      apps[app] = "{ max_messages: 2 }";
      probe_clients[name] = "{ app: " + app + " }";  // an app must be some client's; this one never connects
      for (const char* status : {"200", "200", "403"}) {
        emit("- trigger: { channel: room-9, event: " + event + ", app: " + app + " }");
        emit(std::string("- expect_response: { status: ") + status + " }");
      }
      return;
    default: break;
  }
  // Authorized connections: sign in or subscribe privately within the timeout, or be closed.
  apps[app] = "{ user_authentication_required: true, authorization_timeout: 2s }";
  probe_clients[name] = "{ user_id: p" + n + ", app: " + app + " }";
  for (auto& step : probe_connect_steps(name)) emit(std::move(step));
  if (op.variant == 5 || op.variant == 7) {
    const std::string channel = op.variant == 5 ? "room-9" : "private-9";
    emit("- subscribe: { client: " + name + ", channel: " + channel + " }");
    emit("- expect: { client: " + name + ", event: pusher_internal:subscription_succeeded, channel: " + channel + ", " +
         kProbeWithin + " }");
  }
  if (op.variant == 6)
    for (auto& step : probe_signin_steps(name)) emit(std::move(step));
  if (op.variant == 4 || op.variant == 5) {
    emit("- expect_close: { client: " + name + ", " + kProbeWithin + " }");
    return;
  }
  emit("- expect_none: { client: " + name + ", event: pusher:error, for: 3s }");
  emit("- disconnect: " + name);
}

// §4.3: presence auth signs channel_data; a signature in the private form leaves it unbound,
// so the subscription is refused and nobody sees the claimed member.
void Model::private_form_auth(const WorkloadOp& op) {
  const std::string name = client_name(op.a);
  const std::string claimed = "p" + std::to_string(op.number);
  emit("- subscribe: { client: " + name + ", channel: " + op.channel + ", channel_data: { user_id: " + claimed +
       " }, auth: { signed_channel_data: null } }");
  emit("- expect_refused: { client: " + name + ", channel: " + op.channel + ", " + kProbeWithin + " }");
  for (int j = 0; j < clients(); ++j) {
    if (!subscribed(j, op.channel)) continue;
    expect_at(j, "- expect_none: { client: " + client_name(j) +
                     ", event: pusher_internal:member_added, data: { user_id: " + claimed + " }, for: 500ms }");
  }
}

// §2.2: a cached event is kept up to 30 minutes; after that a subscriber gets cache_miss. Every
// event the workload's cache channels held is older, so those are misses from now on too.
void Model::cache_ttl(const WorkloadOp& op) {
  const std::string name = probe_name(op.number);
  const std::string event = probe_event(op.number);
  probes.insert(op.number);
  long_wait = true;
  cache_ttl_done_ = true;
  emit("- trigger: { channel: cache-9, event: " + event + ", data: { n: " + std::to_string(op.number) + " } }");
  emit("- expect_response: { status: 200 }");
  emit("- advance: 1801s");
  for (auto& cache : caches_) cache.clear();
  for (auto& step : probe_connect_steps(name)) emit(std::move(step));
  emit("- subscribe: { client: " + name + ", channel: cache-9 }");
  emit("- expect: { client: " + name + ", event: pusher_internal:subscription_succeeded, channel: cache-9, " +
       kProbeWithin + " }");
  emit("- expect: { client: " + name + ", event: pusher:cache_miss, channel: cache-9, " + kProbeWithin + " }");
  emit("- expect_none: { client: " + name + ", event: " + event + ", for: 1s }");
  emit("- disconnect: " + name);
  emit(settle());  // cache-9 is the default app's: off the channel list before any listing
}

// SHOULD (§1.2, connection.84): a binary frame is refused with pusher:error (code null), even
// one holding a valid pusher:subscribe, and not acted on.
void Model::binary_frame(const WorkloadOp& op) {
  const std::string name = probe_name(op.number);
  probes.insert(op.number);
  for (auto& step : probe_connect_steps(name)) emit(std::move(step));
  emit("- send: { client: " + name +
       ", binary: true, text: '{\"event\":\"pusher:subscribe\",\"data\":{\"channel\":\"room-9\"}}' }");
  emit("- expect: { client: " + name + ", event: pusher:error, data: { code: null }, " + kProbeWithin + " }");
  emit("- expect_none: { client: " + name + ", event: pusher_internal:subscription_succeeded, for: 1s }");
  emit("- disconnect: " + name);
}

}  // namespace pushsim::harness::workload_model
