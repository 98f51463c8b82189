#pragma once
// Generated workloads: from a seed, a random but valid workload for a Pusher server, written
// as a self-checking scenario (YAML text the loader reads like any other scenario).
//
// Theory of operation. A workload is a list of abstract operations (WorkloadOp): clients
// connect, subscribe and leave public, private, presence and cache channels, the app triggers
// (with and without exclusion, batched), clients send client events and sign in, the network
// misbehaves (latency, partition and heal, drop), the webhook receiver fails, and a few
// probes send what the server must refuse. The generator draws each operation from what the
// model (workload.cpp) says is possible at that point. A second stream of its own ("extras",
// at most three a workload) adds probes of later features after some operations: webhook
// endpoints with event filters, a WebSocket ping, and in clusters terminate_connections,
// watchlists and an app's connection quota across nodes; a SHOULD workload may end with a
// graceful shutdown. Being a stream apart, they left every other operation of a seed as it was.
//
// Rendering walks the operations through the same model, an independent account of what the
// protocol promises, and writes each operation's steps followed by the expectations the
// protocol guarantees whatever the timing: every published event reaches each subscribed,
// not-excluded connection exactly once, and none other; member lists, member_added and
// member_removed follow the users present; the REST API's user_count and channel list agree;
// webhooks end as the channels do. Where the timing decides (operations issued
// concurrently), it expects only what holds for every order and leaves the rest to the
// invariants. Operations the model finds impossible at their point (after shrinking removed
// what they needed) are left out, so every subset of a workload renders to a valid one.
//
// State is made definite before it is relied on: a subscribe waits for
// subscription_succeeded, an unsubscribe or disconnect for a second (longer than any
// latency the workload sets); a partitioned client does nothing until healed, and what it was
// owed is expected after its heal. A dropped connection stays on the server, subscribed and a
// presence member, until the server's liveness check closes it: at least 30 s (a ping sent
// just after the drop, then the pong timeout), at most 150 s (activity timeout, then pong
// timeout). Meanwhile the model counts it in member lists, user counts, subscription counts
// and the channel list, and expects nothing on it; the generator lets at most
// kDropWindowOps operations (a few seconds of virtual time) pass before drop-timeout waits
// 155 s and the server's closing of it is expected (member_removed, counts).
#include <cstdint>
#include <string>
#include <vector>

namespace pushsim::harness {

struct WorkloadOptions {
  std::uint64_t seed = 1;
  int clients = 4;      // 1..16
  int steps = 40;       // operations drawn (1..150: a scenario has 10 minutes of virtual time)
  bool live = false;    // for a live target (see Workload::live)
  int nodes = 1;        // 1..3: a cluster of that many reference nodes (see Workload::nodes)
  bool should = false;  // also the reference's documented SHOULD choices (see Workload::should)
  bool extras = true;   // the extras stream (theory of operation); off: the operations without them
};

struct WorkloadBatchItem {
  std::string channel;
  int number = 0;
  int exclude = -1;  // client index, -1: none

  bool operator==(const WorkloadBatchItem&) const = default;
};

struct WorkloadOp {
  enum class Kind {
    kConnect,
    kDisconnect,
    kSubscribe,
    kUnsubscribe,
    kTrigger,
    kBatchTrigger,
    kClientEvent,
    kPublicClientEvent,  // probe: a client event on a public channel reaches nobody
    kSignin,
    kPing,
    kLatency,
    kPartition,
    kHeal,
    kDrop,         // the server keeps the dead connection until its liveness check closes it
    kDropTimeout,  // time passes until the server has closed every dropped connection
    kWebhookFailures,
    kBadAuth,      // probe: a subscribe with a wrong signature is refused
    kStaleRest,    // probe: a REST call with an hour-old timestamp is refused
    kBadKey,       // probe: a connection with an unknown app key is refused
    kBadProtocol,  // probe: a connection with protocol 3 is refused
    kQueryPresence,
    kQueryChannels,
    kRaceJoin,   // two clients subscribe to one presence channel at once
    kRaceFlap,   // one client leaves a channel as another joins it
    kRaceCache,  // a trigger on a cache channel as a client subscribes to it
    kRaceRelay,  // a client event as one of its receivers unsubscribes
    // Clusters (Workload::nodes > 1, docs/cluster.md).
    kCrashNode,     // a node dies: its connections drop, survivors remove its members in the bound
    kRestartNode,   // a crashed node starts again, empty
    kBusPartition,  // the bus between two nodes is cut: REST on both answers for the cluster; healed
    // Protocol edges, each a self-contained probe (own clients, channels or app) but
    // kPrivateFormAuth, which tries a model client's subscribe.
    kRestEdge,         // REST signing edges (§7.2): timestamps 599/601 s off, parameter order
    kSigninAsOther,    // a signed-in connection signs in again as another user: refused (§4.5)
    kWatchlist,        // a watcher hears online with a user's first connection, offline with its last
    kWatchlistLimit,   // a watchlist of 101 ids: sign-in succeeds, then pusher:error 4302
    kAppProbe,         // app settings (§1.8, §5, §7.1) and authorized connections (§4.6)
    kPrivateFormAuth,  // a presence subscribe signed in the private form is refused (§4.3)
    kCacheTtl,         // 30 minutes later a cache channel's event is gone (§2.2)
    kBinaryFrame,      // SHOULD: a binary frame is refused with pusher:error, not acted on (§1.2)
    // Drawn from a stream of their own (generate_workload: "extras"), so that adding them left
    // every other operation of a seed as it was; each a self-contained probe but kWsPing.
    kWebhookFilter,   // webhook endpoints with event filters get only their events, batched or not (§8.3)
    kWsPing,          // a model client's WebSocket ping frame is answered with its pong (§1.6)
    kShutdown,        // SHOULD: a graceful shutdown closes every connection with 4200 (§1.8); the
                      // scenario's last steps, wherever the operation stands
    kTerminate,       // cluster: terminate_connections closes a user's connections on every node (§4.6)
    kWatchlistNodes,  // cluster: kWatchlist with the watcher and the watched user on different nodes
    kQuotaNodes,      // cluster: an app's max_connections counts the connections of every node (§1.8)
  };
  Kind kind = Kind::kConnect;
  int a = -1;  // client index
  int b = -1;  // second client index (races)
  std::string channel;
  std::vector<std::string> channels;  // trigger
  std::vector<WorkloadBatchItem> items;
  int exclude = -1;
  int number = 0;  // the publication's number: event e<N> / client-e<N>, data {n: N}
  int min_ms = 0;  // latency
  int max_ms = 0;
  int node = -1;    // cluster: the node a connect or REST call goes to, the node crashed/restarted
  int node_b = -1;  // kBusPartition: the other node; kTerminate, kWatchlistNodes, kQuotaNodes: a second one
  int node_c = -1;  // kTerminate: the node the REST call goes to; kWatchlistNodes: the second connection's
  int variant = 0;  // kRestEdge, kAppProbe: which edge

