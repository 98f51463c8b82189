#pragma once
// The simulated Redis between the nodes of a cluster: pub/sub links between every ordered pair
// of nodes, and the shared store (cluster_store.hpp). Each node reaches both through its own
// ClusterLink (protocol/server/cluster_link.hpp), which link(node) hands out.
//
// Pub/sub has Redis's semantics: a message goes to every other node, in publication order per
// (sender, receiver) pair, after a delay drawn from the seed; it is lost when that pair is
// partitioned (at publication or on arrival) or the receiver is down or restarted meanwhile.
// Nothing is queued for later: a subscriber that was away does not get what it missed. The
// store stays reachable from every live node through partitions (it is one Redis server; a
// partition cuts the pub/sub traffic between two nodes). Bus traffic is traced as notes,
// from "nodeA" to "nodeB".
#include <cstddef>
#include <functional>
#include <memory>
#include <set>
#include <utility>
#include <vector>

#include "fakes/cluster_store.hpp"
#include "fakes/latency.hpp"
#include "fakes/scheduler.hpp"
#include "fakes/trace.hpp"
#include "protocol/random.hpp"
#include "protocol/server/cluster_link.hpp"

namespace pushsim::fakes {

class ClusterBus {
 public:
  using Deliver = std::function<void(NodeId to, const PeerMessage& message)>;
  ClusterBus(std::size_t nodes, Latency latency, Scheduler& scheduler, Trace& trace, Rng rng, Deliver deliver);
  ~ClusterBus();
  ClusterBus(const ClusterBus&) = delete;
  ClusterBus& operator=(const ClusterBus&) = delete;

  std::size_t nodes() const { return up_.size(); }
  ClusterLink& link(NodeId node);
  ClusterStore& store() { return store_; }
  const ClusterStore& store() const { return store_; }

  void publish(NodeId from, PeerMessage message);
  // A node going down loses what is in flight to it, and everything published while it is down.
  void set_up(NodeId node, bool up);
  bool up(NodeId node) const { return up_.at(node); }
  void partition(NodeId a, NodeId b);
  void heal(NodeId a, NodeId b);
  void heal_all();
  bool partitioned(NodeId a, NodeId b) const;
  std::size_t in_flight() const { return in_flight_; }
  EndpointId endpoint(NodeId node) const { return endpoints_.at(node); }

 private:
  class NodeLink;
  void lose(NodeId from, NodeId to, const PeerMessage& message, const char* why);

  Latency latency_;
  Scheduler& scheduler_;
  Trace& trace_;
  Rng rng_;
  Deliver deliver_;
  ClusterStore store_;
  std::vector<bool> up_;
  std::vector<std::uint64_t> incarnation_;
  std::vector<EndpointId> endpoints_;
  std::vector<std::vector<TimeNs>> last_arrival_;   // [from][to]: keeps each pair in order
  std::set<std::pair<NodeId, NodeId>> partitions_;  // (smaller, larger)
  std::vector<std::unique_ptr<NodeLink>> links_;
  std::size_t in_flight_ = 0;
};

}  // namespace pushsim::fakes
