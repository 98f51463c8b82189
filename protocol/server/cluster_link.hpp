#pragma once
// The seam between one reference engine node and the rest of its cluster: what soketi,
// sockudo and Reverb do through Redis, as a sans-IO interface. The simulator implements it
// with a simulated bus and store (fakes/cluster_bus.hpp); a Redis adapter in net/ can implement
// the same calls (publish as PUBLISH, each store call as one Lua script or MULTI/EXEC).
//
// Theory of operation (docs/cluster.md has the same, for scenario authors).
// - Each node keeps its own connections and their subscriptions in its ChannelRegistry: only
//   it can send to them. Whatever a client must see cluster-wide goes through the link:
//   * pub/sub: every frame broadcast on a channel (a REST trigger, a client event,
//     member_added/removed, subscription_count) is fanned out to the node's own subscribers
//     and published to every other node, with the excluded socket_id as text, so a socket on
//     any node can be excluded. Ordered per pair of nodes; lost while that pair is partitioned
//     or the receiver is down (Redis pub/sub keeps nothing for an absent subscriber).
//   * the shared store: each call is one atomic operation. Subscriptions and presence
//     connections are counted per node and channel, so the totals are cluster-wide and a dead
//     node's share can be taken out.
// - Who sends a channel's webhooks: the node whose atomic change moves the cluster-wide count
//   0 -> 1 sends channel_occupied, the one that moves it 1 -> 0 sends channel_vacated; the same
//   for a user's connections in a presence channel (member_added / member_removed). So each
//   goes out once per change, never once per node.
// - The removal delay (docs/protocol.md §8.3) spans nodes: a node that decides a removal
//   holds it in the store; an add on any node that finds it held cancels both (neither is
//   sent); when the delay is over, the holder sends it only if the store still has its hold.
//   The hold and the cancel are part of the store call that moves the count (RemovalDecision):
//   as steps of their own, another node's join could fall between a leave's count and its hold.
// - A node's death is noticed through heartbeats: every node refreshes its key every
//   kClusterHeartbeatInterval with an expiry kClusterHeartbeatTtl ahead and, on the same
//   timer, looks for expired keys. The first survivor to claim a dead node (an atomic
//   take-and-delete) removes its subscriptions and members: member_removed to the remaining
//   subscribers on every node, and the webhooks, as if those connections had closed. A node
//   that restarts claims its own previous life first. Bound: the store (and so REST) forgets a
//   crashed node's members within kClusterDeathNoticed of the crash; other nodes' clients get
//   the member_removed frames one bus hop later.
// - Member events race the store: a member_added on its way over the bus may reach a node after
//   a subscriber there got a member list that already holds the member (read from the store).
//   So every membership change has a version (per channel, from the store); a subscriber's
//   member list carries the version it was read at, member_added/removed frames from other
//   nodes carry theirs, and a node passes one on to a subscriber only when it is newer than both
//   the subscriber's list and the last event it passed on for that user, and only when it
//   changes whether the subscriber holds the user (an older event may arrive after a newer one).
// - Users (§4.5, §4.6) span nodes too. Signed-in connections are counted in the store as the
//   members of a reserved pseudo-channel (kSignedInUsers, a name no client can subscribe to),
//   per node like any member, so a dead node's sign-ins go with it. The node whose change moves
//   a user's cluster-wide count 0 -> 1 or 1 -> 0 tells its own watchers and publishes a
//   UserNotice ("online" / "offline") for the other nodes' watchers; a watchlist's initial state
//   is read from the store. terminate_connections closes the node's own connections of the user
//   and publishes a "terminate" notice for the others.
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "protocol/server/engine.hpp"