  bool operator==(const WorkloadOp&) const = default;
};

struct Workload {
  std::uint64_t seed = 1;
  // The scenario id; empty: workload_id(seed). It is part of the run (the world's seed is
  // derived from it), so a written scenario keeps the id it was checked with.
  std::string id;
  int clients = 4;
  std::vector<std::string> user_ids;  // per client
  bool batch_webhooks = false;
  bool subscription_count = false;
  // For a live target, where the relay's drop resets both sides at once: the server sees the
  // connection end as the client does, so a drop is rendered as an abrupt disconnect (its
  // subscriptions and members leave at once), drop-timeout is left out (it waits 155 s for a
  // liveness check a reset connection never needs), the waits between operations are shorter
  // (500 ms: above the workload's 150 ms latency both ways, as real time) and the final one
  // outlasts the server's 3 s webhook removal delay rather than virtual minutes. Not
  // simulation_only; in simulation a drop is a silent loss, which the live model does not expect.
  bool live = false;
  // A cluster of `nodes` reference nodes over the simulated bus and store (docs/cluster.md):
  // clients connect to the node their connect names, REST calls go to any live node, nodes
  // crash and restart and the bus between two is cut. Seen from outside a correct cluster is
  // one server, so the model's expectations stay those of one server, plus the cluster's
  // stated bound: a crashed node's members are gone within kClusterDeathNoticed (4 s).
  int nodes = 1;
  // Also the reference's documented SHOULD choices (docs/protocol.md): the scenario is
  // `level: should`, so a failure is a SHOULD finding, not a broken MUST.
  bool should = false;
  std::vector<WorkloadOp> ops;

  bool operator==(const Workload&) const = default;
};

Workload generate_workload(const WorkloadOptions& options);

// The scenario's id for a workload seed: generated.<seed>.
std::string workload_id(std::uint64_t seed);

// How often one client must get one published event (event e<N> or client-e<N>) on one channel
// over the whole run, every connection it had included: [min, max]. min < max where timing
// decides (a race), and min = max = 0 for every client, event and channel not listed.
struct WorkloadDelivery {
  std::string client;
  std::string channel;
  std::string event;
  int min = 0;
  int max = 0;

  bool operator==(const WorkloadDelivery&) const = default;
};

struct RenderedWorkload {
  std::string yaml;
  std::size_t ops_kept = 0;    // operations the model found possible
  std::size_t steps = 0;       // top-level scenario steps
  std::size_t clients = 0;     // clients declared
  std::size_t concurrent = 0;  // concurrently blocks
  // What every published event owes each client, ordered by (event, channel, client).
  std::vector<WorkloadDelivery> deliveries;
};

// The scenario YAML; `comment` lines go at the top, each prefixed "# ".
RenderedWorkload render_workload(const Workload& workload, const std::vector<std::string>& comment = {});

// The operation's name as the CLI and tests print it ("subscribe", "race-join").
std::string_view op_kind_name(WorkloadOp::Kind kind);

}  // namespace pushsim::harness
