#pragma once
// The live target: every scenario client is a real WebSocket connection (net/LiveConnection),
// REST steps are real signed HTTP requests, auth is signed here with the app secret, and
// webhooks arrive at an HTTP listener this target runs, which verifies their signatures.
//
// Choices worth knowing:
// - Time is wall time since the target started. One wait runs at most `wait_max` of wall
//   time; when a longer wait (an `advance: 60s`) is cut short the clock skips ahead to its
//   deadline, so the scenario's timeline stays consistent while the server's does not:
//   scenarios that rely on long server-side timers must be simulation_only.
// - Clients send exactly what the step says (send_raw), as the sim target's RawClients do;
//   the pusher-js behaviour kept is answering pings. auth_refuse is played as pusher-js
//   reports a refused auth: a local pusher:subscription_error, nothing sent.
// - Network faults go through pushsim's own relay (net/relay_link.hpp): with `relay` on, each
//   client connection reaches the server through a RelayLink of its own, which plays latency
//   (seeded draws per client and direction, order kept), partition/heal (bytes held, then
//   released in order) and drop (both sockets reset, no close frame). Without it (the factory
//   turns it on only for scenarios with such steps, so other scenarios connect directly),
//   partition, heal and latency are refused, and drop aborts the client's own socket.
// - Live time: a wait runs at most `wait_max` (the wait cap); an `advance:` sleeps for real,
//   and a scenario whose advances add up past `advance_budget` is skipped (cannot_play).
// - webhook_failures with no answer: the listener holds the request unanswered until the
//   sender gives up, or at most `webhook_hold_max`.
// - `serve` mode starts a fresh in-process ServeServer per scenario, on an ephemeral port,
//   configured as the sim target's world (same apps, webhooks to this target's listener),
//   so that parallel scenarios never share channels. On a server shared by scenarios (any
//   other live target), the run token keeps their names apart (isolated_target.hpp).
// - After the last step, finish() checks the invariants a live run can judge
//   (live_invariants.hpp) on what the clients, the webhook listener and the REST answers saw.
// - Several nodes (one clustered server, `pushsim run --target URL --target URL ...`): a client
//   connects to the node its connect step names (`node: K`), else to node 0, or, for a scenario
//   with `cluster:` and with spread_clients, to the nodes in turn in order of first connection
//   (as the simulated cluster does); a reconnect goes to the same node. A REST step naming a node
//   goes to that node's HTTP address, the others to http_url (the --rest URL; default node 0's).
//   A scenario needing more nodes than the target has is skipped, never failed. crash_node and
//   restart_node play on the nodes' server processes through a NodeControl (SIGKILL to the
//   node's process group; start it again and wait until its port accepts); without one they
//   skip the scenario, and so do partition_nodes and heal_nodes always: the bus between a real
//   cluster's nodes is its own (Redis), out of pushsim's reach.
// - Everything (connections, requests, listener, server) is closed when the target is
//   destroyed; past `run_deadline` every wait fails at once and every action is refused.
// - A misbehaving server cannot hang or exhaust the run: writes that stall (it stopped
//   reading) and frame floods end the connection; what went wrong below the protocol (its
//   garbage, a REST call without an answer, webhooks that did not verify) is kept, bounded,
//   as problems(), which a failed step quotes so that the report names the cause.
// Boost stays out of this header: net/ is reached through Boost-free headers only.
#include <chrono>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <set>
#include <string>
#include <utility>
#include <vector>

#include "harness/target.hpp"
#include "harness/target_factory.hpp"
#include "harness/target_requests.hpp"
#include "protocol/http.hpp"
#include "protocol/result.hpp"
#include "protocol/server/defects.hpp"
#include "protocol/signing.hpp"

namespace pushsim {
class IoLoop;
class LiveConnection;
class ServerProcess;
class RelayLink;
class WebhookListener;
class ServeServer;
class RestClient;
}  // namespace pushsim

