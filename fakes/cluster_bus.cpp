#include "fakes/cluster_bus.hpp"

#include <algorithm>
#include <string>

namespace pushsim::fakes {

// One node's view of the bus: the ClusterLink an engine node is attached to.
class ClusterBus::NodeLink final : public ClusterLink {
 public:
  NodeLink(ClusterBus& bus, NodeId node) : bus_(bus), node_(node) {}
  NodeId node() const override { return node_; }
  void publish(PeerMessage message) override { bus_.publish(node_, std::move(message)); }
  SubscriptionChange add_subscription(std::string_view app_id, std::string_view channel, int delta,
                                      bool delay_removal) override {
    return bus_.store_.change_subscription(node_, app_id, channel, delta, delay_removal);
  }
  MemberChange add_member(std::string_view app_id, std::string_view channel, const PresenceMember& member, int delta,
                          bool delay_removal) override {
    return bus_.store_.add_member(node_, app_id, channel, member, delta, delay_removal);
  }
  std::uint64_t member_version(std::string_view app_id, std::string_view channel) const override {
    return bus_.store_.member_version(app_id, channel);
  }
  std::size_t subscription_count(std::string_view app_id, std::string_view channel) const override {
    return bus_.store_.subscription_count(app_id, channel);
  }
  std::vector<PresenceMember> members(std::string_view app_id, std::string_view channel) const override {
    return bus_.store_.members(app_id, channel);
  }
  std::vector<std::string> occupied_channels(std::string_view app_id) const override {
    return bus_.store_.occupied_channels(app_id);
  }
  std::uint64_t hold_removal(const RemovalKey& key) override { return bus_.store_.hold_removal(node_, key); }
  bool cancel_removal(const RemovalKey& key) override { return bus_.store_.cancel_removal(key); }
  bool release_removal(const RemovalKey& key, std::uint64_t token) override {
    return bus_.store_.release_removal(node_, key, token);
  }
  void heartbeat(TimeNs expires_at) override { bus_.store_.heartbeat(node_, expires_at); }
  std::vector<NodeId> expired_nodes(TimeNs now) const override { return bus_.store_.expired_nodes(now, node_); }
  std::optional<NodeRemains> claim_node(NodeId node, TimeNs now) override {
    auto remains = bus_.store_.claim_node(node_, node, now);
    if (remains && node != node_) {
      bus_.trace_.record(now, TraceKind::kNote, bus_.endpoints_.at(node_), bus_.endpoints_.at(node), 0,
                         "claimed dead node" + std::to_string(node) + ": " +
                             std::to_string(remains->removed_members.size()) + " members removed, " +
                             std::to_string(remains->vacated.size()) + " channels vacated");
    }
    return remains;
  }

 private:
  ClusterBus& bus_;
  NodeId node_;
};

ClusterBus::ClusterBus(std::size_t nodes, Latency latency, Scheduler& scheduler, Trace& trace, Rng rng, Deliver deliver)
    : latency_(latency),
      scheduler_(scheduler),
      trace_(trace),
      rng_(std::move(rng)),
      deliver_(std::move(deliver)),
      up_(nodes, true),
      incarnation_(nodes, 0),
      last_arrival_(nodes, std::vector<TimeNs>(nodes, 0)) {
  for (std::size_t i = 0; i < nodes; ++i) {
    const auto node = static_cast<NodeId>(i);
    endpoints_.push_back(trace_.endpoint("node" + std::to_string(node)));
    links_.push_back(std::make_unique<NodeLink>(*this, node));
  }
}

ClusterBus::~ClusterBus() = default;

ClusterLink& ClusterBus::link(NodeId node) { return *links_.at(node); }

void ClusterBus::lose(NodeId from, NodeId to, const PeerMessage& message, const char* why) {
  trace_.record(scheduler_.now(), TraceKind::kNote, endpoints_[from], endpoints_[to], 0,
                std::string("bus lost (") + why + ") " + message.channel + " " + message.text);
}

void ClusterBus::publish(NodeId from, PeerMessage message) {
  const auto shared = std::make_shared<const PeerMessage>(std::move(message));
  for (NodeId to = 0; to < nodes(); ++to) {
    if (to == from) continue;
    if (!up_[to]) {
      lose(from, to, *shared, "node down");
      continue;
    }
    if (partitioned(from, to)) {
      lose(from, to, *shared, "partitioned");
      continue;
    }
    TimeNs& last = last_arrival_[from][to];
    last = std::max(scheduler_.now() + latency_.draw(rng_), last);
    trace_.record(scheduler_.now(), TraceKind::kNote, endpoints_[from], endpoints_[to], 0,
                  "bus publish " + shared->channel + " " + shared->text);
    ++in_flight_;
    scheduler_.schedule_at(last, [this, from, to, shared, incarnation = incarnation_[to]] {
      --in_flight_;
      if (!up_[to] || incarnation_[to] != incarnation) return lose(from, to, *shared, "node down");
      if (partitioned(from, to)) return lose(from, to, *shared, "partitioned");
      trace_.record(scheduler_.now(), TraceKind::kNote, endpoints_[from], endpoints_[to], 0,
                    "bus deliver " + shared->channel);
      deliver_(to, *shared);
    });
  }
}

void ClusterBus::set_up(NodeId node, bool up) {
  if (up_.at(node) == up) return;
  up_[node] = up;
  ++incarnation_[node];
}

void ClusterBus::partition(NodeId a, NodeId b) {
  if (a != b) partitions_.emplace(std::min(a, b), std::max(a, b));
}

void ClusterBus::heal(NodeId a, NodeId b) { partitions_.erase({std::min(a, b), std::max(a, b)}); }

void ClusterBus::heal_all() { partitions_.clear(); }

bool ClusterBus::partitioned(NodeId a, NodeId b) const {
  return partitions_.count({std::min(a, b), std::max(a, b)}) != 0;
}

}  // namespace pushsim::fakes
