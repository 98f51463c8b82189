#pragma once
// The inside of Engine (internal to protocol/server/; outside it, only tests that plant an
// inconsistency include this, through tests/protocol/server/engine_test_access.hpp).
//
// Theory of operation: Engine's public methods forward to State, whose handlers are split by
// area over several files (connection_lifecycle.cpp, subscription_handler.cpp,
// client_event_handler.cpp, signin_handler.cpp, liveness.cpp, publish.cpp). Handlers append
// outputs to `outputs`, in the order they happen; channel and presence facts live in the
// ChannelRegistry seam; webhooks go through the WebhookDispatcher. Every connection has at
// most one entry in `deadlines`: the earlier of its liveness and authorization deadlines, so
// next_deadline() is the first entry and on_tick() pops due entries in (time, id) order.
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "protocol/frame.hpp"
#include "protocol/server/channel_registry.hpp"
#include "protocol/server/cluster_link.hpp"
#include "protocol/server/engine.hpp"
#include "protocol/server/webhook_dispatcher.hpp"

namespace pushsim {

struct Connection {
  ConnectionId id = 0;
  const AppConfig* app = nullptr;
  std::string socket_id;
  std::set<std::string, std::less<>> channels;  // subscribed, by name
  // Liveness (§1.6): any received frame resets last_received; ping_sent_at is set while we
  // wait for an answer to our pusher:ping.
  TimeNs last_received = 0;
  std::optional<TimeNs> ping_sent_at;
  // Authorized connections (§4.6): set while the connection must still sign in or subscribe
  // to a private/presence channel.
  std::optional<TimeNs> authorization_deadline;
  // Sign-in (§4.5).
  std::optional<std::string> user_id;
  std::string user_data;
  // The signed-in user's watchlist (§4.6), at most limits.watchlist_max ids, in the order given.
  std::vector<std::string> watchlist;
  // Client event rate limit: a fixed one-second window opened by the first event in it.
  TimeNs rate_window_start = 0;
  std::uint32_t rate_window_events = 0;
  // Cluster mode: counted in the store's cluster-wide connections of its app (max_connections).
  bool quota_counted = false;
  // The entry this connection has in State::deadlines.
  std::optional<TimeNs> scheduled_deadline;
};

// A webhook event with only its name and channel set; callers add the rest.
inline WebhookEvent webhook_event(std::string name, std::string channel) {
  WebhookEvent event;
  event.name = std::move(name);
  event.channel = std::move(channel);
  return event;
}

struct Engine::State {
  State(EngineOptions engine_options, std::vector<AppConfig> app_list, RandomSource& random);

  EngineOptions options;
  std::vector<AppConfig> apps;  // never resized after construction: pointers into it are stable
  RandomSource& rng;
  ChannelRegistry registry;
  WebhookDispatcher webhooks;
  std::map<ConnectionId, Connection> connections;
  std::map<std::string, ConnectionId, std::less<>> by_socket_id;  // live connections, all apps
  std::set<std::pair<TimeNs, ConnectionId>> deadlines;
  std::vector<EngineOutput> outputs;
  bool shut_down = false;  // Engine::shutdown() was called
  // Defect kMemberCountAfterBroadcast only: members whose record still lags their
  // member_added broadcast, by "app_id/channel", with the time they joined.
  std::map<std::string, std::vector<std::pair<std::string, TimeNs>>, std::less<>> lagging_members;
  // Work put off by kRaceWindow, by (due, sequence). Only the race-only broken variants put
  // work off (defects.hpp): the reference handles every input completely before the next.
  std::map<std::pair<TimeNs, std::uint64_t>, std::function<void(TimeNs)>> deferred;
  std::uint64_t deferred_sequence = 0;
  // Defect kListsVacatedChannels only: every (app id, channel) ever subscribed.
  std::set<std::pair<std::string, std::string>> once_occupied;
  // Cluster mode (cluster_node.cpp): the link to the other nodes, null for a lone engine.
  ClusterLink* cluster = nullptr;
  TimeNs next_heartbeat = 0;
  // Cluster mode: per presence subscription, the member version its member list was read at
  // and the version of the last member event passed on for each user (cluster_link.hpp).
  struct MemberView {
    std::uint64_t list_version = 0;
    std::map<std::string, std::uint64_t, std::less<>> user_versions;
    // The users the subscriber holds: its list, then the events passed on. A newer event can
    // arrive before an older one (member_added through this node before member_removed over the
    // bus); the older is dropped, and the newer passed on only when it changes what it holds.
    std::set<std::string, std::less<>> present;
  };
  std::map<std::pair<ConnectionId, std::string>, MemberView> member_views;
  std::uint64_t member_change_version = 0;  // of the last cluster_join / cluster_leave
  // The removal-delay decisions of the store call that decided the webhooks about to be emitted
  // (cluster_join, cluster_leave, take_over), for hold_or_cancel; the unused ones are given up.
  std::map<RemovalKey, ClusterLink::RemovalDecision> removal_decisions;
  // Defect kBusHiccupLosesBroadcast only: when each node's last peer message arrived.
  std::map<NodeId, TimeNs> last_peer_message;
  // Watchlists (§4.6): how many live connections are signed in as each user, by (app id,
  // user id); a user is online while this is at least 1, and has no entry otherwise.
  std::map<std::pair<std::string, std::string>, std::size_t> signed_in;
  // Messages counted against each app's quota (AppConfig::max_messages), by app id.
  std::map<std::string, std::uint64_t, std::less<>> messages_counted;
  // Subscription counting's throttle (§3.5, subscription_handler.cpp): the channels, by (app id,
  // channel), whose count went out above 100 subscribers less than 5 s ago, each with the end of
  // its window and whether a change waits for that end; and the same windows in order of their end.
  struct CountWindow {
    TimeNs ends_at = 0;
    bool held = false;
  };
  std::map<std::pair<std::string, std::string>, CountWindow> count_windows;
  std::set<std::pair<TimeNs, std::pair<std::string, std::string>>> count_window_ends;

