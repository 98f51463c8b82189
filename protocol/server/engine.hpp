#pragma once
// The reference Pusher Channels server, as a sans-IO state machine.
//
// Inputs are method calls that carry the current time: a connection opened, a text frame
// arrived, a connection closed, an HTTP request arrived, a webhook POST was answered, time
// passed. Outputs are queued and collected with take_outputs(): frames to send (one shared,
// immutable buffer per encoded frame, so a fan-out to N sockets encodes once; a fan-out is one
// BroadcastFrame naming its recipients, not one output per recipient), closes with a code, and
// webhook POSTs. next_deadline() says when the engine next wants on_tick().
//
// Behaviour follows the official service as docs/protocol.md describes it; where implementations
// differ, EngineOptions / AppConfig make the other choice available (for target profiles
// and for deliberately broken variants).
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

#include "protocol/http.hpp"
#include "protocol/json.hpp"
#include "protocol/limits.hpp"
#include "protocol/random.hpp"
#include "protocol/server/defects.hpp"
#include "protocol/server/engine_checks.hpp"
#include "protocol/signing.hpp"
#include "protocol/time.hpp"
#include "protocol/webhook.hpp"

namespace pushsim {

using ConnectionId = std::uint64_t;
class ClusterLink;
struct PeerMessage;

struct AppConfig {
  std::string id;
  std::string key;
  std::string secret;
  bool enabled = true;                        // disabled: close 4003 / REST 403
  bool client_events = true;                  // official: a per-app setting
  bool user_authentication_required = false;  // "authorized connections" (§4.6)
  DurationNs authorization_timeout = seconds(30);
  bool subscription_count = false;  // pusher_internal:subscription_count + webhook
  bool batch_webhooks = false;
  std::vector<WebhookConfig> webhooks;
  std::optional<std::size_t> max_connections;  // over quota: close 4004
  // Message quota: events the REST API accepts, one per channel each goes to; a publish that
  // would go over it is answered 403 and publishes nothing (§7.1).
  std::optional<std::uint64_t> max_messages;

  AppCredentials credentials() const { return {id, key, secret}; }
};

struct EngineOptions {
  Limits limits;
  int activity_timeout_s = 120;           // advertised in connection_established; also when we ping
  DurationNs pong_timeout = seconds(30);  // after our pusher:ping, silence this long -> close 4201
  DurationNs cache_ttl = seconds(1800);
  RestVerifyOptions rest;
  WebhookPolicy webhooks;
  int min_protocol = 5;  // accepted protocol versions; outside -> close 4007
  int max_protocol = 7;
  // Non-presence subscription_succeeded carries data "{}" (official); false omits data (soketi).
  bool subscription_succeeded_data = true;
  // Deliberately broken behaviour for `pushsim selftest`; empty for the reference engine.
  Defects defects;
};

// --- outputs -------------------------------------------------------------------------------
struct SendFrame {
  ConnectionId connection = 0;
  std::shared_ptr<const std::string> text;
};
// One frame to every connection of `recipients` but `except`, in the list's order (ascending
// connection ids), exactly as if each had been a SendFrame at this place in the outputs. The
// list is the channel's own, shared until the channel's subscribers change: a fan-out to N
// subscribers costs the engine no work per subscriber.
struct BroadcastFrame {
  std::shared_ptr<const std::vector<ConnectionId>> recipients;
  std::optional<ConnectionId> except;
  std::shared_ptr<const std::string> text;
};
struct CloseConnection {
  ConnectionId connection = 0;
  int code = 1000;
  std::string reason;
};
using EngineOutput = std::variant<SendFrame, BroadcastFrame, CloseConnection, WebhookPost>;

// Calls send(connection, text) for each frame an output sends, in order: once for a SendFrame,
// once per recipient of a BroadcastFrame, never for the other outputs.
template <class Send>
void for_each_frame(const EngineOutput& output, Send&& send) {
  if (const auto* frame = std::get_if<SendFrame>(&output)) {
    send(frame->connection, frame->text);
  } else if (const auto* broadcast = std::get_if<BroadcastFrame>(&output)) {
    for (ConnectionId connection : *broadcast->recipients) {
      if (connection != broadcast->except) send(connection, broadcast->text);
    }
  }
}

// --- observation ---------------------------------------------------------------------------
struct PresenceMember {
  std::string user_id;
  Json user_info;  // null when none was given
  bool operator==(const PresenceMember&) const = default;
};
struct CachedEvent {
  std::string event;
  std::string data;
  TimeNs expires_at = 0;
  bool operator==(const CachedEvent&) const = default;
};
struct CacheFootprint {
  std::size_t entries = 0;
  std::size_t bytes = 0;  // names, events, data and the entries' own size
};
struct ChannelSnapshot {
  std::string name;
  std::size_t subscription_count = 0;   // connections subscribed
  std::vector<PresenceMember> members;  // presence only, ordered by first join
  std::optional<CachedEvent> cache;     // cache channels only, when not expired
  bool occupied() const { return subscription_count > 0; }
  bool operator==(const ChannelSnapshot&) const = default;
};
struct PublishOutcome {
  std::size_t delivered = 0;  // frames queued
};

class Engine {
 public:
  Engine(EngineOptions options, std::vector<AppConfig> apps, RandomSource& rng);
  ~Engine();
  Engine(const Engine&) = delete;
  Engine& operator=(const Engine&) = delete;

