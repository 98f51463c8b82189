#pragma once
// The simulation target: the reference engine in virtual time, on a fakes::World. Every
// scenario client is a RawClient (it sends exactly what the step says and answers pings, as
// pusher-js does); the app server's part (auth signatures, REST calls) is played here.
//
// Choices worth knowing:
// - Channel auth and sign-in signatures are made in-process with the app secret (the bytes
//   the Node SDK makes), not over the simulated auth endpoint: scenarios check the server,
//   and `auth_refuse` is modelled as pusher-js reports a refused auth (a local
//   pusher:subscription_error, nothing sent).
// - `drop` and `disconnect: {abrupt: true}` cut the client's links without killing the
//   client, so the same client may connect again later.
// - `latency` adds its range on top of the world's base latency (1-20 ms).
// - Per-app options that add frames or change batching (subscription_count,
//   batch_webhooks) are switched on only for scenarios that require them.
#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <set>
#include <string>
#include <unordered_map>
#include <utility>
#include <vector>

#include "fakes/fault_plan.hpp"
#include "harness/target.hpp"
#include "harness/target_requests.hpp"
#include "protocol/server/engine.hpp"

namespace pushsim::fakes {
class World;
class RawClient;
struct TraceRecord;
}  // namespace pushsim::fakes

namespace pushsim::harness {

struct SimTargetOptions {
  std::string scenario = "adhoc";  // goes into the world's run id
  std::uint64_t seed = 1;
  Defects defects;                                 // empty: the reference engine
  std::set<std::string> app_names;                 // apps besides "default" the clients name
  std::vector<AppSettings> app_settings;           // the scenario's `apps:`, for those apps
  std::vector<WebhookEndpoint> webhook_endpoints;  // the scenario's `webhook_endpoints:`, for the default app
  std::set<std::string> enable;                    // features to switch on: subscription_count, batch_webhooks
  std::uint64_t events_per_wait_max = 2'000'000;   // a bound on one wait_until's work
  // The target profile: which optional features to claim (none: every known feature).
  // Tests use it to play a server that lacks some.
  std::optional<std::set<std::string>> features;
  // Faults drawn from the seed for the scenario's clients when the run begins (none: no
  // faults). For shrinking, `keep_faults` keeps only those indices of the drawn plan and
  // `shorten` halves every kept fault's span and extra delay that many times.
  fakes::FaultProfile faults;
  std::optional<std::vector<std::size_t>> keep_faults;
  int shorten = 0;
  std::optional<int> cluster_nodes;      // a scenario's `cluster: { nodes: N }`
  bool invariants = true;                // check them in finish()
  DurationNs settle_max = seconds(600);  // how long finish() lets the world run to get quiet
};

class SimTarget final : public Target {
 public:
  explicit SimTarget(SimTargetOptions options);
  ~SimTarget() override;

  std::string name() const override { return "sim"; }
  void begin() override;
  std::vector<InvariantViolation> finish() override;
  std::set<std::string> features() const override;
  TimeNs now() const override;

  ActionError declare_client(const ClientSpec& client) override;
  ActionError connect(const std::string& client, const ConnectOptions& options) override;
  ActionError disconnect(const std::string& client, std::optional<int> code, bool abrupt) override;
  ActionError subscribe(const std::string& client, const std::string& channel, const AuthChoice& auth,
                        const std::optional<Json>& channel_data) override;
  ActionError unsubscribe(const std::string& client, const std::string& channel) override;
  ActionError signin(const std::string& client, const AuthChoice& auth, const std::optional<std::string>& as) override;
  ActionError send_text(const std::string& client, const std::string& text) override;
  ActionError send_binary(const std::string& client, const std::string& bytes) override;
  ActionError send_ws_ping(const std::string& client, const std::string& payload) override;
  ActionError shutdown_server() override;
  const std::vector<ObservedPong>& pongs(const std::string& client) override;
  ActionError rest(const RestCall& call) override;

  ActionError partition(const std::string& client) override;
  ActionError heal(const std::string& client) override;
  ActionError drop(const std::string& client) override;
  ActionError latency(const std::optional<std::string>& client, DurationNs min, DurationNs max) override;
  ActionError webhook_failures(int count, int status) override;
  ActionError auth_refuse(const std::optional<std::string>& client, const std::optional<std::string>& channel) override;

  int nodes() const override;
  ActionError crash_node(int node) override;
  ActionError restart_node(int node) override;
  ActionError partition_nodes(int a, int b) override;
  ActionError heal_nodes(std::optional<std::pair<int, int>> nodes) override;

  bool wait_until(TimeNs deadline, const std::function<bool()>& done) override;
  void set_wire_log(WireSink* sink) override;

  std::optional<std::string> socket_id(const std::string& client) const override;
  const std::vector<ObservedFrame>& frames(const std::string& client) override;
  std::optional<ObservedClose> close_of(const std::string& client) override;
  const std::vector<ObservedWebhook>& webhooks() override;
  const std::vector<ObservedResponse>& responses() override;
  std::vector<TraceLine> trace() const override;

  fakes::World& world() { return *world_; }
  // The faults the seed drew when the run began, and those actually applied (after
  // keep_faults and shorten).
  const std::vector<fakes::PlannedFault>& planned_faults() const { return planned_; }
  const std::vector<fakes::PlannedFault>& applied_faults() const { return applied_; }
  TimeNs began_at() const { return began_at_; }

 private:
  struct ClientState {
    ClientSpec spec;
    fakes::RawClient* raw = nullptr;
    std::size_t frames_seen = 0;  // of raw->received()
    std::vector<ObservedFrame> frames;
    std::optional<ObservedClose> close;
    std::vector<ObservedPong> pongs;
    bool closed_by_us = false;
    std::optional<int> node;  // cluster: the node of its last connect, when the step named one
  };

  ClientState* find(const std::string& client);
  const AppConfig& app_of(const ClientState& client) const;
  const AppConfig& app_named(const std::string& name) const;
  ClientSigner signer_of(const ClientState& client, const AuthChoice& auth) const;
  void cut(ClientState& client);
  // Takes in what the world observed since; true when anything was new.
  bool refresh();
  const std::shared_ptr<const Frame>& decoded(const std::shared_ptr<const std::string>& text);
  void sent(ClientState& state, std::string text);
  // The wire log's view of one trace record: what a client, the app's REST caller or the
  // webhook receiver sent or received (the server's own work and timers are left out).
  void log_wire(const fakes::TraceRecord& record);

  SimTargetOptions options_;
  std::unique_ptr<fakes::World> world_;
  std::map<std::string, ClientState> clients_;
  AuthRefusals refusals_;
  std::size_t batches_seen_ = 0;
  std::vector<ObservedWebhook> webhooks_;
  std::uint64_t posts_accepted_ = 0;
  std::vector<ObservedResponse> responses_;
  // Looked up by address, never iterated.
  std::unordered_map<const std::string*, std::pair<std::shared_ptr<const std::string>, std::shared_ptr<const Frame>>>
      decoded_;
  std::vector<fakes::PlannedFault> planned_;
  std::vector<fakes::PlannedFault> applied_;
  TimeNs began_at_ = 0;
  WireSink* wire_ = nullptr;
};

}  // namespace pushsim::harness
