#pragma once
// The simulated world: one scheduler, one network, the reference engine, the fake app
// server (auth endpoint and REST caller), the fake webhook receiver, simulated clients, and
// the trace that records it all. Single-threaded and seeded: a (scenario, seed, fault
// profile) triple replays byte for byte.
//
// Theory of operation. Everything happens inside scheduler tasks. A packet arriving at the
// server becomes an engine input; after every engine input the world drains the engine's
// outputs into the network (frames and closes to clients, webhook POSTs to the receiver)
// and re-arms the engine's single wake-up at next_deadline(). Clients do the same with their
// own timers. Verbs (partition, drop, fail_webhooks, ...) act at once, or later through at().
// Randomness: the root Rng is seeded with the run's seed; the engine, the network's links
// and routes, and each client get streams derived from it by name.
//
// Clusters (WorldConfig::cluster): several engine nodes behind one server address, like a
// load balancer in front of soketi nodes. A client's connections go to its node (set with
// set_client_node, else round robin in order of first connection), or to the next live node
// when that one is down; a REST call goes to the node it names, else the first live one. The
// nodes share state through a ClusterBus (cluster_bus.hpp). crash_node cuts every connection
// of the node abruptly and forgets the engine; restart_node starts a fresh one, which first
// claims what its previous life left in the bus's store.
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "fakes/auth_server.hpp"
#include "fakes/client_endpoint.hpp"
#include "fakes/cluster_bus.hpp"
#include "fakes/fault_plan.hpp"
#include "fakes/network.hpp"
#include "fakes/rest_caller.hpp"
#include "fakes/scheduler.hpp"
#include "fakes/trace.hpp"
#include "fakes/webhook_receiver.hpp"
#include "fakes/world_config.hpp"
#include "protocol/server/engine.hpp"

namespace pushsim::fakes {

class RawClient;

struct RestExchange {
  TimeNs sent_at = 0;
  TimeNs answered_at = 0;  // 0 while unanswered
  // Its place among the requests the engine handled (1 the first, 0 while it has not
  // arrived): the order the server saw, which the app's publication order means.
  std::uint64_t handled = 0;
  HttpRequest request;
  std::optional<HttpResponse> response;       // nullopt: timed out or lost
  std::optional<NodeId> node = std::nullopt;  // cluster: the node that handled it
};

class World final : private NetworkSink {
 public:
  explicit World(WorldConfig config);
  ~World() override;
  World(const World&) = delete;
  World& operator=(const World&) = delete;

  // --- the parts ------------------------------------------------------------------------
  const WorldConfig& config() const { return config_; }
  RunId run_id() const { return trace_.run(); }
  TimeNs now() const { return scheduler_.now(); }
  Scheduler& scheduler() { return scheduler_; }
  Network& network() { return *network_; }
  Trace& trace() { return trace_; }
  // The first live node's engine (the only one without a cluster).
  Engine& engine();
  // --- cluster ----------------------------------------------------------------------------
  std::size_t node_count() const { return nodes_.size(); }
  bool clustered() const { return bus_ != nullptr; }
  Engine* node_engine(NodeId node);  // nullptr while the node is down
  ClusterBus* bus() { return bus_.get(); }
  void set_client_node(const std::string& client, NodeId node);
  std::optional<NodeId> node_of_link(LinkId link) const;
  // Each returns false, and does nothing, for a node that is not there (or not down, for
  // restart_node); without a cluster every one does.
  bool crash_node(NodeId node);
  // A graceful shutdown of every node (Engine::shutdown: each connection closed with 4200).
  // The engines stay to finish their webhooks; new connections get 4200 at once. With the
  // broken variant kShutdownWithoutClose every connection is cut instead, without a close.
  void shutdown_server();
  bool restart_node(NodeId node);
  bool partition_nodes(NodeId a, NodeId b);
  bool heal_nodes(NodeId a, NodeId b);
  bool heal_all_nodes();
  // Over every live node.
  std::size_t webhooks_outstanding() const;
  AuthServer& auth() { return auth_; }
  WebhookReceiver& webhooks() { return webhooks_; }
  const RestCaller& rest_caller() const { return rest_caller_; }
  const Rng& root_rng() const { return root_; }
  EndpointId server_endpoint() const { return server_; }

  // --- clients --------------------------------------------------------------------------
  // A client that sends the frames a test writes and records what it gets.
  RawClient& add_raw_client(const std::string& name);
  // Any other kind of client: the world owns it from now on. Names must be unique.
  template <class Client, class... Args>
  Client& add_client(const std::string& name, Args&&... args) {
    auto owned = std::make_unique<Client>(*this, name, endpoint_for_new_client(name), std::forward<Args>(args)...);
    Client& client = *owned;
    adopt(std::move(owned));
    return client;
  }
  // nullptr when there is no such client (a scenario may name one that does not exist).
  ClientEndpoint* find_client(const std::string& name);
  bool has_client(const std::string& name) const { return clients_.count(name) > 0; }
  std::vector<std::string> client_names() const;  // sorted

