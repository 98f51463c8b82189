#pragma once
// A ClusterLink (protocol/server/cluster_link.hpp) over a real Redis, with hiredis: what
// `pushsim serve --cluster redis://HOST:PORT[/DB]` runs on, so that several serve processes
// behave as one server, as soketi, sockudo and Reverb do through Redis.
//
// Theory of operation.
// - Two connections. The store connection is a blocking hiredis context used only from the
//   engine's strand: every store call is ONE Lua script (EVALSHA, loaded again after NOSCRIPT),
//   so each is atomic in Redis whatever the other nodes do at the same time. A call is a
//   loopback round trip of tens of microseconds, so the engine waits for it synchronously;
//   each is bounded by the command timeout (redisSetTimeout). PUBLISH goes on the same
//   connection, so one node's publications leave in the order the engine made them.
// - The bus connection is SUBSCRIBEd to PREFIX:bus and read by one thread of the link's own
//   (poll with a short timeout, then hiredis's reader), which hands each PeerMessage from
//   another node to the deliver callback in the order Redis sent them; the serve driver posts
//   them onto the engine's strand, which keeps that order. A silent bus is PINGed, and one that
//   does not answer within the command timeout counts as lost.
// - Liveness: heartbeat() adds the node to PREFIX:nodes and sets PREFIX:alive:N with PX (Redis
//   key expiry). expired_nodes() lists members of PREFIX:nodes whose alive key has expired;
//   claim_node() removes the node from PREFIX:nodes in the same script that takes its counts
//   out, so exactly one survivor claims it. stop() deletes the alive key, so that a node that
//   stops cleanly is claimed (its members removed, its webhooks sent) at the survivors' next
//   tick instead of after the TTL.
// - Bounded waits and a lost Redis. Connecting is bounded by connect_timeout, each command by
//   command_timeout. A failed store call is logged, the context dropped, and reconnection tried
//   again with a doubling backoff (retry_min..retry_max); until it succeeds, store calls answer at
//   once, without Redis, as if other nodes also held the channel or member: no webhook and no
//   member event goes out for a change the store could not record (the log says so). The bus
//   reconnects and resubscribes on the same backoff; what was published meanwhile is lost, as
//   Redis pub/sub loses what an absent subscriber misses. A node whose heartbeats stopped for
//   longer than kClusterHeartbeatTtl may have been claimed by a survivor; the next heartbeat
//   notices (the node is no longer in PREFIX:nodes) and logs it.
//
// Keys (docs/cluster.md has the table): every key starts with the cluster prefix, so two
// clusters on one Redis never meet. A channel is named in keys as CID = "LEN:APP:CHANNEL"
// (LEN the app id's length in bytes), so no app id or channel name can make two keys collide.
#include <chrono>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "protocol/result.hpp"
#include "protocol/server/cluster_link.hpp"

namespace pushsim {

struct RedisAddress {
  std::string host;
  int port = 6379;
  int db = 0;
  std::string text() const;  // "redis://HOST:PORT/DB"
};
// "redis://HOST[:PORT][/DB]"; no user, password or TLS.
Result<RedisAddress> parse_redis_url(std::string_view url);

struct RedisClusterOptions {
  RedisAddress address;
  std::string prefix = "pushsim";  // every key and the bus channel start with "PREFIX:"
  std::optional<NodeId> node;      // none: a fresh id from PREFIX:node_ids
  std::chrono::milliseconds connect_timeout{2000};
  std::chrono::milliseconds command_timeout{1000};
  std::chrono::milliseconds retry_min{100};
  std::chrono::milliseconds retry_max{5000};
  // Where the link reports a lost or regained connection; stderr when unset. Called from the
  // engine's strand and from the bus thread, one call at a time.
  std::function<void(const std::string&)> log;
};

class RedisClusterLink final : public ClusterLink {
 public:
  // Connects the store connection and loads the scripts; an error when Redis cannot be
  // reached within connect_timeout or answers wrongly.
  static Result<std::unique_ptr<RedisClusterLink>> connect(RedisClusterOptions options);
  ~RedisClusterLink() override;
  RedisClusterLink(const RedisClusterLink&) = delete;
  RedisClusterLink& operator=(const RedisClusterLink&) = delete;

  // Starts the bus thread: `deliver` gets every message published by another node of this
  // cluster, in order, on that thread. Call once.
  void start_bus(std::function<void(PeerMessage)> deliver);
  // Stops the bus thread (within about 250 ms) and deletes this node's alive key. Idempotent.
  void stop();
  // True while the bus is subscribed (tests wait for it before publishing).
  bool bus_subscribed() const;

  NodeId node() const override { return node_; }
  void publish(PeerMessage message) override;
  SubscriptionChange add_subscription(std::string_view app_id, std::string_view channel, int delta,
                                      bool delay_removal) override;
  MemberChange add_member(std::string_view app_id, std::string_view channel, const PresenceMember& member, int delta,
                          bool delay_removal) override;
  // The version read together with the last members() of the same channel when that was the
  // previous store call (the engine reads the list, then its version): one atomic read.
  std::uint64_t member_version(std::string_view app_id, std::string_view channel) const override;
  std::size_t subscription_count(std::string_view app_id, std::string_view channel) const override;
  std::vector<PresenceMember> members(std::string_view app_id, std::string_view channel) const override;
  std::vector<std::string> occupied_channels(std::string_view app_id) const override;
  std::uint64_t hold_removal(const RemovalKey& key) override;
  bool cancel_removal(const RemovalKey& key) override;
  bool release_removal(const RemovalKey& key, std::uint64_t token) override;
  // Sets the alive key to expire at `expires_at` (wall-clock TimeNs, as the serve driver's).
  void heartbeat(TimeNs expires_at) override;
  // Nodes whose alive key Redis has expired; `now` is not needed, Redis keeps the time.
  std::vector<NodeId> expired_nodes(TimeNs now) const override;
  std::optional<NodeRemains> claim_node(NodeId node, TimeNs now) override;

  // Store calls that failed since the link started (tests, and the serve log's summary).
  std::uint64_t store_failures() const { return store_failures_; }

  struct Store;  // the store connection (redis_cluster_link.cpp)
  struct Bus;    // the bus thread

 private:
  explicit RedisClusterLink(RedisClusterOptions options);

  RedisClusterOptions options_;
  NodeId node_ = 0;
  std::unique_ptr<Store> store_;
  std::unique_ptr<Bus> bus_;
  mutable std::uint64_t store_failures_ = 0;
  bool beaten_ = false;  // a heartbeat reached Redis once
  // The last members() read: (app id, channel) and the version read with it.
  mutable std::optional<std::pair<std::pair<std::string, std::string>, std::uint64_t>> last_members_version_;
};

// PeerMessage as JSON on the bus, and back (nullopt for text that is not one).
std::string encode_peer_message(const PeerMessage& message);
std::optional<PeerMessage> decode_peer_message(std::string_view text);

}  // namespace pushsim
