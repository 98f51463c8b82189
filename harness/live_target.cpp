#include "harness/live_target.hpp"

#include <atomic>
#include <thread>

#include "harness/isolated_target.hpp"
#include "harness/live_invariants.hpp"
#include "harness/scenario_vocabulary.hpp"
#include "harness/target_requests.hpp"
#include "net/io_loop.hpp"
#include "net/live_connection.hpp"
#include "net/real_clock.hpp"
#include "net/relay_link.hpp"
#include "net/rest_client.hpp"
#include "net/serve_server.hpp"
#include "net/server_process.hpp"
#include "net/url.hpp"
#include "net/webhook_listener.hpp"
#include "protocol/random.hpp"
#include "protocol/server/cluster_link.hpp"

namespace pushsim::harness {
namespace {

// The sim target's apps (fakes::default_app and its named apps), for a served target.
AppConfig served_app(const AppCredentials& app, const std::string& webhook_url) {
  AppConfig config;
  config.id = app.app_id;
  config.key = app.key;
  config.secret = app.secret;
  config.webhooks.push_back(WebhookConfig{webhook_url, {}});
  return config;
}

AppCredentials named_app(const std::string& name) { return {"app-" + name, name + "-key", name + "-secret"}; }

constexpr std::chrono::milliseconds kServeClusterReadyMax{5'000};

// A key prefix no other scenario of this run, nor (the clock's reading) of another run, uses.
std::string fresh_cluster_prefix() {
  static std::atomic<std::uint64_t> scenarios{0};
  return "pushsim-live-" + std::to_string(monotonic_now()) + "-" + std::to_string(++scenarios);
}

std::string http_of(const std::string& ws_url) {
  if (ws_url.starts_with("wss://")) return "https://" + ws_url.substr(6);
  if (ws_url.starts_with("ws://")) return "http://" + ws_url.substr(5);
  return ws_url;
}

}  // namespace

LiveTarget::LiveTarget(LiveTargetOptions options)
    : options_(std::move(options)),
      started_(std::chrono::steady_clock::now()),
      started_real_(real_now()),
      started_monotonic_(monotonic_now()),
      loop_(std::make_unique<IoLoop>()) {
  advance_left_ = std::chrono::duration_cast<std::chrono::nanoseconds>(options_.advance_budget).count();
  start();
}

void LiveTarget::start() {
  WebhookListenerOptions hooks;
  hooks.host = options_.webhook_host;
  hooks.port = options_.webhook_port;
  hooks.hold_max = options_.webhook_hold_max;
  hooks.apps.push_back(options_.app);
  for (const auto& name : options_.app_names) hooks.apps.push_back(named_app(name));
  listener_ = std::make_unique<WebhookListener>(*loop_, hooks);
  if (auto error = listener_->start()) {
    start_error_ = error->message;  // it names the listener
    return;
  }
  if (options_.serve) {
    ServeOptions serve;
    serve.host = "127.0.0.1";
    serve.port = 0;
    serve.seed = options_.seed;
    serve.io_threads = 1;
    serve.engine.defects = options_.serve_defects;
    serve.shutdown_grace = std::chrono::milliseconds(300);
    AppConfig main_app = served_app(options_.app, listener_->url());
    main_app.subscription_count = options_.enable.count("subscription_count") != 0;
    main_app.batch_webhooks = options_.enable.count("batch_webhooks") != 0;
    for (const auto& endpoint : options_.webhook_endpoints) {
      main_app.webhooks.push_back(WebhookConfig{listener_->url() + "/" + endpoint.name, endpoint.event_types});
    }
    serve.apps.push_back(main_app);
    for (const auto& name : options_.app_names) {
      AppConfig app = served_app(named_app(name), listener_->url());
      apply_app_settings(app, name, options_.app_settings);
      serve.apps.push_back(app);
    }
    options_.node_urls.clear();
    const int nodes = options_.serve_cluster.empty() ? 1 : std::max(1, options_.serve_nodes);
    const std::string prefix = fresh_cluster_prefix();
    for (int node = 0; node < nodes; ++node) {
      ServeOptions mine = serve;
      // A seed of its own per node: nodes seeded alike would hand out the same socket_ids, and a
      // socket_id must name one connection cluster-wide (exclusion crosses nodes).
      mine.seed = options_.seed + static_cast<std::uint64_t>(node) * 0x9E3779B97F4A7C15ULL;
      if (!options_.serve_cluster.empty()) {
        ServeOptions::Cluster cluster;
        cluster.redis_url = options_.serve_cluster;
        cluster.node_id = static_cast<std::uint32_t>(node);
        cluster.prefix = prefix;
        mine.cluster = std::move(cluster);
      }
      auto& server = servers_.emplace_back(std::make_unique<ServeServer>());
      if (auto error = server->start(mine)) {
        // ServeServer's errors start with "serve: "; a node's get its number.
        std::string message = error->message;
        if (!message.starts_with("serve: ")) message = "serve: " + message;
        if (nodes > 1) message = "serve node " + std::to_string(node) + message.substr(5);
        start_error_ = std::move(message);
        return;
      }
      options_.node_urls.push_back(server->ws_url());
    }
    // A node hears the others only once its bus is subscribed: the scenario starts after that.
    if (!options_.serve_cluster.empty()) {
      const auto give_up = std::chrono::steady_clock::now() + kServeClusterReadyMax;
      for (int node = 0; node < nodes; ++node) {
        while (!servers_[static_cast<std::size_t>(node)]->cluster_bus_subscribed()) {
          if (std::chrono::steady_clock::now() > give_up) {
            start_error_ = "serve node " + std::to_string(node) + ": its cluster bus was not subscribed within " +
                           std::to_string(kServeClusterReadyMax.count()) + " ms";
            return;
          }
          std::this_thread::sleep_for(std::chrono::milliseconds(2));
        }
      }
    }
    options_.http_url = servers_.front()->http_url();
    if (nodes == 1) options_.node_urls.clear();
    options_.ws_url = servers_.front()->ws_url();
  }
  if (options_.node_urls.empty()) options_.node_urls.push_back(options_.ws_url);
  options_.ws_url = options_.node_urls.front();
  RestClientOptions rest;
  rest.base_url = options_.http_url.empty() ? http_of(options_.ws_url) : options_.http_url;
  rest.app = options_.app;
  rest.tls_verify = options_.tls_verify;
  rest_ = std::make_unique<RestClient>(*loop_, rest);
  // REST naming node K goes to node K's own address (one node: the same as the others).
  for (const auto& url : options_.node_urls) {
    if (options_.node_urls.size() > 1) rest.base_url = http_of(url);
    node_rest_.push_back(std::make_unique<RestClient>(*loop_, rest));
  }
}

LiveTarget::~LiveTarget() {
  // Close everything this scenario opened, connections first so that the server has nothing
  // left to wait for when it stops.
  for (auto& [name, state] : clients_) {
    if (state.connection) state.connection->drop();
  }
  for (auto& connection : retired_) connection->drop();
  for (auto& [name, state] : clients_) {
    if (state.link) state.link->reset();
  }
  for (auto& link : retired_links_) link->reset();
  loop_->poll();
  if (listener_) listener_->stop();
  for (auto& server : servers_) server->stop();
  clients_.clear();
  retired_.clear();
  retired_links_.clear();
  rest_.reset();
  node_rest_.clear();
  listener_.reset();
  loop_->poll();
}

std::set<std::string> LiveTarget::features() const {
  if (options_.features) return *options_.features;
  std::set<std::string> out;
  for (auto feature : kKnownFeatures) out.emplace(feature);
  return out;
}

TimeNs LiveTarget::now() const {
  const auto elapsed = std::chrono::steady_clock::now() - started_;
  return std::chrono::duration_cast<std::chrono::nanoseconds>(elapsed).count() + skipped_;
}

TimeNs LiveTarget::unix_now() const { return real_now(); }

TimeNs LiveTarget::from_real(TimeNs real) const { return real - started_real_ + skipped_; }

bool LiveTarget::past_run_deadline() const {
  return options_.run_deadline && std::chrono::steady_clock::now() >= *options_.run_deadline;
}

void LiveTarget::note(std::string kind, std::string from, std::string to, std::string text) {
  trace_.push_back(TraceLine{now(), std::move(kind), std::move(from), std::move(to), std::move(text)});
  if (wire_ != nullptr) log_wire(monotonic_now(), trace_.back());
}

void LiveTarget::set_wire_log(WireSink* sink) {
  wire_ = sink;
  if (sink == nullptr) return;
  sink->mask(options_.app.secret);
  for (const auto& name : options_.app_names) sink->mask(named_app(name).secret);
}

void LiveTarget::log_wire(TimeNs at, const TraceLine& line) {
  const bool from_client = clients_.count(line.from) != 0;
  const bool to_client = clients_.count(line.to) != 0;
  auto emit = [&](std::string_view kind, const std::string& party, WireDirection direction) {
    wire_->record(WireEvent{at, kind, party, direction, std::nullopt, line.text});
  };
  if (line.kind == "http_request" && line.from == "app") return emit("rest", "rest", WireDirection::kOut);
  if (line.kind == "http_response" && line.to == "app") return emit("rest", "rest", WireDirection::kIn);
  if (line.kind == "error" && line.to == "app") return emit("error", "rest", WireDirection::kIn);
  if (line.kind == "send" && from_client) return emit("frame", line.from, WireDirection::kOut);
  if (line.kind == "deliver" && to_client) return emit("frame", line.to, WireDirection::kIn);
  if (from_client) return emit(line.kind, line.from, WireDirection::kOut);  // connect, close, fault
  if (to_client) return emit(line.kind, line.to, WireDirection::kIn);       // close, error
}

void LiveTarget::add_problem(std::string line) {
  constexpr std::size_t kKeptMax = 100;
  if (problems_.size() < kKeptMax) {
    problems_.push_back(std::move(line));
  } else {
    ++problems_unkept_;
  }
}

std::vector<std::string> LiveTarget::problems() const {
  std::vector<std::string> out = problems_;
  if (problems_unkept_ > 0) out.push_back("... " + std::to_string(problems_unkept_) + " more problems not kept");
  const std::size_t rejected = hooks_rejected_ + (listener_ ? listener_->unrecorded_unverified() : 0);
  if (rejected > 1) {
    out.push_back("webhooks: " + std::to_string(rejected) + " deliveries rejected in all (they did not verify)");
  }
  return out;
}

LiveTarget::ClientState* LiveTarget::find(const std::string& client) {
  auto it = clients_.find(client);
  return it == clients_.end() ? nullptr : &it->second;
}

ActionError LiveTarget::usable(const std::string& client, ClientState*& state) {
  if (start_error_) return "the live target did not start: " + *start_error_;
  if (past_run_deadline()) return std::string("the run's overall deadline has passed");
  state = find(client);
  if (state == nullptr) return "no client '" + client + "'";
  return std::nullopt;
}

AppCredentials LiveTarget::app_of(const ClientState& client) const { return app_named(client.spec.app); }

AppCredentials LiveTarget::app_named(const std::string& name) const {
  return name == "default" ? options_.app : named_app(name);
}

ActionError LiveTarget::declare_client(const ClientSpec& client) {
  if (clients_.count(client.name) != 0) return "client '" + client.name + "' declared twice";
  if (client.app != "default" && options_.app_names.count(client.app) == 0) {
    return "client '" + client.name + "' names app '" + client.app + "', which this target was not given";
  }
  ClientState state;
  state.spec = client;
  clients_.emplace(client.name, std::move(state));
  return std::nullopt;
}

ActionError LiveTarget::connect(const std::string& client, const ConnectOptions& options) {
  ClientState* state = nullptr;
  if (auto error = usable(client, state)) return error;
  refresh();  // frames of the previous connection keep their place before the new ones
  state->last_socket_id.reset();
  if (state->connection) {
    state->connection->drop();
    retired_.push_back(std::move(state->connection));
  }
  const int node = node_for(*state, options);
  LiveConnectionOptions live;
  live.url = options_.node_urls[static_cast<std::size_t>(node)];
  if (options_.relay) {
    if (auto error = open_link(*state, live.url)) return error;
  }
  live.app_key = options.app_key.value_or(app_of(*state).key);
  live.protocol = options.protocol_version.value_or(7);
  live.target_override = options.path;
  live.tls_verify = options_.tls_verify;
  live.write_stall_max = options_.write_stall_max;
  live.frames_max = options_.frames_max;
  state->connection = std::make_unique<LiveConnection>(*loop_, live);
  state->frames_seen = 0;
  state->pongs_seen = 0;
  state->errors_seen = 0;
  state->close.reset();
  state->closed_by_us = false;
  state->ended_noted = false;
  note("connect", client, "server", options.path.value_or("/app/" + live.app_key) + node_text(node));
  // Blocks for the handshake only (bounded); a refusal is an observation, not an action error.
  state->connection->connect(deadline_after(options_.connect_max));
  refresh();
  return std::nullopt;
}

// The client's node: the one its connect names, else the one it had, else node 0 or (spread)
// the next in turn.
int LiveTarget::node_for(ClientState& client, const ConnectOptions& options) {
  if (options.node) {
    client.node = *options.node;
  } else if (!client.node) {
    client.node = options_.spread_clients ? next_node_++ % nodes() : 0;
  }
  return *client.node;
}

// How trace lines name a node: nothing on a target of one node.
std::string LiveTarget::node_text(int node) const {
  return nodes() > 1 ? " on node " + std::to_string(node) : std::string();
}

ActionError LiveTarget::disconnect(const std::string& client, std::optional<int> code, bool abrupt) {
  ClientState* state = nullptr;
  if (auto error = usable(client, state)) return error;
  refresh();
  state->closed_by_us = true;
  if (!state->connection) return std::nullopt;
  note(abrupt ? "fault" : "close", client, "server", abrupt ? "drop" : std::to_string(code.value_or(1000)));
  if (abrupt) {
    state->connection->drop();
  } else {
    state->connection->close(deadline_after(std::chrono::milliseconds(1'000)), code.value_or(1000));
  }
  return std::nullopt;
}

ActionError LiveTarget::send(ClientState& client, const std::string& text) {
  note("send", client.spec.name, "server", text);
  if (!client.connection) return std::nullopt;  // as the sim: nothing to send on
  client.connection->send_raw(text);
  return std::nullopt;
}

ActionError LiveTarget::send_text(const std::string& client, const std::string& text) {
  ClientState* state = nullptr;
  if (auto error = usable(client, state)) return error;
  return send(*state, text);
}

ActionError LiveTarget::send_ws_ping(const std::string& client, const std::string& payload) {
  ClientState* state = nullptr;
  if (auto error = usable(client, state)) return error;
  note("ping", client, "server", payload);
  if (!state->connection) return std::nullopt;  // as the sim: nothing to send on
  if (auto error = state->connection->send_ws_ping(payload)) add_problem(client + ": " + error->message);
  return std::nullopt;
}

const std::vector<ObservedPong>& LiveTarget::pongs(const std::string& client) {
  static const std::vector<ObservedPong> kNone;
  refresh();
  const ClientState* state = find(client);
  return state == nullptr ? kNone : state->pongs;
}

ActionError LiveTarget::shutdown_server() {
  note("fault", "server", "server", "shutdown_server");
  if (!servers_.empty()) {
    // Each in-process node closes its connections with 4200, then waits out its grace.
    for (auto& server : servers_) server->stop();
    return std::nullopt;
  }
  if (!options_.node_control) return std::string("shutdown_server needs --target serve or --server-cmd");
  for (int node = 0; node < nodes(); ++node) {
    if (auto error = options_.node_control->shut_down(node)) return error;
  }
  return std::nullopt;
}

ActionError LiveTarget::drop(const std::string& client) {
  ClientState* state = nullptr;
  if (auto error = usable(client, state)) return error;
  refresh();  // keeps its socket_id, as the sim's clients do
  note("fault", client, "server", "drop");
  state->ended_noted = true;  // the drop ends the connection in the trace
  // Through the relay both ends get a reset, as when the network between them dies; without
  // it only the client's own socket can be aborted.
  if (state->link) {
    state->link->reset();
  } else if (state->connection) {
    state->connection->drop();
  }
  return std::nullopt;
}

namespace {

constexpr std::string_view kNoRelay = " needs the fault relay, which this live target was started without";

}  // namespace

ActionError LiveTarget::partition(const std::string& client) {
  ClientState* state = nullptr;
  if (auto error = usable(client, state)) return error;
  if (!options_.relay) return "partition" + std::string(kNoRelay);
  note("fault", client, "server", "partition");
  state->partitioned = true;
  if (state->link) {
    state->link->hold(RelayDirection::kToServer);
    state->link->hold(RelayDirection::kToClient);
  }
  return std::nullopt;
}

ActionError LiveTarget::heal(const std::string& client) {
  ClientState* state = nullptr;
  if (auto error = usable(client, state)) return error;
  if (!options_.relay) return "heal" + std::string(kNoRelay);
  note("fault", client, "server", "heal");
  state->partitioned = false;
  if (state->link) {
    state->link->release(RelayDirection::kToServer);
    state->link->release(RelayDirection::kToClient);
  }
  return std::nullopt;
}

ActionError LiveTarget::latency(const std::optional<std::string>& client, DurationNs min, DurationNs max) {
  if (start_error_) return "the live target did not start: " + *start_error_;
  if (!options_.relay) return "latency" + std::string(kNoRelay);
  note("fault", client.value_or("*"), "server",
       "latency " + std::to_string(min / 1'000'000) + "-" + std::to_string(max / 1'000'000) + "ms");
  if (!client) {
    latency_ = {min, max};
    for (auto& [name, state] : clients_) apply_latency(state);
    return std::nullopt;
  }
  ClientState* state = find(*client);
  if (state == nullptr) return "no client '" + *client + "'";
  state->latency = std::make_pair(min, max);
  apply_latency(*state);
  return std::nullopt;
}

void LiveTarget::apply_latency(ClientState& client) {
  if (!client.link) return;
  const auto [min, max] = client.latency.value_or(latency_);
  client.link->set_latency(RelayDirection::kToServer, min, max);
  client.link->set_latency(RelayDirection::kToClient, min, max);
}

// A fresh link for the client's next connection, in the client's fault state; `url` (the
// server node's) becomes the link's address, with the server's path prefix.
std::optional<std::string> LiveTarget::open_link(ClientState& client, std::string& url) {
  auto parsed = parse_url(url);
  if (!parsed) return "the fault relay: " + parsed.error().message;
  if (parsed->tls()) return std::string("the fault relay carries ws:// only, not ") + url;
  if (client.link) retired_links_.push_back(std::move(client.link));
  RelayLinkOptions relay;
  relay.name = client.spec.name;
  relay.upstream_host = parsed->host == "localhost" ? "127.0.0.1" : parsed->host;
  relay.upstream_port = static_cast<std::uint16_t>(std::stoi(parsed->port));
  // Each link draws its own delays, from (scenario seed, client, how many links it had).
  relay.seed = Rng(options_.seed).derive(client.spec.name).derive(client.links_opened++).seed();
  relay.accept_max = options_.connect_max + std::chrono::milliseconds(1'000);
  relay.connect_max = options_.connect_max;
  relay.write_stall_max = options_.write_stall_max;
  client.link = std::make_unique<RelayLink>(*loop_, relay);
  client.errors_seen_link = 0;
  if (auto error = client.link->start()) return error->message;
  apply_latency(client);
  if (client.partitioned) {
    client.link->hold(RelayDirection::kToServer);
    client.link->hold(RelayDirection::kToClient);
  }
  url = "ws://127.0.0.1:" + std::to_string(client.link->port()) + (parsed->target == "/" ? "" : parsed->target);
  return std::nullopt;
}

ActionError LiveTarget::webhook_failures(int count, int status) {
  if (start_error_) return "the live target did not start: " + *start_error_;
  note("fault", "webhooks", "server",
       std::to_string(count) + " failures, " + (status == 0 ? std::string("no answer") : std::to_string(status)));
  listener_->fail_next(static_cast<std::size_t>(count < 0 ? 0 : count), status);
  return std::nullopt;
}

ActionError LiveTarget::auth_refuse(const std::optional<std::string>& client,
                                    const std::optional<std::string>& channel) {
  refusals_.add(client, channel);
  return std::nullopt;
}

// ---- time and observations -------------------------------------------------------------------

bool LiveTarget::wait_until(TimeNs deadline, const std::function<bool()>& done) {
  refresh();
  if (done()) return true;
  if (start_error_ || past_run_deadline()) return false;
  const TimeNs from = now();
  if (deadline <= from) return false;
  const auto span = std::min<DurationNs>(deadline - from, options_.wait_max.count() * 1'000'000LL);
  auto until = std::chrono::steady_clock::now() + std::chrono::nanoseconds(span);
  if (options_.run_deadline && *options_.run_deadline < until) until = *options_.run_deadline;
  if (loop_->run_until([&] { return done(); }, until)) return true;
  refresh();
  // A capped wait skips the rest: the clock stands at the deadline, as the contract says.
  const TimeNs reached = now();
  if (reached < deadline && !past_run_deadline()) skipped_ += deadline - reached;
  return done();
}

void LiveTarget::begin() {
  if (options_.initial_latency && options_.relay) {
    latency(std::nullopt, options_.initial_latency->first, options_.initial_latency->second);
  }
}

void LiveTarget::advance_to(TimeNs deadline) {
  refresh();
  if (start_error_ || past_run_deadline()) return;
  const TimeNs from = now();
  if (deadline <= from) return;
  // A real sleep, as long as the budget lasts (cannot_play skips a scenario that needs more);
  // past it, the clock skips ahead as a capped wait does.
  const DurationNs span = std::min<DurationNs>(deadline - from, advance_left_);
  advance_left_ -= span;
  auto until = std::chrono::steady_clock::now() + std::chrono::nanoseconds(span);
  if (options_.run_deadline && *options_.run_deadline < until) until = *options_.run_deadline;
  loop_->run_until([] { return false; }, until);
  refresh();
  const TimeNs reached = now();
  if (reached < deadline && !past_run_deadline()) skipped_ += deadline - reached;
}

std::optional<std::string> LiveTarget::cannot_play(const Scenario& scenario) const {
  const DurationNs advances = advance_total(scenario.steps);
  const DurationNs budget = std::chrono::duration_cast<std::chrono::nanoseconds>(options_.advance_budget).count();
  if (advances > budget) {
    return "its advance steps take " + std::to_string(advances / 1'000'000) + " ms of real time in all, over " +
           "the live advance budget of " + std::to_string(budget / 1'000'000) + " ms (--live-advance-budget)";
  }
  if (options_.relay && options_.ws_url.starts_with("wss://") && uses_network_faults(scenario.steps)) {
    return std::string("its network faults need the relay, which carries ws:// only");
  }
  return cannot_play_cluster(scenario);
}

std::optional<std::string> LiveTarget::cannot_play_cluster(const Scenario& scenario) const {
  if (scenario.cluster_nodes && *scenario.cluster_nodes > nodes()) {
    return "a cluster of " + std::to_string(*scenario.cluster_nodes) + " nodes; this target has " +
           std::to_string(nodes()) + " (one --target URL per node of a clustered server)";
  }
  if (uses_step<PartitionNodesStep>(scenario.steps) || uses_step<HealNodesStep>(scenario.steps)) {
    return std::string(
        "partition_nodes and heal_nodes cut the bus between nodes, which a live cluster keeps to itself");
  }
  if (uses_step<ShutdownServerStep>(scenario.steps) && !options_.serve && !options_.node_control) {
    return std::string("shutdown_server needs --target serve or the server's process (--server-cmd)");
  }
  const bool node_faults = uses_step<CrashNodeStep>(scenario.steps) || uses_step<RestartNodeStep>(scenario.steps);
  if (!node_faults) return std::nullopt;
  if (!options_.node_control) {
    return std::string("crash_node and restart_node need the nodes' server processes (--server-cmd once per --target)");
  }
  // A crashed node's members go within kClusterDeathNoticed, plus a bus hop and real time's slack:
  // a wait capped below that would fail the scenario on the harness's account, not the server's.
  const DurationNs needed = kClusterDeathNoticed + kLiveClusterSlack;
  const DurationNs cap = std::chrono::duration_cast<std::chrono::nanoseconds>(options_.wait_max).count();
  if (cap < needed) {
    return "crash_node: the cluster notices a dead node within " + std::to_string(needed / 1'000'000) +
           " ms (kClusterDeathNoticed and 1 s of slack), longer than one live wait may take (--live-wait-cap " +
           std::to_string(cap / 1'000'000) + " ms)";
  }
  return std::nullopt;
}

// ---- cluster nodes ------------------------------------------------------------------------------

ActionError LiveTarget::crash_node(int node) {
  if (start_error_) return "the live target did not start: " + *start_error_;
  if (!options_.node_control) return std::string("crash_node needs the nodes' server processes (--server-cmd)");
  refresh();
  note("fault", "node " + std::to_string(node), "server", "crash_node (SIGKILL)");
  return options_.node_control->crash(node);
}

ActionError LiveTarget::restart_node(int node) {
  if (start_error_) return "the live target did not start: " + *start_error_;
  if (!options_.node_control) return std::string("restart_node needs the nodes' server processes (--server-cmd)");
  refresh();
  note("fault", "node " + std::to_string(node), "server", "restart_node");
  return options_.node_control->restart(node);
}

ActionError LiveTarget::partition_nodes(int, int) {
  return std::string("partition_nodes: the bus between a live cluster's nodes is out of pushsim's reach");
}

ActionError LiveTarget::heal_nodes(std::optional<std::pair<int, int>>) {
  return std::string("heal_nodes: the bus between a live cluster's nodes is out of pushsim's reach");
}

void LiveTarget::refresh() {
  for (auto& [name, state] : clients_) {
    if (state.link) {
      const auto& link_errors = state.link->errors();
      for (; state.errors_seen_link < link_errors.size(); ++state.errors_seen_link) {
        note("error", "relay", name, link_errors[state.errors_seen_link].message);
        add_problem(name + ": " + link_errors[state.errors_seen_link].message);
      }
    }
    if (!state.connection) continue;
    if (auto id = state.connection->socket_id()) state.last_socket_id = id;
    const auto& received = state.connection->frames();
    for (; state.frames_seen < received.size(); ++state.frames_seen) {
      const auto& r = received[state.frames_seen];
      state.frames.push_back(observed_text(from_real(r.at), r.text));
      trace_.push_back(TraceLine{from_real(r.at), "deliver", "server", name, r.text});
      if (wire_ != nullptr) log_wire(started_monotonic_ + (r.at - started_real_), trace_.back());
    }
    const auto& pongs = state.connection->pongs();
    for (; state.pongs_seen < pongs.size(); ++state.pongs_seen) {
      const auto& p = pongs[state.pongs_seen];
      state.pongs.push_back(ObservedPong{from_real(p.at), p.text});
      trace_.push_back(TraceLine{from_real(p.at), "pong", "server", name, p.text});
      if (wire_ != nullptr) log_wire(started_monotonic_ + (p.at - started_real_), trace_.back());
    }
    const auto& errors = state.connection->errors();
    for (; state.errors_seen < errors.size(); ++state.errors_seen) {
      note("error", "server", name, errors[state.errors_seen].message);
      add_problem(name + ": " + errors[state.errors_seen].message);
    }
    if (!state.close && !state.closed_by_us && state.connection->close_code()) {
      state.close = ObservedClose{now(), *state.connection->close_code()};
      note("close", "server", name, std::to_string(*state.connection->close_code()));
    } else if (!state.close && !state.closed_by_us && !state.ended_noted &&
               state.connection->stage() == LiveStage::kClosed) {
      // Ended without a close frame (a crashed node's sockets die with it): not a close the
      // client was sent, but the trace ends the connection there, so that the live invariants
      // do not hold its last member list against the server's.
      state.ended_noted = true;
      note("close", "server", name, "1006 (no close frame)");
    }
  }
  if (!listener_) return;
  const auto& received = listener_->received();
  for (; hooks_seen_ < received.size(); ++hooks_seen_) {
    const auto& hook = received[hooks_seen_];
    note("http_request", "server", "webhooks", hook.body);
    if (wire_ != nullptr) {
      std::string request = hook.method + " " + hook.target;
      for (const auto* name : {"X-Pusher-Key", "X-Pusher-Signature"}) {
        if (auto value = find_header(hook.headers, name))
          request += " " + std::string(name) + ": " + std::string(*value);
      }
      const std::string error = hook.error ? hook.error->message : std::string();
      const std::string text = webhook_wire_text(request, hook.answered_status, hook.verified, error, hook.body);
      wire_->record(WireEvent{started_monotonic_ + (hook.at - started_real_), "webhook", "webhooks", WireDirection::kIn,
                              std::nullopt, text});
    }
    if (!hook.verified) {
      // Only the first few are quoted; problems() adds the total (a flood is one problem).
      constexpr std::size_t kQuotedMax = 3;
      if (++hooks_rejected_ <= kQuotedMax) {
        add_problem("webhooks: rejected a " + hook.method + " to " + hook.target + ": " +
                    (hook.error ? hook.error->message : std::string("it did not verify")));
      }
    }
    const bool accepted = hook.verified && hook.app_id == options_.app.app_id && hook.answered_status >= 200 &&
                          hook.answered_status <= 299;
    if (!accepted || !hook.events.is_array()) continue;
    ++posts_accepted_;
    for (const auto& event : hook.events) {
      webhooks_.push_back(ObservedWebhook{from_real(hook.at), event, hook.time_ms, hook.events.size(), posts_accepted_,
                                          webhook_endpoint_of(hook.target)});
    }
  }
}

std::optional<std::string> LiveTarget::socket_id(const std::string& client) const {
  auto it = clients_.find(client);
  if (it == clients_.end() || !it->second.connection) return std::nullopt;
  auto id = it->second.connection->socket_id();
  return id ? id : it->second.last_socket_id;
}

const std::vector<ObservedFrame>& LiveTarget::frames(const std::string& client) {
  static const std::vector<ObservedFrame> kNone;
  refresh();
  const ClientState* state = find(client);
  return state == nullptr ? kNone : state->frames;
}

std::optional<ObservedClose> LiveTarget::close_of(const std::string& client) {
  refresh();
  const ClientState* state = find(client);
  return state == nullptr ? std::nullopt : state->close;
}

const std::vector<ObservedWebhook>& LiveTarget::webhooks() {
  refresh();
  return webhooks_;
}

const std::vector<ObservedResponse>& LiveTarget::responses() {
  refresh();
  return responses_;
}

std::vector<TraceLine> LiveTarget::trace() const { return trace_; }

std::vector<InvariantViolation> LiveTarget::finish() {
  const auto members = query_members(*this, options_.app.key);
  refresh();
  return check_live_invariants(trace_, webhooks_, members);
}

// ---- node processes ----------------------------------------------------------------------------

namespace {

class ProcessNodeControl final : public NodeControl {
 public:
  explicit ProcessNodeControl(std::vector<ServerProcess*> servers) : servers_(std::move(servers)) {}

  std::optional<std::string> crash(int node) override {
    ServerProcess* server = at(node);
    if (server == nullptr) return "node " + std::to_string(node) + " has no server process";
    if (server->ended()) return "node " + std::to_string(node) + " is not up";
    server->kill();
    return std::nullopt;
  }

  std::optional<std::string> shut_down(int node) override {
    ServerProcess* server = at(node);
    if (server == nullptr) return "node " + std::to_string(node) + " has no server process";
    if (server->ended()) return "node " + std::to_string(node) + " is not up";
    server->terminate();
    return std::nullopt;
  }

  std::optional<std::string> restart(int node) override {
    ServerProcess* server = at(node);
    if (server == nullptr) return "node " + std::to_string(node) + " has no server process";
    if (!server->ended()) return "node " + std::to_string(node) + " is not down";
    if (auto error = server->start()) return "node " + std::to_string(node) + " did not restart: " + error->message;
    return std::nullopt;
  }

 private:
  ServerProcess* at(int node) const {
    if (node < 0 || static_cast<std::size_t>(node) >= servers_.size()) return nullptr;
    return servers_[static_cast<std::size_t>(node)];
  }

  std::vector<ServerProcess*> servers_;
};

}  // namespace

std::shared_ptr<NodeControl> process_node_control(std::vector<ServerProcess*> servers) {
  return std::make_shared<ProcessNodeControl>(std::move(servers));
}

// ---- the factory -----------------------------------------------------------------------------

TargetFactory live_target_factory(LiveTargetOptions options) {
  return [options](const Scenario& scenario, std::uint64_t seed) -> std::unique_ptr<Target> {
    LiveTargetOptions mine = options;
    mine.seed = seed;
    for (const auto& client : scenario.clients) {
      if (client.app && *client.app != "default") mine.app_names.insert(*client.app);
    }
    mine.app_settings = scenario.apps;
    mine.webhook_endpoints = scenario.webhook_endpoints;
    for (const auto& feature : scenario.requires_features) {
      if (feature == "subscription_count" || feature == "batch_webhooks") mine.enable.insert(feature);
    }
    const bool tls = std::any_of(mine.node_urls.begin(), mine.node_urls.end(),
                                 [](const std::string& url) { return url.starts_with("wss://"); });
    mine.relay = (options.relay || uses_network_faults(scenario.steps)) && !mine.ws_url.starts_with("wss://") && !tls;
    // A cluster scenario's clients that name no node go round, as on the simulated cluster.
    mine.spread_clients = options.spread_clients || scenario.cluster_nodes.has_value();
    auto target = std::make_unique<LiveTarget>(std::move(mine));
    if (options.run_token.empty() || scenario.exact_channel_names) return target;
    return std::make_unique<IsolatedTarget>(
        std::move(target), NameIsolation(isolation_suffix(options.run_token, scenario.id)), options.app.key);
  };
}

}  // namespace pushsim::harness

namespace pushsim::harness {

DurationNs advance_total(const std::vector<Step>& steps) {
  DurationNs total = 0;
  for (const auto& step : steps) {
    if (const auto* advance = std::get_if<AdvanceStep>(&step.action)) total += advance->duration;
    if (const auto* block = std::get_if<ConcurrentlyStep>(&step.action)) total += advance_total(block->steps);
    if (const auto* choice = std::get_if<OneOfStep>(&step.action)) {
      DurationNs longest = 0;
      for (const auto& branch : choice->branches) longest = std::max(longest, advance_total(branch));
      total += longest;
    }
  }
  return total;
}

bool uses_network_faults(const std::vector<Step>& steps) {
  for (const auto& step : steps) {
    const auto& action = step.action;
    if (std::holds_alternative<PartitionStep>(action) || std::holds_alternative<HealStep>(action) ||
        std::holds_alternative<DropStep>(action) || std::holds_alternative<LatencyStep>(action)) {
      return true;
    }
    if (const auto* block = std::get_if<ConcurrentlyStep>(&action)) {
      if (uses_network_faults(block->steps)) return true;
    }
    if (const auto* choice = std::get_if<OneOfStep>(&action)) {
      for (const auto& branch : choice->branches) {
        if (uses_network_faults(branch)) return true;
      }
    }
  }
  return false;
}

}  // namespace pushsim::harness