namespace pushsim::harness {

// The server processes of a live target's nodes, for crash_node and restart_node. Each returns
// nullopt when done, else why not ("node 1 is not up").
class NodeControl {
 public:
  virtual ~NodeControl() = default;
  virtual std::optional<std::string> crash(int node) = 0;    // SIGKILL to the node's process group
  virtual std::optional<std::string> restart(int node) = 0;  // start it again, wait until ready
  // SIGTERM to the node's process group (a graceful shutdown); the target watch starts it again.
  virtual std::optional<std::string> shut_down(int node) {
    return "node " + std::to_string(node) + " cannot be shut down here";
  }
};

// A NodeControl over one server process per node (node K: servers[K]); not owned. A node
// crashed with it is killed_on_purpose(), which the target watch restarts without a report.
std::shared_ptr<NodeControl> process_node_control(std::vector<ServerProcess*> servers);

struct LiveTargetOptions {
  std::string name = "serve";  // printed in reports
  // Serve mode: start an in-process server per scenario (ws_url and http_url are then its own).
  bool serve = false;
  std::string ws_url = "ws://127.0.0.1:6001";
  std::string http_url;  // empty: ws_url with http(s) instead of ws(s)
  // A server of several nodes: every node's WebSocket URL, node 0 first (empty: ws_url alone,
  // else ws_url is node 0's); REST naming node K goes to node K's URL with http(s).
  std::vector<std::string> node_urls;
  // Clients whose connect names no node go to the nodes in turn instead of node 0.
  bool spread_clients = false;
  std::shared_ptr<NodeControl> node_control;  // per-node server processes; none: no node faults
  AppCredentials app{"1", "app-key", "app-secret"};
  bool tls_verify = true;
  std::string webhook_host = "127.0.0.1";
  std::uint16_t webhook_port = 0;  // 0: ephemeral (only a served target can be told the URL)
  std::uint64_t seed = 1;
  std::set<std::string> app_names;        // serve mode: apps besides "default" the clients name
  std::vector<AppSettings> app_settings;  // serve mode: the scenario's `apps:`, for those apps
  // serve mode: the default app's endpoints besides the catch-all, at the listener's /webhooks/NAME
  std::vector<WebhookEndpoint> webhook_endpoints;
  std::set<std::string> enable;  // serve mode: subscription_count, batch_webhooks
  // The optional features the server has, from its target profile (none: every known one).
  std::optional<std::set<std::string>> features;
  // Wall time one wait may take; longer ones skip. Above the engine's 3 s webhook removal
  // delay, so that vacated / member_removed webhooks arrive within one wait.
  std::chrono::milliseconds wait_max{5'000};
  // The wall time the `advance:` steps of one scenario may sleep in all.
  std::chrono::milliseconds advance_budget{10'000};
  // Each client through a fault relay (see above); only for ws:// servers.
  bool relay = false;
  std::chrono::milliseconds webhook_hold_max{30'000};
  // Every client's latency from the start (live explore's fault schedule); the relay is on.
  std::optional<std::pair<DurationNs, DurationNs>> initial_latency;
  // Serve mode: a deliberately broken engine (protocol/server/defects.hpp).
  Defects serve_defects;
  // Serve mode as a cluster: serve_nodes in-process `serve --cluster` nodes over this Redis
  // (redis://HOST:PORT[/DB]), under a key prefix of their own for each scenario, so that
  // nothing one scenario leaves in Redis meets the next. Empty: one lone server.
  std::string serve_cluster;
  int serve_nodes = 1;
  std::chrono::milliseconds connect_max{2'000};   // WebSocket connect (TCP, TLS, upgrade, established)
  std::chrono::milliseconds request_max{10'000};  // one REST call
  // Against misbehaving servers (LiveConnectionOptions has the details): a write that a server
  // that stopped reading leaves pending this long, or a flood past this many frames on one
  // connection, ends that connection with an error naming it.
  std::chrono::milliseconds write_stall_max{5'000};
  std::size_t frames_max = 20'000;
  std::optional<std::chrono::steady_clock::time_point> run_deadline;  // the whole run's
  // Unique to the run (empty: names as written): each scenario's channel names and user ids
  // then carry "_" + token + "_" + id + "_" on the wire (isolated_target.hpp), unless it asks
  // for exact_channel_names.
  std::string run_token;
};

// Live waits for a crashed node's cleanup: kClusterDeathNoticed plus this for the bus hop and
// real time's slack; a scenario with crash_node needs a wait cap at least that long.
inline constexpr DurationNs kLiveClusterSlack = 1'000'000'000;

class LiveTarget final : public Target {
 public:
  explicit LiveTarget(LiveTargetOptions options);
  ~LiveTarget() override;

  // Why the target could not start (a port that would not bind, a server that would not
  // start); every action then reports it.
  const std::optional<std::string>& start_error() const { return start_error_; }
  std::optional<std::string> harness_error() const override { return start_error_; }

  std::string name() const override { return options_.name; }
  std::set<std::string> features() const override;
  TimeNs now() const override;
  TimeNs unix_now() const override;

  ActionError declare_client(const ClientSpec& client) override;
  ActionError connect(const std::string& client, const ConnectOptions& options) override;
  ActionError disconnect(const std::string& client, std::optional<int> code, bool abrupt) override;
  ActionError subscribe(const std::string& client, const std::string& channel, const AuthChoice& auth,
                        const std::optional<Json>& channel_data) override;
  ActionError unsubscribe(const std::string& client, const std::string& channel) override;
  ActionError signin(const std::string& client, const AuthChoice& auth, const std::optional<std::string>& as) override;
  ActionError send_text(const std::string& client, const std::string& text) override;
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

  int nodes() const override { return static_cast<int>(options_.node_urls.size()); }
  ActionError crash_node(int node) override;
  ActionError restart_node(int node) override;
  ActionError partition_nodes(int a, int b) override;
  ActionError heal_nodes(std::optional<std::pair<int, int>> nodes) override;

  void begin() override;
  // The live invariants (live_invariants.hpp) on what this target observed.
  std::vector<InvariantViolation> finish() override;
  bool wait_until(TimeNs deadline, const std::function<bool()>& done) override;
  void set_wire_log(WireSink* sink) override;
  void advance_to(TimeNs deadline) override;
  std::optional<std::string> cannot_play(const Scenario& scenario) const override;
  std::optional<std::string> cannot_play_cluster(const Scenario& scenario) const;

  std::optional<std::string> socket_id(const std::string& client) const override;
  const std::vector<ObservedFrame>& frames(const std::string& client) override;
  std::optional<ObservedClose> close_of(const std::string& client) override;
  const std::vector<ObservedWebhook>& webhooks() override;
  const std::vector<ObservedResponse>& responses() override;
  std::vector<TraceLine> trace() const override;
  std::vector<std::string> problems() const override;

  std::string ws_url() const { return options_.ws_url; }

 private:
  struct ClientState {
    ClientSpec spec;
    std::unique_ptr<LiveConnection> connection;
    std::size_t frames_seen = 0;  // of connection->frames()
    std::size_t errors_seen = 0;  // of connection->errors()
    std::vector<ObservedFrame> frames;
    std::optional<ObservedClose> close;
    std::vector<ObservedPong> pongs;
    std::size_t pongs_seen = 0;  // of connection->pongs()
    bool closed_by_us = false;
    bool ended_noted = false;                   // an end without a close frame, traced once
    std::optional<std::string> last_socket_id;  // kept after a close, as the sim's clients keep it
    std::unique_ptr<RelayLink> link;            // with the relay: the current connection's
    std::size_t errors_seen_link = 0;           // of link->errors()
    std::uint64_t links_opened = 0;             // seeds each link's draws
    bool partitioned = false;
    std::optional<std::pair<DurationNs, DurationNs>> latency;  // this client's own, over the default
    std::optional<int> node;                                   // set at its first connection
  };

  void start();
  ClientState* find(const std::string& client);
  ActionError usable(const std::string& client, ClientState*& state);
  AppCredentials app_of(const ClientState& client) const;
  AppCredentials app_named(const std::string& name) const;
  ClientSigner signer_of(const ClientState& client, const AuthChoice& auth) const;
  ActionError send(ClientState& client, const std::string& text);
  TimeNs from_real(TimeNs real) const;
  bool past_run_deadline() const;
  void refresh();
  void note(std::string kind, std::string from, std::string to, std::string text);
  // The wire log's view of a trace line (at: monotonic_now's clock); webhooks are logged apart,
  // with their headers.
  void log_wire(TimeNs at, const TraceLine& line);
  void add_problem(std::string line);
  std::optional<std::string> open_link(ClientState& client, std::string& url);
  int node_for(ClientState& client, const ConnectOptions& options);
  std::string node_text(int node) const;
  void apply_latency(ClientState& client);
  void note_rest_trouble(const std::string& what, const Result<HttpResponse>& answer);

  LiveTargetOptions options_;
  std::optional<std::string> start_error_;
  std::chrono::steady_clock::time_point started_;
  TimeNs started_real_ = 0;
  TimeNs started_monotonic_ = 0;  // started_, on monotonic_now's clock
  DurationNs skipped_ = 0;        // wall time skipped by capped waits
  std::unique_ptr<IoLoop> loop_;
  std::vector<std::unique_ptr<ServeServer>> servers_;  // serve mode: node 0 first
  std::unique_ptr<WebhookListener> listener_;
  std::unique_ptr<RestClient> rest_;
  std::vector<std::unique_ptr<RestClient>> node_rest_;  // REST naming node K: node_rest_[K]
  int next_node_ = 0;                                   // spread_clients: the next client's node
  std::map<std::string, ClientState> clients_;
  std::vector<std::unique_ptr<LiveConnection>> retired_;  // replaced by a reconnect
  std::vector<std::unique_ptr<RelayLink>> retired_links_;
  std::pair<DurationNs, DurationNs> latency_{0, 0};  // for every client without its own
  DurationNs advance_left_ = 0;                      // of the advance budget
  AuthRefusals refusals_;
  std::size_t hooks_seen_ = 0;
  std::vector<ObservedWebhook> webhooks_;
  std::uint64_t posts_accepted_ = 0;  // numbers ObservedWebhook::post
  std::vector<ObservedResponse> responses_;
  std::vector<TraceLine> trace_;
  // Bounded: a flood of bad frames or webhooks keeps the first problems and counts the rest.
  std::vector<std::string> problems_;
  std::size_t problems_unkept_ = 0;
  std::size_t hooks_rejected_ = 0;
  WireSink* wire_ = nullptr;
};

// A fresh live target per scenario; in serve mode its server is configured for the scenario
// (named apps, subscription_count / batch_webhooks when required) and seeded with its seed.
// With a run token, the target is wrapped in an IsolatedTarget for the scenario.
TargetFactory live_target_factory(LiveTargetOptions options);

// What a live target needs to know of a scenario's steps (concurrently blocks and one_of
// branches included): the wall time its advances take (the longest branch of a one_of), and
// whether it has partition, heal, drop or latency steps, which need the relay.
DurationNs advance_total(const std::vector<Step>& steps);
bool uses_network_faults(const std::vector<Step>& steps);

// Whether the steps (concurrently blocks and one_of branches included) have a step of kind S.
template <typename S>
bool uses_step(const std::vector<Step>& steps) {
  for (const auto& step : steps) {
    if (std::holds_alternative<S>(step.action)) return true;
    if (const auto* block = std::get_if<ConcurrentlyStep>(&step.action)) {
      if (uses_step<S>(block->steps)) return true;
    }
    if (const auto* choice = std::get_if<OneOfStep>(&step.action)) {
      for (const auto& branch : choice->branches) {
        if (uses_step<S>(branch)) return true;
      }
    }
  }
  return false;
}

}  // namespace pushsim::harness
