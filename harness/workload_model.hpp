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
      : workload_(workload), clients_(static_cast<std::size_t>(workload.clients)) {}

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
  std::size_t concurrent = 0;

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

  void connect(int index);
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
  void query_presence(const std::string& channel);
  void query_channels();
  void race(const WorkloadOp& op);

  const Workload& workload_;
  std::vector<ClientModel> clients_;
  std::map<std::string, int> cache_;  // cache channel -> number of its last event
  std::set<std::string> channels_used_;
  std::set<std::pair<std::string, std::string>> members_used_;
  int drops_ = 0;
};

}  // namespace pushsim::harness::workload_model
