#include "fakes/cluster_store.hpp"

#include <algorithm>

namespace pushsim::fakes {
namespace {

// A count moved by delta, never below zero: a decrement the store has no record of (the
// node's share was claimed meanwhile) changes nothing.
std::size_t count_moved(std::size_t count, int delta) {
  if (delta < 0 && count < static_cast<std::size_t>(-delta)) return 0;
  return delta < 0 ? count - static_cast<std::size_t>(-delta) : count + static_cast<std::size_t>(delta);
}

// Moves `node`'s share of a per-node count by `delta`, keeping `total` the sum of the shares (a
// share of zero is no entry); returns the new total.
std::size_t move_node_share(std::map<NodeId, std::size_t>& per_node, std::size_t& total, NodeId node, int delta) {
  std::size_t& mine = per_node[node];
  const std::size_t after = count_moved(mine, delta);
  total = total - mine + after;
  mine = after;
  if (mine == 0) per_node.erase(node);
  return total;
}

}  // namespace

const ClusterStore::Channel* ClusterStore::find(std::string_view app_id, std::string_view channel) const {
  auto it = channels_.find(Key{std::string(app_id), std::string(channel)});
  return it == channels_.end() ? nullptr : &it->second;
}

void ClusterStore::forget_if_empty(const Key& key) {
  auto it = channels_.find(key);
  if (it != channels_.end() && it->second.total == 0 && it->second.members.empty()) channels_.erase(it);
}

ClusterLink::RemovalDecision ClusterStore::decide_removal(NodeId node, const RemovalKey& key, std::size_t before,
                                                          std::size_t after) {
  ClusterLink::RemovalDecision decision;
  if (before > 0 && after == 0) decision.hold = hold_removal(node, key);
  if (before == 0 && after > 0) decision.cancelled = cancel_removal(key);
  return decision;
}

ClusterLink::SubscriptionChange ClusterStore::change_subscription(NodeId node, std::string_view app_id,
                                                                  std::string_view channel, int delta,
                                                                  bool delay_removal) {
  const Key key{std::string(app_id), std::string(channel)};
  Channel& entry = channels_[key];
  const std::size_t before = entry.total;
  const std::size_t total = move_node_share(entry.per_node, entry.total, node, delta);
  forget_if_empty(key);
  ClusterLink::SubscriptionChange change{total, {}};
  if (delay_removal) change.removal = decide_removal(node, RemovalKey{key.first, key.second, ""}, before, total);
  return change;
}

ClusterLink::MemberChange ClusterStore::add_member(NodeId node, std::string_view app_id, std::string_view channel,
                                                   const PresenceMember& member, int delta, bool delay_removal) {
  const Key key{std::string(app_id), std::string(channel)};
  Channel& entry = channels_[key];
  auto [it, added] = entry.members.try_emplace(member.user_id);
  Member& record = it->second;
  if (added) {
    record.member = member;
    record.join_sequence = next_join_++;
  }
  const std::size_t before = record.total;
  const std::size_t total = move_node_share(record.per_node, record.total, node, delta);
  std::uint64_t& version = member_versions_[key];
  if (added || total == 0) ++version;  // joined or left the member list
  if (total == 0) entry.members.erase(it);
  forget_if_empty(key);
  ClusterLink::MemberChange change{total, version, {}};
  if (delay_removal) {
    change.removal = decide_removal(node, RemovalKey{key.first, key.second, member.user_id}, before, total);
  }
  return change;
}

std::uint64_t ClusterStore::member_version(std::string_view app_id, std::string_view channel) const {
  auto it = member_versions_.find(Key{std::string(app_id), std::string(channel)});
  return it == member_versions_.end() ? 0 : it->second;
}

std::size_t ClusterStore::subscription_count(std::string_view app_id, std::string_view channel) const {
  const Channel* entry = find(app_id, channel);
  return entry == nullptr ? 0 : entry->total;
}

std::vector<PresenceMember> ClusterStore::members(std::string_view app_id, std::string_view channel) const {
  std::vector<const Member*> ordered;
  if (const Channel* entry = find(app_id, channel)) {
    for (const auto& [user, record] : entry->members) ordered.push_back(&record);
  }
  std::sort(ordered.begin(), ordered.end(),
            [](const Member* a, const Member* b) { return a->join_sequence < b->join_sequence; });
  std::vector<PresenceMember> out;
  for (const Member* record : ordered) out.push_back(record->member);
  return out;
}

std::vector<std::string> ClusterStore::occupied_channels(std::string_view app_id) const {
  std::vector<std::string> out;
  for (const auto& [key, entry] : channels_) {
    if (key.first == app_id && entry.total > 0) out.push_back(key.second);
  }
  return out;
}

std::uint64_t ClusterStore::hold_removal(NodeId node, const RemovalKey& key) {
  const std::uint64_t token = next_token_++;
  holds_[key] = Hold{token, node};
  return token;
}

bool ClusterStore::cancel_removal(const RemovalKey& key) { return holds_.erase(key) != 0; }

bool ClusterStore::release_removal(NodeId node, const RemovalKey& key, std::uint64_t token) {
  auto it = holds_.find(key);
  if (it == holds_.end() || it->second.token != token || it->second.node != node) return false;
  holds_.erase(it);
  return true;
}

void ClusterStore::heartbeat(NodeId node, TimeNs expires_at) { heartbeats_[node] = expires_at; }

std::vector<NodeId> ClusterStore::expired_nodes(TimeNs now, NodeId asking) const {
  std::vector<NodeId> out;
  for (const auto& [node, expires_at] : heartbeats_) {
    if (node != asking && expires_at <= now) out.push_back(node);
  }
  return out;
}

std::optional<NodeRemains> ClusterStore::claim_node(NodeId claimer, NodeId node, TimeNs now) {
  auto beat = heartbeats_.find(node);
  if (claimer != node && (beat == heartbeats_.end() || beat->second > now)) return std::nullopt;
  if (beat != heartbeats_.end()) heartbeats_.erase(beat);
  NodeRemains remains;
  // First the removals it held: the claimer sends them when their delay is over, unless a join
  // cancels them (before the holds the claim makes below, which a self-claim must not take).
  for (auto& [key, hold] : holds_) {
    if (hold.node != node) continue;
    hold.node = claimer;
    remains.held_removals.push_back(key);
    remains.held_tokens.push_back(hold.token);
  }
  std::vector<Key> touched;
  for (auto& [key, entry] : channels_) {
    bool changed = false;
    for (auto it = entry.members.begin(); it != entry.members.end();) {
      Member& record = it->second;
      auto share = record.per_node.find(node);
      if (share == record.per_node.end()) {
        ++it;
        continue;
      }
      record.total -= share->second;
      record.per_node.erase(share);
      changed = true;
      if (record.total == 0) {
        const std::uint64_t version = ++member_versions_[key];
        const std::uint64_t hold = hold_removal(claimer, RemovalKey{key.first, key.second, it->first});
        remains.removed_members.push_back({key.first, key.second, it->first, version, hold});
        it = entry.members.erase(it);
      } else {
        ++it;
      }
    }
    if (auto share = entry.per_node.find(node); share != entry.per_node.end()) {
      entry.total -= share->second;
      entry.per_node.erase(share);
      changed = true;
      if (entry.total == 0) {
        remains.vacated.emplace_back(key.first, key.second);
        remains.vacated_holds.push_back(hold_removal(claimer, RemovalKey{key.first, key.second, ""}));
      } else {
        remains.recounted.push_back({key.first, key.second, entry.total});
      }
    }
    if (changed) touched.push_back(key);
  }
  for (const Key& key : touched) forget_if_empty(key);
  return remains;
}

std::size_t ClusterStore::subscriptions_of(NodeId node) const {
  std::size_t count = 0;
  for (const auto& [key, entry] : channels_) {
    auto share = entry.per_node.find(node);
    if (share != entry.per_node.end()) count += share->second;
  }
  return count;
}

}  // namespace pushsim::fakes
