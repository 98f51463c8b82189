#pragma once
// The model behind generated workloads (workload.hpp, theory of operation): the protocol's
// account of what a workload's operations lead to, and the scenario steps, with their
// expectations, that it writes for them. workload.cpp draws operations from it and renders.
#include <algorithm>
#include <map>
#include <set>
#include <string>
#include <tuple>
#include <utility>
#include <vector>

#include "harness/workload.hpp"

namespace pushsim::harness::workload_model {

// The channels a workload uses: few, so that clients meet on them.
const std::vector<std::string>& public_channels();
const std::vector<std::string>& authorized_channels();  // private and presence
const std::vector<std::string>& all_channels();

inline constexpr int kLatencyMaxMs = 150;
// Operations while a dropped connection may still be on the server: each takes a second or
// two of virtual time, well inside the 30 s the server keeps it at least.
inline constexpr int kDropWindowOps = 6;

inline std::string client_name(int index) { return "c" + std::to_string(index + 1); }
// Every connection of a user declares the same user_info, so the member list has one answer.
inline std::string user_info(const std::string& user_id) { return "{ name: " + user_id + " }"; }
inline std::string probe_name(int number) { return "x" + std::to_string(number); }
// A concurrently block of the steps `items` (one item: the step itself).
std::string concurrently_step(const std::vector<std::string>& items);
// The kinds of kRestEdge and kAppProbe (workload_probes.cpp); SHOULD ones only in should workloads.
inline constexpr int kRestEdgesMust = 7;
inline constexpr int kRestEdgesAll = 10;
inline constexpr int kAppProbes = 8;

struct ClientModel {
  bool connected = false;
  bool had_connection = false;  // its socket_id variable names its latest connection
  bool partitioned = false;
  bool signed_in = false;
  std::set<std::string> subscriptions;  // confirmed by subscription_succeeded
  // A dropped connection's subscriptions, which the server keeps until it closes it.
  std::set<std::string> dropped;
  bool has_dropped = false;
  std::vector<std::string> owed;  // expectations held back while partitioned
};

// The protocol's account of the workload (workload.hpp, theory of operation), and the
// steps it writes.
class Model {
 public:
  explicit Model(const Workload& workload)
      : workload_(workload),
        clients_(static_cast<std::size_t>(workload.clients)),
        node_up_(static_cast<std::size_t>(std::max(1, workload.nodes)), true) {}

  bool possible(const WorkloadOp& op) const;
  void apply(const WorkloadOp& op);
  void finish();

  const ClientModel& client(int index) const { return clients_[static_cast<std::size_t>(index)]; }
  int clients() const { return workload_.clients; }
  int drops() const { return drops_; }
  bool any_dropped() const {
    return std::any_of(clients_.begin(), clients_.end(), [](const ClientModel& c) { return c.has_dropped; });
  }
  bool any_partitioned() const {
    return std::any_of(clients_.begin(), clients_.end(), [](const ClientModel& c) { return c.partitioned; });
  }
  // Connected and free to act (not partitioned).
  bool active(int index) const { return valid(index) && client(index).connected && !client(index).partitioned; }
  bool subscribed(int index, const std::string& channel) const {
    return valid(index) && client(index).connected && client(index).subscriptions.count(channel) != 0;
  }
  // Connections the server holds on the channel: live ones and dropped ones not yet closed.
  std::size_t subscriber_count(const std::string& channel) const;

  std::vector<std::string> steps;
  // Deliveries owed, (event, channel, client) -> [min, max] (workload.hpp, WorkloadDelivery).
  std::map<std::tuple<std::string, std::string, std::string>, std::pair<int, int>> deliveries;
  std::set<int> used_clients;
  std::set<int> probes;
  // Probe clients with a declaration (name -> its fields) and the apps probes use (name ->
  // settings), both written at the top of the scenario.
  std::map<std::string, std::string> probe_clients;
  std::map<std::string, std::string> apps;
  std::set<std::string> requires_extra;  // features probes need beyond the workload's
  bool webhook_endpoints = false;        // a kWebhookFilter probe: the endpoints below, written at the top
  bool long_wait = false;                // a probe waits out the cache TTL: a longer time limit
  std::size_t concurrent = 0;

  // Cluster (Workload::nodes > 1).
  int nodes() const { return static_cast<int>(node_up_.size()); }
  bool node_up(int node) const { return node >= 0 && node < nodes() && node_up_[static_cast<std::size_t>(node)]; }
  int nodes_up() const { return static_cast<int>(std::count(node_up_.begin(), node_up_.end(), true)); }
  bool webhook_failures_seen() const { return webhook_failures_seen_; }
  bool should() const { return workload_.should; }
  // The workload's kShutdown, whose steps finish() writes last; -1: none.
  int shutdown_number() const { return shutdown_number_; }