  // What clients use to reach the server and the auth endpoint.
  LinkId open_connection(ClientEndpoint& client, std::string target);
  void send_to_server(LinkId link, std::shared_ptr<const std::string> text);
  void send_binary_to_server(LinkId link, std::shared_ptr<const std::string> bytes);
  void ping_server(LinkId link, std::string payload);
  void close_to_server(LinkId link, int code, std::string reason);
  void call_auth(ClientEndpoint& client, HttpRequest request, HttpCallback done);
  // A client's timer. An `activity` timer (a reconnect, say) keeps the world from being
  // idle until it fires or is cancelled with cancel_client_timer(); liveness timers are not
  // activity (see run_until_idle). The client traces what a timer does
  // with trace_timer(), so that a timer that finds nothing due leaves no record.
  EventId set_client_timer(ClientEndpoint& client, TimeNs at, std::function<void(TimeNs)> fire, bool activity = false);
  void cancel_client_timer(EventId id, bool activity = false);
  void trace_timer(const ClientEndpoint& client, std::string what);

  // --- the app server's REST calls --------------------------------------------------------
  // Sends a request to the engine's REST API over the network; the answer is logged.
  // `node`: which cluster node answers (none: the first live one); a node that is down
  // answers 503, as a load balancer would.
  void rest(HttpRequest request, HttpCallback done = {}, std::optional<NodeId> node = std::nullopt);
  void trigger(const std::vector<std::string>& channels, std::string_view event, const Json& data,
               const TriggerParams& params = {});
  const std::vector<RestExchange>& rest_log() const { return rest_log_; }

  // --- faults ---------------------------------------------------------------------------
  // Client faults return false, and do nothing, when no client has that name.
  bool partition(const std::string& client);
  bool heal(const std::string& client);
  bool drop(const std::string& client);             // abrupt: no close frame, the client dies
  bool close(const std::string& client, int code);  // clean close from the client
  bool close_from_server(const std::string& client, int code, std::string reason = "closed by server");
  bool extra_latency(const std::string& client, std::optional<Latency> extra);
  void extra_latency_all(std::optional<Latency> extra);
  void fail_webhooks(std::size_t count, int status = 500);
  void slow_webhooks(DurationNs delay);
  void silence_webhooks(std::size_t count);
  void fail_auth(std::size_t count, int status = 500);
  void slow_auth(DurationNs delay);
  void silence_auth(std::size_t count);
  // Draws the configured fault profile for the clients that exist now and schedules it.
  std::vector<PlannedFault> plan_faults(TimeNs start);
  void apply(const std::vector<PlannedFault>& plan);
  void apply(const PlannedFault& fault);

  // Runs a verb later, in virtual time.
  void at(TimeNs when, std::function<void(World&)> verb);
  void after(DurationNs delay, std::function<void(World&)> verb) { at(now() + delay, std::move(verb)); }

  // --- running --------------------------------------------------------------------------
  bool step() { return scheduler_.step(); }
  RunOutcome run_until(TimeNs until);
  RunOutcome run_for(DurationNs duration) { return run_until(now() + duration); }
  // Runs until the world is idle: no packet, HTTP exchange, verb or reconnect pending.
  // Liveness timers do not count, or a world with connections would never be idle (it
  // always has pings ahead). kIdle when idle; otherwise kTimeReached with the clock at
  // now + time_limit, or kEventLimit.
  RunOutcome run_until_idle(DurationNs time_limit = seconds(600));
  bool idle() const;

 private:
  void on_packet(TimeNs now, LinkId link, Direction direction, const Packet& packet) override;
  void on_server_packet(TimeNs now, LinkId link, const Packet& packet);
  struct Node {
    Rng rng;
    std::unique_ptr<Engine> engine;  // null while down
    EventId timer;
    TimeNs timer_at = 0;
    std::uint64_t life = 0;  // counts restarts: a webhook answer for an earlier life is dropped
  };
  void start_node(NodeId node);
  void pump_engine(NodeId node = 0);
  void check_engine(NodeId node) const;
  void arm_engine_timer(NodeId node);
  void post_webhook(NodeId node, WebhookPost post);
  NodeId node_for_new_connection(const std::string& client);
  EndpointId endpoint_for_new_client(const std::string& name);
  void adopt(std::unique_ptr<ClientEndpoint> client);
  ClientEndpoint* client_of_link(LinkId link);

  WorldConfig config_;
  Rng root_;
  Scheduler scheduler_;
  Trace trace_;
  EndpointId server_;
  EndpointId auth_endpoint_;
  EndpointId webhook_endpoint_;
  EndpointId app_endpoint_;
  std::unique_ptr<Network> network_;
  std::vector<std::unique_ptr<Node>> nodes_;  // one without a cluster
  std::unique_ptr<ClusterBus> bus_;
  std::vector<NodeId> link_node_;              // by LinkId - 1
  std::map<std::string, NodeId> client_node_;  // set, or given at first connection
  NodeId next_round_robin_ = 0;
  AuthServer auth_;
  WebhookReceiver webhooks_;
  RestCaller rest_caller_;
  std::vector<std::unique_ptr<ClientEndpoint>> owned_clients_;  // in order of creation
  std::map<std::string, ClientEndpoint*> clients_;              // by name; the first wins
  std::vector<ClientEndpoint*> link_owner_;                     // by LinkId - 1
  std::vector<RestExchange> rest_log_;
  std::uint64_t rest_handled_ = 0;
  std::vector<EngineOutput> outputs_;  // reused between pumps
  std::size_t pending_verbs_ = 0;
};

}  // namespace pushsim::fakes
