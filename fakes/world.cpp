#include "fakes/world.hpp"

#include <cassert>
#include <set>

#include "fakes/raw_client.hpp"

namespace pushsim::fakes {

AppConfig default_app() {
  AppConfig app;
  app.id = "1";
  app.key = "app-key";
  app.secret = "app-secret";
  app.webhooks.push_back(WebhookConfig{kWebhookUrl, {}});
  return app;
}

std::unique_ptr<World> WorldBuilder::build() const { return std::make_unique<World>(config_); }

namespace {

WorldConfig with_defaults(WorldConfig config) {
  if (config.apps.empty()) config.apps.push_back(default_app());
  return config;
}

// "http://host:port/path?q" -> "/path?q": the receiver sees the request target only.
std::string target_of(const std::string& url) {
  const auto scheme = url.find("://");
  const auto slash = url.find('/', scheme == std::string::npos ? 0 : scheme + 3);
  return slash == std::string::npos ? "/" : url.substr(slash);
}

}  // namespace

World::World(WorldConfig config)
    : config_(with_defaults(std::move(config))),
      root_(config_.seed),
      scheduler_(kSimulationEpoch),
      trace_(RunId{config_.scenario, config_.seed, config_.faults.name}, config_.max_trace_records),
      server_(trace_.endpoint("server")),
      auth_endpoint_(trace_.endpoint("auth")),
      webhook_endpoint_(trace_.endpoint("webhooks")),
      app_endpoint_(trace_.endpoint("app")),
      auth_(config_.app().credentials(), config_.encryption_master_key_base64),
      webhooks_(config_.app().credentials()),
      rest_caller_(config_.app().credentials()) {
  trace_.set_enabled(config_.trace);
  network_ = std::make_unique<Network>(config_.network, scheduler_, trace_, root_.derive("network"),
                                       static_cast<NetworkSink&>(*this), server_);
  const std::size_t count = config_.cluster ? std::max<std::size_t>(config_.cluster->nodes, 1) : 1;
  if (config_.cluster) {
    bus_ = std::make_unique<ClusterBus>(count, config_.cluster->bus, scheduler_, trace_, root_.derive("bus"),
                                        [this](NodeId to, const PeerMessage& message) {
                                          Engine* engine = node_engine(to);
                                          if (engine == nullptr) return;
                                          engine->on_peer_message(now(), message);
                                          pump_engine(to);
                                        });
  }
  for (std::size_t i = 0; i < count; ++i) {
    // Node 0 draws from the stream a lone engine always had, so runs without a cluster keep
    // their traces.
    nodes_.push_back(std::make_unique<Node>(
        Node{root_.derive(i == 0 ? "engine" : "engine/" + std::to_string(i)), nullptr, {}, 0, 0}));
    start_node(static_cast<NodeId>(i));
  }
}

void World::start_node(NodeId node) {
  Node& n = *nodes_[node];
  n.engine = std::make_unique<Engine>(config_.engine, config_.apps, n.rng);
  if (!bus_) return;
  bus_->set_up(node, true);
  n.engine->attach_cluster(now(), bus_->link(node));
  pump_engine(node);
}

Engine& World::engine() {
  for (auto& node : nodes_) {
    if (node->engine) return *node->engine;
  }
  assert(false && "every node of the cluster is down");
  return *nodes_.front()->engine;
}

Engine* World::node_engine(NodeId node) { return node < nodes_.size() ? nodes_[node]->engine.get() : nullptr; }

std::size_t World::webhooks_outstanding() const {
  std::size_t count = 0;
  for (const auto& node : nodes_) count += node->engine ? node->engine->webhooks_outstanding() : 0;
  return count;
}

void World::set_client_node(const std::string& client, NodeId node) { client_node_[client] = node; }

std::optional<NodeId> World::node_of_link(LinkId link) const {
  if (link < 1 || link > link_node_.size()) return std::nullopt;
  return link_node_[link - 1];
}

// The client's node, or the next live one after it (a load balancer skipping a dead node).
NodeId World::node_for_new_connection(const std::string& client) {
  if (nodes_.size() == 1) return 0;
  auto [it, added] = client_node_.try_emplace(client, next_round_robin_);
  if (added) next_round_robin_ = static_cast<NodeId>((next_round_robin_ + 1) % nodes_.size());
  for (std::size_t step = 0; step < nodes_.size(); ++step) {
    const auto node = static_cast<NodeId>((it->second + step) % nodes_.size());
    if (nodes_[node]->engine) return node;
  }
  return it->second;  // every node is down: the connection is cut when it arrives
}

bool World::crash_node(NodeId node) {
  if (!bus_ || node >= nodes_.size() || !nodes_[node]->engine) return false;
  trace_.record(now(), TraceKind::kFault, bus_->endpoint(node), bus_->endpoint(node), 0, std::string("crash"));
  for (LinkId link = 1; link <= link_node_.size(); ++link) {
    if (link_node_[link - 1] == node) network_->cut(link);
  }
  Node& n = *nodes_[node];
  scheduler_.cancel(n.timer);
  n.timer = {};
  n.engine.reset();
  bus_->set_up(node, false);
  return true;
}

void World::shutdown_server() {
  trace_.record(now(), TraceKind::kFault, server_, server_, 0, std::string("shutdown"));
  const bool drop = config_.engine.defects.has(Defect::kShutdownWithoutClose);
  for (NodeId node = 0; node < nodes_.size(); ++node) {
    Engine* engine = node_engine(node);
    if (engine == nullptr) continue;
    if (drop) {
      for (LinkId link = 1; link <= link_node_.size(); ++link) {
        if (link_node_[link - 1] == node) network_->cut(link);
      }
    }
    engine->shutdown(now());
    pump_engine(node);
  }
}

bool World::restart_node(NodeId node) {
  if (!bus_ || node >= nodes_.size() || nodes_[node]->engine) return false;
  trace_.record(now(), TraceKind::kFault, bus_->endpoint(node), bus_->endpoint(node), 0, std::string("restart"));
  Node& n = *nodes_[node];
  ++n.life;
  n.rng = root_.derive("engine/" + std::to_string(node) + "/life/" + std::to_string(n.life));
  start_node(node);
  return true;
}

bool World::partition_nodes(NodeId a, NodeId b) {
  if (!bus_ || a >= nodes_.size() || b >= nodes_.size()) return false;
  trace_.record(now(), TraceKind::kFault, bus_->endpoint(a), bus_->endpoint(b), 0, std::string("partition"));
  bus_->partition(a, b);
  return true;
}

bool World::heal_nodes(NodeId a, NodeId b) {
  if (!bus_ || a >= nodes_.size() || b >= nodes_.size()) return false;
  trace_.record(now(), TraceKind::kFault, bus_->endpoint(a), bus_->endpoint(b), 0, std::string("heal"));
  bus_->heal(a, b);
  return true;
}

bool World::heal_all_nodes() {
  if (!bus_) return false;
  trace_.record(now(), TraceKind::kFault, bus_->endpoint(0), bus_->endpoint(0), 0, std::string("heal all"));
  bus_->heal_all();
  return true;
}

World::~World() = default;

// --- clients -----------------------------------------------------------------------------

EndpointId World::endpoint_for_new_client(const std::string& name) {
  // A client named like a service would make the trace ambiguous; that is a test's bug.
  assert(!has_client(name) && name != "server" && name != "auth" && name != "webhooks" && name != "app" && name != "-");
  return trace_.endpoint(name);
}

void World::adopt(std::unique_ptr<ClientEndpoint> client) {
  // Ownership does not depend on the name being unique, so a duplicate (a test's bug,
  // asserted above) can never leave the caller holding a destroyed client.
  clients_.emplace(client->name(), client.get());
  owned_clients_.push_back(std::move(client));
}

RawClient& World::add_raw_client(const std::string& name) { return add_client<RawClient>(name); }

ClientEndpoint* World::find_client(const std::string& name) {
  auto it = clients_.find(name);
  return it == clients_.end() ? nullptr : it->second;
}

std::vector<std::string> World::client_names() const {
  std::vector<std::string> names;
  for (const auto& [name, client] : clients_) names.push_back(name);
  return names;
}

ClientEndpoint* World::client_of_link(LinkId link) {
  return link >= 1 && link <= link_owner_.size() ? link_owner_[link - 1] : nullptr;
}

LinkId World::open_connection(ClientEndpoint& client, std::string target) {
  const NodeId node = node_for_new_connection(client.name());
  const LinkId link = network_->connect(client.endpoint(), std::move(target));
  if (link_owner_.size() < link) link_owner_.resize(link, nullptr);
  link_owner_[link - 1] = &client;
  if (link_node_.size() < link) link_node_.resize(link, 0);
  link_node_[link - 1] = node;
  if (bus_) {
    trace_.record(now(), TraceKind::kNote, client.endpoint(), bus_->endpoint(node), link,
                  "connects to node" + std::to_string(node));
  }
  return link;
}

void World::send_to_server(LinkId link, std::shared_ptr<const std::string> text) {
  network_->send_text(link, Direction::kToServer, std::move(text));
}

void World::send_binary_to_server(LinkId link, std::shared_ptr<const std::string> bytes) {
  network_->send_binary(link, Direction::kToServer, std::move(bytes));
}

void World::ping_server(LinkId link, std::string payload) {
  network_->send_control(link, Direction::kToServer, std::move(payload));
}

void World::close_to_server(LinkId link, int code, std::string reason) {
  network_->send_close(link, Direction::kToServer, code, std::move(reason));
}

void World::call_auth(ClientEndpoint& client, HttpRequest request, HttpCallback done) {
  network_->http(
      client.endpoint(), auth_endpoint_, std::move(request),
      [this](TimeNs now, const HttpRequest& r) { return auth_.handle(now, r); }, std::move(done), config_.auth_timeout);
}

EventId World::set_client_timer(ClientEndpoint& /*client*/, TimeNs at, std::function<void(TimeNs)> fire,
                                bool activity) {
  if (activity) ++pending_verbs_;
  return scheduler_.schedule_at(std::max(at, now()), [this, activity, fire = std::move(fire)] {
    if (activity) --pending_verbs_;
    fire(now());
  });
}

void World::trace_timer(const ClientEndpoint& client, std::string what) {
  trace_.record(now(), TraceKind::kTimer, client.endpoint(), client.endpoint(), 0, std::move(what));
}

void World::cancel_client_timer(EventId id, bool activity) {
  // Only a timer that had not fired yet still counts as pending activity.
  if (scheduler_.cancel(id) && activity) --pending_verbs_;
}

// --- packets -------------------------------------------------------------------------------

void World::on_packet(TimeNs now, LinkId link, Direction direction, const Packet& packet) {
  if (direction == Direction::kToServer) return on_server_packet(now, link, packet);
  ClientEndpoint* client = client_of_link(link);
  assert(client != nullptr);
  switch (packet.kind) {
    case Packet::Kind::kAccept: return client->on_accept(now, link);
    case Packet::Kind::kText: return client->on_text(now, link, packet.text);
    case Packet::Kind::kClose: return client->on_close(now, link, packet.code, *packet.text);
    case Packet::Kind::kPong: return client->on_pong(now, link, *packet.text);
    case Packet::Kind::kOpen:
    case Packet::Kind::kPing:
    case Packet::Kind::kBinary: break;  // never travels to a client
  }
}

void World::on_server_packet(TimeNs now, LinkId link, const Packet& packet) {
  const NodeId node = node_of_link(link).value_or(0);
  Engine* engine = node_engine(node);
  if (engine == nullptr) {  // its node is down: nobody listens there
    network_->cut(link);
    return;
  }
  switch (packet.kind) {
    case Packet::Kind::kOpen:
      // The WebSocket handshake completes first; the engine may then refuse with a close.
      network_->send_accept(link);
      engine->on_open(now, link, *packet.text);
      break;
    case Packet::Kind::kText: engine->on_text(now, link, *packet.text); break;
    case Packet::Kind::kBinary: engine->on_binary(now, link, std::string_view(*packet.text)); break;
    case Packet::Kind::kClose: engine->on_closed(now, link); break;
    case Packet::Kind::kPing:
      // The server's WebSocket layer answers a ping with a pong of the same payload (RFC 6455
      // §5.5.2), as Beast does under `pushsim serve`; the engine never hears of it.
      if (!config_.engine.defects.has(Defect::kNoWebSocketPong))
        network_->send_control(link, Direction::kToClient, *packet.text);
      return;
    case Packet::Kind::kAccept:
    case Packet::Kind::kPong: return;
  }
  pump_engine(node);
}

void World::pump_engine(NodeId node) {
  Engine* engine = node_engine(node);
  if (engine == nullptr) return;
  check_engine(node);
  outputs_ = engine->take_outputs();
  for (EngineOutput& output : outputs_) {
    if (std::holds_alternative<SendFrame>(output) || std::holds_alternative<BroadcastFrame>(output)) {
      for_each_frame(output, [&](ConnectionId connection, const std::shared_ptr<const std::string>& text) {
        if (client_of_link(connection) == nullptr) return;  // not a connection we made
        network_->send_text(connection, Direction::kToClient, text);
      });
    } else if (auto* close = std::get_if<CloseConnection>(&output)) {
      // The engine has forgotten the connection already; only the client is left to tell.
      if (client_of_link(close->connection) == nullptr) continue;
      network_->send_close(close->connection, Direction::kToClient, close->code, std::move(close->reason));
    } else if (auto* post = std::get_if<WebhookPost>(&output)) {
      post_webhook(node, std::move(*post));
    }
  }
  outputs_.clear();
  arm_engine_timer(node);
}

// Every engine input is followed by pump_engine(), so this runs after each one: the engine's
// whole-state check, when the engine checks are on (protocol/server/engine_checks.hpp).
void World::check_engine(NodeId node) const {
  if (!engine_checks_enabled()) return;
  const auto violations = nodes_[node]->engine->invariant_violations();
  if (violations.empty()) return;
  engine_invariants_failed(violations, "scenario " + config_.scenario + ", seed " + std::to_string(config_.seed) +
                                           ", at " + std::to_string(now() - kSimulationEpoch) + " ns of virtual time");
}

// Every frame from a client moves the engine's deadline later. Rather than cancel and refile
// the wake-up each time, an armed wake-up that is earlier than the deadline stays: when it
// fires early it only re-arms. Only a deadline that moved earlier refiles it.
void World::arm_engine_timer(NodeId node) {
  Node& n = *nodes_[node];
  const std::optional<TimeNs> deadline = n.engine->next_deadline();
  if (deadline && scheduler_.is_pending(n.timer) && n.timer_at <= *deadline) return;
  scheduler_.cancel(n.timer);
  n.timer = {};
  if (!deadline) return;
  n.timer_at = std::max(*deadline, now());
  n.timer = scheduler_.schedule_at(n.timer_at, [this, node] {
    Node& fired = *nodes_[node];
    fired.timer = {};
    const std::optional<TimeNs> due = fired.engine->next_deadline();
    if (!due || *due > now()) return arm_engine_timer(node);
    const EndpointId at = bus_ ? bus_->endpoint(node) : server_;
    trace_.record(now(), TraceKind::kTimer, at, at, 0, std::string("tick"));
    fired.engine->on_tick(now());
    pump_engine(node);
  });
}

void World::post_webhook(NodeId node, WebhookPost post) {
  HttpRequest request{"POST", target_of(post.url), std::move(post.headers), std::move(post.body)};
  const std::uint64_t delivery = post.delivery_id;
  // The HTTP client gives up when the engine's dispatcher does: a late answer must not be
  // taken for the answer to a retry. The dispatcher times out by itself, so a timeout is
  // not reported to it.
  network_->http(
      server_, webhook_endpoint_, std::move(request),
      [this](TimeNs now, const HttpRequest& r) {
        HttpReply reply = webhooks_.handle(now, r);
        const WebhookBatch& batch = webhooks_.batches().back();
        trace_.record(now, TraceKind::kWebhook, server_, webhook_endpoint_, 0,
                      std::to_string(batch.status) + (batch.valid ? " valid" : " invalid: " + batch.error));
        return reply;
      },
      [this, node, life = nodes_[node]->life, delivery](TimeNs now, std::optional<HttpResponse> response) {
        Engine* engine = node_engine(node);
        if (!response || engine == nullptr || nodes_[node]->life != life) return;
        engine->on_webhook_response(now, delivery, response->status);
        pump_engine(node);
      },
      config_.engine.webhooks.response_timeout);
}

// --- REST ----------------------------------------------------------------------------------

void World::rest(HttpRequest request, HttpCallback done, std::optional<NodeId> node) {
  const std::size_t index = rest_log_.size();
  rest_log_.push_back(RestExchange{now(), 0, 0, request, std::nullopt});
  network_->http(
      app_endpoint_, server_, std::move(request),
      [this, index, node](TimeNs now, const HttpRequest& r) {
        NodeId chosen = node.value_or(0);
        if (!node) {
          while (chosen + 1 < nodes_.size() && !nodes_[chosen]->engine) ++chosen;
        }
        Engine* engine = node_engine(chosen);
        if (engine == nullptr)
          return HttpReply{HttpResponse{503, {}, "node " + std::to_string(chosen) + " is down"}, 0};
        rest_log_[index].handled = ++rest_handled_;
        if (bus_) rest_log_[index].node = chosen;
        HttpReply reply{engine->on_http(now, r), 0};
        pump_engine(chosen);
        return reply;
      },
      [this, index, done = std::move(done)](TimeNs now, std::optional<HttpResponse> response) {
        rest_log_[index].answered_at = now;
        rest_log_[index].response = response;
        if (done) done(now, std::move(response));
      },
      config_.rest_timeout);
}

void World::trigger(const std::vector<std::string>& channels, std::string_view event, const Json& data,
                    const TriggerParams& params) {
  rest(rest_caller_.trigger(now(), channels, event, data, params));
}

// --- faults --------------------------------------------------------------------------------

bool World::partition(const std::string& name) {
  ClientEndpoint* c = find_client(name);
  if (c != nullptr) network_->partition(c->endpoint());
  return c != nullptr;
}

bool World::heal(const std::string& name) {
  ClientEndpoint* c = find_client(name);
  if (c != nullptr) network_->heal(c->endpoint());
  return c != nullptr;
}

bool World::drop(const std::string& name) {
  ClientEndpoint* c = find_client(name);
  if (c == nullptr) return false;
  trace_.record(now(), TraceKind::kFault, c->endpoint(), server_, 0, std::string("drop"));
  for (LinkId link : network_->links_of(c->endpoint())) network_->cut(link);
  c->crash(now());
  return true;
}

bool World::close(const std::string& name, int code) {
  ClientEndpoint* c = find_client(name);
  if (c == nullptr) return false;
  trace_.record(now(), TraceKind::kFault, c->endpoint(), server_, 0, "close " + std::to_string(code));
  c->close(now(), code);
  return true;
}

bool World::close_from_server(const std::string& name, int code, std::string reason) {
  ClientEndpoint* c = find_client(name);
  if (c == nullptr) return false;
  trace_.record(now(), TraceKind::kFault, server_, c->endpoint(), 0, "server close " + std::to_string(code));
  std::set<NodeId> touched{node_of_link(0).value_or(0)};  // node 0 is pumped in any case
  for (LinkId link : network_->links_of(c->endpoint())) {
    if (!network_->side_open(link, Direction::kToServer)) continue;
    const NodeId node = node_of_link(link).value_or(0);
    Engine* engine = node_engine(node);
    if (engine == nullptr) continue;
    network_->send_close(link, Direction::kToClient, code, reason);
    engine->on_closed(now(), link);
    touched.insert(node);
  }
  for (NodeId node : touched) pump_engine(node);
  return true;
}

bool World::extra_latency(const std::string& name, std::optional<Latency> extra) {
  ClientEndpoint* c = find_client(name);
  if (c != nullptr) network_->set_extra_latency(c->endpoint(), extra);
  return c != nullptr;
}
void World::extra_latency_all(std::optional<Latency> extra) { network_->set_extra_latency_all(extra); }

void World::fail_webhooks(std::size_t count, int status) {
  trace_.record(now(), TraceKind::kFault, webhook_endpoint_, webhook_endpoint_, 0,
                "fail next " + std::to_string(count) + " with " + std::to_string(status));
  webhooks_.faults().fail_next(count, status);
}
void World::slow_webhooks(DurationNs delay) {
  trace_.record(now(), TraceKind::kFault, webhook_endpoint_, webhook_endpoint_, 0, "slow " + std::to_string(delay));
  webhooks_.faults().slow(delay);
}
void World::silence_webhooks(std::size_t count) {
  trace_.record(now(), TraceKind::kFault, webhook_endpoint_, webhook_endpoint_, 0,
                "silence next " + std::to_string(count));
  webhooks_.faults().silence_next(count);
}
void World::fail_auth(std::size_t count, int status) {
  trace_.record(now(), TraceKind::kFault, auth_endpoint_, auth_endpoint_, 0,
                "fail next " + std::to_string(count) + " with " + std::to_string(status));
  auth_.faults().fail_next(count, status);
}
void World::slow_auth(DurationNs delay) {
  trace_.record(now(), TraceKind::kFault, auth_endpoint_, auth_endpoint_, 0, "slow " + std::to_string(delay));
  auth_.faults().slow(delay);
}
void World::silence_auth(std::size_t count) {
  trace_.record(now(), TraceKind::kFault, auth_endpoint_, auth_endpoint_, 0, "silence next " + std::to_string(count));
  auth_.faults().silence_next(count);
}

std::vector<PlannedFault> World::plan_faults(TimeNs start) {
  std::vector<PlannedFault> plan = fakes::plan_faults(config_.faults, client_names(), root_, start);
  apply(plan);
  return plan;
}

void World::apply(const std::vector<PlannedFault>& plan) {
  for (const PlannedFault& fault : plan) {
    at(fault.at, [fault](World& world) { world.apply(fault); });
  }
}

void World::apply(const PlannedFault& fault) {
  using Kind = PlannedFault::Kind;
  switch (fault.kind) {
    case Kind::kPartition: partition(fault.client); return;
    case Kind::kHeal: heal(fault.client); return;
    case Kind::kExtraLatency: extra_latency(fault.client, fault.latency); return;
    case Kind::kExtraLatencyOff: extra_latency(fault.client, std::nullopt); return;
    case Kind::kDrop: drop(fault.client); return;
    case Kind::kClose: close(fault.client, fault.code); return;
    case Kind::kFailWebhooks: fail_webhooks(fault.count, fault.code); return;
    case Kind::kFailAuth: fail_auth(fault.count, fault.code); return;
  }
}

void World::at(TimeNs when, std::function<void(World&)> verb) {
  ++pending_verbs_;
  scheduler_.schedule_at(std::max(when, now()), [this, verb = std::move(verb)] {
    --pending_verbs_;
    verb(*this);
  });
}

// --- running -------------------------------------------------------------------------------

RunOutcome World::run_until(TimeNs until) { return scheduler_.run_until(until, config_.max_events); }

bool World::idle() const {
  return network_->packets_in_flight() == 0 && network_->http_in_flight() == 0 && pending_verbs_ == 0 &&
         (!bus_ || bus_->in_flight() == 0);
}

RunOutcome World::run_until_idle(DurationNs time_limit) {
  const TimeNs deadline = now() + time_limit;
  RunOutcome outcome;
  while (!idle()) {
    const std::optional<TimeNs> next = scheduler_.next_time();
    if (!next || *next > deadline) {
      // Not idle, and nothing due before the limit (a partition nobody heals, say): the
      // time passes, which is what would happen for real.
      scheduler_.run_until(deadline, 0);
      outcome.stop = RunStop::kTimeReached;
      return outcome;
    }
    if (outcome.events == config_.max_events) {
      outcome.stop = RunStop::kEventLimit;
      return outcome;
    }
    scheduler_.step();
    ++outcome.events;
  }
  outcome.stop = RunStop::kIdle;
  return outcome;
}

}  // namespace pushsim::fakes