  // --- inputs ------------------------------------------------------------------------------
  // A WebSocket opened with this request target, e.g. "/app/KEY?protocol=7&client=js&version=8.4.0".
  // Sends connection_established, or pusher:error then a close (4001 unknown app, 4003
  // disabled, 4004 over quota, 4005 bad path, 4007 unsupported protocol, ...).
  void on_open(TimeNs now, ConnectionId connection, std::string_view target);
  void on_text(TimeNs now, ConnectionId connection, std::string_view text);
  // A binary frame: not supported by the protocol; answered with pusher:error.
  void on_binary(TimeNs now, ConnectionId connection, std::size_t size);
  // The same, for a driver that has the bytes (a broken variant parses them as text).
  void on_binary(TimeNs now, ConnectionId connection, std::string_view bytes);
  // The transport is gone (a close from the client, or a drop the driver noticed).
  void on_closed(TimeNs now, ConnectionId connection);
  // A graceful shutdown (docs/protocol.md §1.8): every connection is closed with 4200, so that
  // clients reconnect at once (to another node), and is gone as if it had closed (its channels
  // left, their webhooks due as usual). Connections opened afterwards get 4200 straight away.
  void shutdown(TimeNs now);
  HttpResponse on_http(TimeNs now, const HttpRequest& request);
  void on_webhook_response(TimeNs now, std::uint64_t delivery_id, int status);
  void on_tick(TimeNs now);
  // Cluster mode (cluster_link.hpp): from now on this engine is one node of a cluster that
  // shares state through `link`, which must outlive it. It first claims what its own previous
  // life left in the store, then heartbeats from its timer.
  void attach_cluster(TimeNs now, ClusterLink& link);
  // A frame another node broadcast on a channel: fanned out to this node's subscribers.
  void on_peer_message(TimeNs now, const PeerMessage& message);
  std::optional<TimeNs> next_deadline() const;
  std::vector<EngineOutput> take_outputs();
  // The same outputs, into a vector the caller keeps from call to call: its previous contents
  // are dropped and its capacity goes back to the engine, so that a steady stream of large
  // fan-outs allocates nothing.
  void take_outputs(std::vector<EngineOutput>& into);

  // --- observation (REST API, tests, invariant checkers) ------------------------------------
  const EngineOptions& options() const;
  const AppConfig* app_by_id(std::string_view id) const;
  const AppConfig* app_by_key(std::string_view key) const;
  std::optional<std::string> socket_id(ConnectionId connection) const;
  std::optional<ConnectionId> connection_by_socket_id(std::string_view app_id, std::string_view socket_id) const;
  std::size_t connection_count() const;
  // Cache entries the engine holds, expired or not, until they are pruned (about a minute
  // after they expire, at the next publish or subscribe to a cache channel).
  CacheFootprint cache_footprint() const;
  // Webhook events not yet delivered for good (pending, in flight, or awaiting a retry), and
  // subscription counts the throttle holds (each owes a webhook and its frames): a simulation
  // settles until this is 0 before checking webhook and count end states.
  std::size_t webhooks_outstanding() const;
  // Occupied channels of an app, sorted by name.
  std::vector<ChannelSnapshot> channels(std::string_view app_id, TimeNs now) const;
  // One channel; an unknown channel gives an unoccupied snapshot.
  ChannelSnapshot channel(std::string_view app_id, std::string_view name, TimeNs now) const;
  // Consistency of the engine's own bookkeeping, one entry per broken rule (empty when all
  // hold): subscribers are live connections of the app and agree with their connections'
  // channel sets, presence members are exactly the users of the subscribers, socket ids and
  // deadlines index live connections, cache entries belong to cache channels, ... (the rules
  // are named in engine_invariants.cpp). Linear in the state. A driver that runs it after
  // each input stops on a non-empty answer with engine_invariants_failed (engine_checks.hpp).
  std::vector<EngineInvariantViolation> invariant_violations() const;

  // --- operations (the REST API drives these) ------------------------------------------------
  // Delivers event/data to every subscriber of the channel except the connection whose
  // socket_id is excluded; stores it when the channel is a cache channel.
  PublishOutcome publish(TimeNs now, const AppConfig& app, std::string_view channel, std::string_view event,
                         std::string_view data, std::optional<std::string_view> exclude_socket_id);
  // Counts `messages` against the app's message quota; false, counting nothing, when they
  // would go over it.
  bool take_message_quota(const AppConfig& app, std::uint64_t messages);
  // Closes every signed-in connection of the user; returns how many.
  std::size_t terminate_user_connections(TimeNs now, const AppConfig& app, std::string_view user_id);

 private:
  // Tests plant inconsistencies through it, to show that the checks catch them
  // (tests/protocol/server/engine_invariants_test.cpp); nothing else defines it.
  friend struct EngineTestAccess;
  struct State;
  std::unique_ptr<State> state_;
};

}  // namespace pushsim