 private:
  bool valid(int index) const { return index >= 0 && index < workload_.clients; }
  ClientModel& mut(int index) { return clients_[static_cast<std::size_t>(index)]; }
  const std::string& user(int index) const { return workload_.user_ids[static_cast<std::size_t>(index)]; }
  std::map<std::string, int> members(const std::string& channel) const;

  void emit(std::string step) { steps.push_back(std::move(step)); }
  // Client `index` gets `event` on `channel` once more: surely, or perhaps (a race).
  void owe(int index, const std::string& channel, const std::string& event, bool surely) {
    auto& range = deliveries[{event, channel, client_name(index)}];
    range.first += surely ? 1 : 0;
    range.second += 1;
  }
  // An expectation on client `index`'s frames: now, or after its heal when partitioned.
  void expect_at(int index, const std::string& step) {
    if (client(index).partitioned) {
      mut(index).owed.push_back(step);
    } else {
      emit(step);
    }
  }
  void use(int index) { used_clients.insert(index); }
  const char* settle() const;
  // ", node: K" for a REST call or connect in a cluster (nothing when K is down: the first live node).
  std::string at_node(int node) const;

  void connect(int index, int node);
  // member_added's data as expected: the fields, or under `should` its exact JSON text (§1.3).
  std::string member_data(const std::string& user_id) const;
  void disconnect(int index);
  void drop(int index);
  void drop_timeout();
  void leave_all(int index);
  void subscribe(int index, const std::string& channel);
  void subscribe_checks(int index, const std::string& channel, bool exact);
  void unsubscribe(int index, const std::string& channel);
  void member_joined(int index, const std::string& channel, const std::set<int>& skip);
  void member_left(int index, const std::string& channel, const std::set<int>& skip);
  void publish(const std::string& channel, int number, int excluded);
  std::string exclusion(int exclude, int& excluded) const;
  void trigger(const WorkloadOp& op);
  void batch(const WorkloadOp& op);
  void client_event(int index, const std::string& channel, int number, const std::set<int>& skip);
  void heal(int index);
  void probe_connect(const WorkloadOp& op);
  void query_presence(const std::string& channel, const std::string& at = {});
  void query_channels(const std::string& at = {});
  void no_presence_counts();
  void race(const WorkloadOp& op);
  // workload_probes.cpp: the cluster's operations and the protocol-edge probes.
  bool possible_edge(const WorkloadOp& op) const;
  void crash_node(int node);
  void restart_node(int node);
  void bus_partition(int a, int b);
  void rest_edge(const WorkloadOp& op);
  void signin_as_other(const WorkloadOp& op);
  void watchlist(const WorkloadOp& op);
  void watchlist_limit(const WorkloadOp& op);
  void app_probe(const WorkloadOp& op);
  void private_form_auth(const WorkloadOp& op);
  void cache_ttl(const WorkloadOp& op);
  void binary_frame(const WorkloadOp& op);
  // workload_extras.cpp: the operations of the "extras" stream (workload.hpp).
  bool possible_extra(const WorkloadOp& op) const;
  void webhook_filter(const WorkloadOp& op);
  void ws_ping(const WorkloadOp& op);
  void shutdown_steps();
  void terminate(const WorkloadOp& op);
  void watchlist_nodes(const WorkloadOp& op);
  void quota_nodes(const WorkloadOp& op);

  const Workload& workload_;
  std::vector<ClientModel> clients_;
  std::set<std::string> channels_used_;
  std::set<std::pair<std::string, std::string>> members_used_;
  int drops_ = 0;
  std::vector<bool> node_up_;
  std::vector<int> client_node_ = std::vector<int>(static_cast<std::size_t>(workload_.clients), 0);
  bool webhook_failures_seen_ = false;
  bool cache_ttl_done_ = false;
  int shutdown_number_ = -1;
  // Per node: cache channel -> number of its last event. A cluster copies a cache channel's
  // event to every node over the bus, so a node that was down missed it, and one restarted
  // starts empty (docs/cluster.md).
  std::vector<std::map<std::string, int>> caches_ = std::vector<std::map<std::string, int>>(node_up_.size());
  const std::map<std::string, int>& cache_of(int index) const {
    return caches_[static_cast<std::size_t>(nodes() > 1 ? client_node_[static_cast<std::size_t>(index)] : 0)];
  }
};

}  // namespace pushsim::harness::workload_model
