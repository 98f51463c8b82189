#pragma once
// A target whose scenario gets channel names and user ids of its own (name_isolation.hpp): it
// wraps a live target, maps every name the scenario sends, and maps back everything the target
// observed, so the executor, the expectations and the reports see the names as written.
//
// What the server says about other scenarios sharing it is left out, as a server of its own
// would not have said it: webhooks about channels that are not this scenario's, and such
// channels in a GET /channels listing. Everything else is passed through unchanged.
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "harness/name_isolation.hpp"
#include "harness/target.hpp"

namespace pushsim::harness {

class IsolatedTarget final : public Target {
 public:
  // app_key: the key of the app whose presence members finish() queries.
  IsolatedTarget(std::unique_ptr<Target> inner, NameIsolation names, std::string app_key = {});

  const NameIsolation& names() const { return names_; }

  std::string name() const override { return inner_->name(); }
  std::set<std::string> features() const override { return inner_->features(); }
  TimeNs now() const override { return inner_->now(); }
  TimeNs unix_now() const override { return inner_->unix_now(); }
  void begin() override { inner_->begin(); }
  void set_wire_log(WireSink* sink) override { inner_->set_wire_log(sink); }
  // The live invariants on the observations mapped back to the scenario's names (the inner
  // target's own check would quote the wire names).
  std::vector<InvariantViolation> finish() override;

  ActionError declare_client(const ClientSpec& client) override;
  ActionError connect(const std::string& client, const ConnectOptions& options) override {
    return inner_->connect(client, options);
  }
  ActionError disconnect(const std::string& client, std::optional<int> code, bool abrupt) override {
    return inner_->disconnect(client, code, abrupt);
  }
  ActionError subscribe(const std::string& client, const std::string& channel, const AuthChoice& auth,
                        const std::optional<Json>& channel_data) override;
  ActionError unsubscribe(const std::string& client, const std::string& channel) override;
  ActionError signin(const std::string& client, const AuthChoice& auth, const std::optional<std::string>& as) override {
    return inner_->signin(client, auth, as);
  }
  ActionError send_text(const std::string& client, const std::string& text) override;
  ActionError send_ws_ping(const std::string& client, const std::string& payload) override {
    return inner_->send_ws_ping(client, payload);
  }
  ActionError shutdown_server() override { return inner_->shutdown_server(); }
  const std::vector<ObservedPong>& pongs(const std::string& client) override { return inner_->pongs(client); }
  ActionError send_binary(const std::string& client, const std::string& bytes) override {
    return inner_->send_binary(client, bytes);
  }
  ActionError rest(const RestCall& call) override;

  ActionError partition(const std::string& client) override { return inner_->partition(client); }
  ActionError heal(const std::string& client) override { return inner_->heal(client); }
  ActionError drop(const std::string& client) override { return inner_->drop(client); }
  ActionError latency(const std::optional<std::string>& client, DurationNs min, DurationNs max) override {
    return inner_->latency(client, min, max);
  }
  ActionError webhook_failures(int count, int status) override { return inner_->webhook_failures(count, status); }
  int nodes() const override { return inner_->nodes(); }
  ActionError crash_node(int node) override { return inner_->crash_node(node); }
  ActionError restart_node(int node) override { return inner_->restart_node(node); }
  ActionError partition_nodes(int a, int b) override { return inner_->partition_nodes(a, b); }
  ActionError heal_nodes(std::optional<std::pair<int, int>> nodes) override { return inner_->heal_nodes(nodes); }
  ActionError auth_refuse(const std::optional<std::string>& client, const std::optional<std::string>& channel) override;

  void advance_to(TimeNs deadline) override { inner_->advance_to(deadline); }
  std::optional<std::string> cannot_play(const Scenario& scenario) const override {
    return inner_->cannot_play(scenario);
  }
  bool wait_until(TimeNs deadline, const std::function<bool()>& done) override {
    return inner_->wait_until(deadline, done);
  }

  std::optional<std::string> socket_id(const std::string& client) const override { return inner_->socket_id(client); }
  const std::vector<ObservedFrame>& frames(const std::string& client) override;
  std::optional<ObservedClose> close_of(const std::string& client) override { return inner_->close_of(client); }
  const std::vector<ObservedWebhook>& webhooks() override;
  const std::vector<ObservedResponse>& responses() override;
  std::vector<TraceLine> trace() const override;
  std::vector<std::string> problems() const override;
  std::optional<std::string> harness_error() const override { return inner_->harness_error(); }

 private:
  struct ClientFrames {
    std::size_t seen = 0;  // of the inner target's frames
    std::vector<ObservedFrame> frames;
  };

  ObservedResponse mapped_response(std::size_t index, const ObservedResponse& response) const;

  std::unique_ptr<Target> inner_;
  NameIsolation names_;
  std::string app_key_;
  std::map<std::string, ClientFrames> frames_;
  std::size_t hooks_seen_ = 0;
  std::vector<ObservedWebhook> webhooks_;
  std::vector<ObservedResponse> responses_;
  std::vector<bool> listings_;  // per response: it answers a GET of the channel list
};

}  // namespace pushsim::harness