  // --- output ------------------------------------------------------------------------------
  void send(ConnectionId connection, std::string text);
  void send_shared(ConnectionId connection, const std::shared_ptr<const std::string>& text);
  // One encoding for every recipient, ordered by connection id; returns how many got it here.
  // In a cluster the frame goes to the other nodes' subscribers too.
  std::size_t broadcast(const AppConfig& app, std::string_view channel, std::string text,
                        std::optional<ConnectionId> except);
  std::size_t broadcast_local(const AppConfig& app, std::string_view channel, std::string text,
                              std::optional<ConnectionId> except);
  void send_error(ConnectionId connection, std::optional<int> code, std::string_view message);
  void emit_webhook(TimeNs now, const AppConfig& app, WebhookEvent event);

  // --- connection lifecycle (connection_lifecycle.cpp) --------------------------------------
  void open(TimeNs now, ConnectionId id, std::string_view target);
  std::string new_socket_id();
  // pusher:error with the code, a close with the same code, then removal.
  void close_with_error(TimeNs now, ConnectionId id, int code, std::string_view message);
  // Drops every trace of the connection, with the unsubscribe consequences.
  void remove(TimeNs now, ConnectionId id);
  Connection* find(ConnectionId id);
  std::size_t connections_of(const AppConfig& app) const;

  // --- frames (engine.cpp) ------------------------------------------------------------------
  void receive_text(TimeNs now, ConnectionId id, std::string_view text);
  void dispatch(TimeNs now, Connection& connection, const Frame& frame);

  // --- subscriptions (subscription_handler.cpp) ---------------------------------------------
  void on_subscribe(TimeNs now, Connection& connection, const Frame& frame);
  void on_unsubscribe(TimeNs now, Connection& connection, const Frame& frame);
  // The subscription is authorized: record it and tell everyone concerned.
  void join(TimeNs now, Connection& connection, const std::string& channel, std::optional<PresenceMember> member);
  enum class LeaveCause { kUnsubscribe, kDisconnect };
  void leave(TimeNs now, Connection& connection, const std::string& channel, LeaveCause cause);
  // The member list a joiner is told about (all members, unless a defect hides some).
  std::vector<PresenceMember> members_seen_by_joiner(TimeNs now, const AppConfig& app, const std::string& channel,
                                                     const std::string& joiner);
  void announce_member_removed(TimeNs now, const AppConfig& app, const std::string& channel, const std::string& user_id,
                               std::uint64_t version = 0);
  // member_added / member_removed frames in a cluster: to this node's subscribers whose view
  // is older than `version`, and to the other nodes.
  void broadcast_member_event(const AppConfig& app, const std::string& channel, std::string text,
                              std::optional<ConnectionId> except, const std::string& user_id, std::uint64_t version);
  void deliver_member_event(const AppConfig& app, const std::string& channel, const std::string& text,
                            std::optional<ConnectionId> except, const std::string& user_id, std::uint64_t version,
                            bool added);
  void after_count_change(TimeNs now, const AppConfig& app, const std::string& channel, std::size_t count);
  // The count frame to every subscriber (on every node) and the subscription_count webhook.
  void send_subscription_count(TimeNs now, const AppConfig& app, const std::string& channel, std::size_t count);
  void open_count_window(TimeNs now, const std::pair<std::string, std::string>& key);
  void close_count_window(const std::pair<std::string, std::string>& key);
  // Ends the windows due by now, each at its own end: a held change sends the count then.
  void end_count_windows(TimeNs now);
  // Changes held by the throttle: each owes a count frame and a webhook.
  std::size_t counts_held() const;
  void send_cache(TimeNs now, Connection& connection, const std::string& channel);
  // Prunes the expired cache entries (ChannelRegistry::prune_caches) at most once per
  // kCachePruneInterval, from the paths that add entries: memory stays bounded by the events
  // published within one TTL and an interval, however many cache channels come and go.
  void prune_caches_now_and_then(TimeNs now);
  TimeNs next_cache_prune = 0;