namespace pushsim {

using NodeId = std::uint32_t;

inline constexpr DurationNs kClusterHeartbeatInterval = seconds(1);
inline constexpr DurationNs kClusterHeartbeatTtl = seconds(3);
// The last heartbeat before a crash expires at most kClusterHeartbeatTtl after it, and a
// survivor looks at most kClusterHeartbeatInterval after that.
inline constexpr DurationNs kClusterDeathNoticed = kClusterHeartbeatTtl + kClusterHeartbeatInterval;

// The pseudo-channel whose members are the signed-in users (one per signed-in connection):
// channel names cannot hold a space, so no subscription meets it.
inline constexpr std::string_view kSignedInUsers = "signed-in users";

// The pseudo-channel counting an app's connections over every node, as the connections of one
// member (kAppConnectionsMember), for max_connections: kept only for apps with a quota.
inline constexpr std::string_view kAppConnections = "app connections";
inline constexpr std::string_view kAppConnectionsMember = "connections";

// News about a user rather than a channel, for every node.
struct UserNotice {
  std::string user_id;
  std::string action;  // "online" / "offline": to the user's watchers; "terminate": close its connections
  bool operator==(const UserNotice&) const = default;
};

// A frame for a channel's subscribers on the other nodes (or, with user_notice, news about a
// user: channel and text empty).
struct PeerMessage {
  NodeId from = 0;
  std::string app_id;
  std::string channel;
  std::string text;                              // the encoded frame, as local subscribers got it
  std::optional<std::string> exclude_socket_id;  // a socket on any node that must not get it
  std::optional<CachedEvent> cache;              // cache channels: the event to keep
  // member_added / member_removed: whose, and the version of that membership change.
  std::optional<std::string> member;
  std::uint64_t member_version = 0;
  std::optional<UserNotice> user_notice;
  bool operator==(const PeerMessage&) const = default;
};

// A delayed removal webhook held in the store: user_id empty for channel_vacated.
struct RemovalKey {
  std::string app_id;
  std::string channel;
  std::string user_id;
  auto operator<=>(const RemovalKey&) const = default;
};

// What a dead node left, taken out of the store by the survivor that claimed it.
// The claim takes them out and, in the same atomic step, holds each removal for the claimer
// (a token per vacated channel, removed member and held removal, in that order of the lists):
// a join on another node meanwhile cancels it, as for any removal.
struct NodeRemains {
  struct Member {
    std::string app_id;
    std::string channel;
    std::string user_id;
    std::uint64_t version = 0;  // of its removal
    std::uint64_t hold = 0;     // the claimer's hold of the member_removed webhook
    bool operator==(const Member&) const = default;
  };
  // A channel the node had subscribers in that others still hold: its new cluster-wide count.
  struct Recount {
    std::string app_id;
    std::string channel;
    std::size_t count = 0;
    bool operator==(const Recount&) const = default;
  };
  std::vector<std::pair<std::string, std::string>> vacated;  // (app id, channel) now empty cluster-wide
  std::vector<std::uint64_t> vacated_holds;                  // the claimer's hold of each channel_vacated
  std::vector<Member> removed_members;                       // users left with no connection anywhere
  std::vector<RemovalKey> held_removals;                     // removals it held, not yet sent
  std::vector<std::uint64_t> held_tokens;                    // their holds, now the claimer's
  std::vector<Recount> recounted;                            // channels still occupied, with fewer subscriptions
};

class ClusterLink {
 public:
  virtual ~ClusterLink() = default;
  virtual NodeId node() const = 0;

  // --- pub/sub ---------------------------------------------------------------------------
  // To every other node; fire and forget.
  virtual void publish(PeerMessage message) = 0;

  // --- the shared store: each call one atomic operation -----------------------------------
  // The removal delay, decided in the same atomic step as the count it is about (with
  // delay_removal set): the change that moves the count 1 -> 0 holds the removal (hold, its
  // token; the holder is this node), the change that moves it 0 -> 1 cancels a removal held by
  // any node (cancelled: then neither webhook goes out). Separate steps would let another
  // node's change fall between the count and the hold, and both webhooks go out.
  struct RemovalDecision {
    std::uint64_t hold = 0;
    bool cancelled = false;
    bool operator==(const RemovalDecision&) const = default;
  };
  // This node's subscriptions to the channel change by delta (+1 or -1); the cluster-wide
  // total after the change (count) and, with delay_removal, the channel_vacated decision.
  struct SubscriptionChange {
    std::size_t count = 0;
    RemovalDecision removal;
    bool operator==(const SubscriptionChange&) const = default;
  };
  virtual SubscriptionChange add_subscription(std::string_view app_id, std::string_view channel, int delta,
                                              bool delay_removal) = 0;
  // This node's connections of the user in the presence channel change by delta; the user's
  // cluster-wide connection count after, and the channel's member version after (it moves
  // when the user joins or leaves the member list). The first join records user_info and
  // join order. With delay_removal, the member_removed decision.
  struct MemberChange {
    std::size_t connections = 0;
    std::uint64_t version = 0;
    RemovalDecision removal;
    bool operator==(const MemberChange&) const = default;
  };
  virtual MemberChange add_member(std::string_view app_id, std::string_view channel, const PresenceMember& member,
                                  int delta, bool delay_removal) = 0;
  // The channel's member version: read in the same atomic step as members() by a Redis adapter.
  virtual std::uint64_t member_version(std::string_view app_id, std::string_view channel) const = 0;
  virtual std::size_t subscription_count(std::string_view app_id, std::string_view channel) const = 0;
  // Distinct users, ordered by their first join.
  virtual std::vector<PresenceMember> members(std::string_view app_id, std::string_view channel) const = 0;
  // Channels with a subscriber on some node, sorted.
  virtual std::vector<std::string> occupied_channels(std::string_view app_id) const = 0;

  // Removal delay for removals no count change decided (a broken variant's late webhook): hold
  // returns a token; cancel drops a hold (whoever holds it), true when there was one; release
  // takes the hold at its due time (or gives up an unused one), true when it was still this token.
  virtual std::uint64_t hold_removal(const RemovalKey& key) = 0;
  virtual bool cancel_removal(const RemovalKey& key) = 0;
  virtual bool release_removal(const RemovalKey& key, std::uint64_t token) = 0;

  // Liveness.
  virtual void heartbeat(TimeNs expires_at) = 0;
  virtual std::vector<NodeId> expired_nodes(TimeNs now) const = 0;
  // Takes out everything the node left (its own previous life too); nullopt when it is alive
  // (its key has not expired) or another node claimed it first.
  virtual std::optional<NodeRemains> claim_node(NodeId node, TimeNs now) = 0;
};

}  // namespace pushsim
