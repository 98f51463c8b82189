#pragma once
// The shared store of a simulated cluster: what Redis keeps for soketi or sockudo, as ordered
// maps. Every call is one atomic operation (the simulation is single-threaded, and a Redis
// adapter would run each as one Lua script). Counts are kept per node, so a dead node's share
// can be taken out (claim_node) and the totals stay cluster-wide.
#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "protocol/server/cluster_link.hpp"

namespace pushsim::fakes {

class ClusterStore {
 public:
  // With delay_removal, the change that moves a count 1 -> 0 holds its removal for `node`, the
  // one that moves it 0 -> 1 cancels a held one (ClusterLink::RemovalDecision).
  ClusterLink::SubscriptionChange change_subscription(NodeId node, std::string_view app_id, std::string_view channel,
                                                      int delta, bool delay_removal);
  std::size_t add_subscription(NodeId node, std::string_view app_id, std::string_view channel, int delta) {
    return change_subscription(node, app_id, channel, delta, false).count;
  }
  ClusterLink::MemberChange add_member(NodeId node, std::string_view app_id, std::string_view channel,
                                       const PresenceMember& member, int delta, bool delay_removal = false);
  std::uint64_t member_version(std::string_view app_id, std::string_view channel) const;
  std::size_t subscription_count(std::string_view app_id, std::string_view channel) const;
  std::vector<PresenceMember> members(std::string_view app_id, std::string_view channel) const;
  std::vector<std::string> occupied_channels(std::string_view app_id) const;

  std::uint64_t hold_removal(NodeId node, const RemovalKey& key);
  bool cancel_removal(const RemovalKey& key);
  bool release_removal(NodeId node, const RemovalKey& key, std::uint64_t token);

  void heartbeat(NodeId node, TimeNs expires_at);
  std::vector<NodeId> expired_nodes(TimeNs now, NodeId asking) const;
  // `claimer` may claim itself (a restart) at any time, another node only once its key expired.
  std::optional<NodeRemains> claim_node(NodeId claimer, NodeId node, TimeNs now);

  // Subscriptions a node holds in the store, over every channel (tests, and the world's
  // check that a crashed node's share is gone).
  std::size_t subscriptions_of(NodeId node) const;
  // True when the node has no heartbeat key: claimed after its death (or never started).
  bool claimed(NodeId node) const { return heartbeats_.count(node) == 0; }

 private:
  struct Member {
    PresenceMember member;
    std::uint64_t join_sequence = 0;
    std::map<NodeId, std::size_t> per_node;
    std::size_t total = 0;
  };
  struct Channel {
    std::map<NodeId, std::size_t> per_node;
    std::size_t total = 0;
    std::map<std::string, Member, std::less<>> members;
  };
  struct Hold {
    std::uint64_t token = 0;
    NodeId node = 0;
  };
  using Key = std::pair<std::string, std::string>;  // app id, channel

  const Channel* find(std::string_view app_id, std::string_view channel) const;
  ClusterLink::RemovalDecision decide_removal(NodeId node, const RemovalKey& key, std::size_t before,
                                              std::size_t after);
  void forget_if_empty(const Key& key);

  std::map<Key, Channel> channels_;
  std::map<RemovalKey, Hold> holds_;
  std::map<NodeId, TimeNs> heartbeats_;
  std::uint64_t next_token_ = 1;
  std::uint64_t next_join_ = 1;
  // Member versions per channel, kept when the channel empties so that they only grow.
  std::map<Key, std::uint64_t> member_versions_;
};

}  // namespace pushsim::fakes