  // --- client events (client_event_handler.cpp) ---------------------------------------------
  void on_client_event(TimeNs now, Connection& connection, const Frame& frame);
  bool take_rate_token(TimeNs now, Connection& connection);
  void relay_later(TimeNs now, const AppConfig& app, const std::string& channel, std::string text,
                   std::optional<ConnectionId> except);

  // --- sign-in (signin_handler.cpp) ---------------------------------------------------------
  void on_signin(TimeNs now, Connection& connection, const Frame& frame);
  void mark_authorized(Connection& connection);
  // The connection is signed in from now on (or again): count it online, and tell the
  // watchers when its user comes online.
  void count_signed_in(Connection& connection, bool first_signin);
  // The connection is going: tell the watchers when it was its user's last one.
  void count_signed_out(const Connection& connection);
  // pusher_internal:watchlist_events to every connection of the app watching the user.
  void notify_watchers(const AppConfig& app, const std::string& user_id, std::string_view name);
  // The online and offline ids of a watchlist, sent right after a sign-in.
  void send_watchlist_state(const Connection& connection);
  // "online" / "offline" to the user's watchers on every node.
  void announce_user(const AppConfig& app, const std::string& user_id, std::string_view name);

  // --- timers (liveness.cpp) ----------------------------------------------------------------
  void touch(TimeNs now, Connection& connection);  // a frame arrived
  void reschedule(Connection& connection);
  void unschedule(Connection& connection);
  void tick(TimeNs now);
  void on_connection_deadline(TimeNs now, ConnectionId id);
  std::optional<TimeNs> next_deadline() const;
  // A race-only variant's handler continues after kRaceWindow, with what it read before.
  void defer(TimeNs now, std::function<void(TimeNs)> work);
  void run_deferred(TimeNs now);

  // --- cluster mode (cluster_node.cpp) -------------------------------------------------------
  // The cluster-wide view of a local join or leave: occupied/vacated and member added/removed
  // as the shared store counts them (the local outcome under the per-node defects).
  JoinOutcome cluster_join(const AppConfig& app, const std::string& channel, const JoinOutcome& local,
                           const std::optional<PresenceMember>& member);
  LeaveOutcome cluster_leave(const AppConfig& app, const std::string& channel, const LeaveOutcome& local,
                             const std::optional<std::string>& user_id);
  void share_with_peers(const AppConfig& app, std::string_view channel, std::string text,
                        std::optional<std::string> exclude_socket_id, std::optional<CachedEvent> cache);
  void receive_peer_message(TimeNs now, const PeerMessage& message);
  // The removal delay across nodes: false when the event must not go to the dispatcher.
  bool hold_or_cancel(const AppConfig& app, WebhookEvent& event, std::uint64_t& hold);
  // Whether this node's store calls decide the removal delay (atomically with the count).
  bool delays_removals(const AppConfig& app) const;
  void note_removal_decision(RemovalKey key, const ClusterLink::RemovalDecision& decision);
  void give_up_removal_decisions();
  void cluster_tick(TimeNs now);
  void take_over(TimeNs now, const NodeRemains& remains);
  const AppConfig* app_with_id(std::string_view id) const;
  // Users in a cluster (cluster_link.hpp): true when sign-ins are counted cluster-wide (false
  // on a lone engine and under the watchlist-per-node defect).
  bool cluster_users() const;
  // This node's connections signed in as the user change by delta: the user's cluster-wide count after.
  std::size_t cluster_signed_in(const AppConfig& app, const std::string& user_id, int delta);
  std::set<std::string> users_signed_in(const AppConfig& app) const;
  // The app's connections over every node after this node's change by delta (a quota's count).
  std::size_t cluster_connections(const AppConfig& app, int delta);
  void publish_user_notice(const AppConfig& app, const std::string& user_id, std::string action);
  // A notice from another node: tell this node's watchers, or close this node's connections.
  void receive_user_notice(TimeNs now, const AppConfig& app, const UserNotice& notice);
  // Closes this node's connections of the user; how many.
  std::size_t terminate_local(TimeNs now, const AppConfig& app, std::string_view user_id);
  std::vector<PresenceMember> shared_members(std::string_view app_id, std::string_view channel) const;

  // --- operations (publish.cpp) --------------------------------------------------------------
  PublishOutcome publish(TimeNs now, const AppConfig& app, std::string_view channel, std::string_view event,
                         std::string_view data, std::optional<std::string_view> exclude_socket_id);
  std::size_t terminate_user(TimeNs now, const AppConfig& app, std::string_view user_id);

  // --- invariants (engine_invariants.cpp) ----------------------------------------------------
  void check_connections(std::vector<EngineInvariantViolation>& violations) const;
  void check_channels(const AppConfig& app, std::vector<EngineInvariantViolation>& violations) const;
  void check_variant_state(std::vector<EngineInvariantViolation>& violations) const;
  void check_signed_in(std::vector<EngineInvariantViolation>& violations) const;
};

}  // namespace pushsim
