#include "harness/sim_target.hpp"

#include <algorithm>

#include "fakes/raw_client.hpp"
#include "fakes/world.hpp"
#include "harness/invariants.hpp"
#include "harness/scenario_vocabulary.hpp"
#include "harness/target_profile.hpp"
#include "harness/target_requests.hpp"
#include "protocol/client/client_frames.hpp"

namespace pushsim::harness {
namespace {

// A stand-in app for a client that names one: ids, keys and secrets derived from the name.
AppConfig named_app(const std::string& name) {
  AppConfig app = fakes::default_app();
  app.id = "app-" + name;
  app.key = name + "-key";
  app.secret = name + "-secret";
  return app;
}

std::string pusher_js_path(std::string_view key, int protocol) {
  return "/app/" + std::string(key) + "?protocol=" + std::to_string(protocol) + "&client=js&version=8.4.0&flash=false";
}

}  // namespace

SimTarget::SimTarget(SimTargetOptions options) : options_(std::move(options)) {
  fakes::WorldBuilder builder;
  builder.scenario(options_.scenario).seed(options_.seed).faults(options_.faults);
  EngineOptions engine;
  engine.defects = options_.defects;
  builder.engine(engine);
  AppConfig main_app = fakes::default_app();
  main_app.subscription_count = options_.enable.count("subscription_count") != 0;
  main_app.batch_webhooks = options_.enable.count("batch_webhooks") != 0;
  for (const auto& endpoint : options_.webhook_endpoints) {
    main_app.webhooks.push_back(
        WebhookConfig{std::string(fakes::kWebhookUrl) + "/" + endpoint.name, endpoint.event_types});
  }
  builder.app(main_app);
  for (const auto& name : options_.app_names) {
    if (name == "default") continue;
    AppConfig app = named_app(name);
    apply_app_settings(app, name, options_.app_settings);
    builder.app(app);
  }
  if (options_.cluster_nodes) {
    fakes::ClusterConfig cluster;
    cluster.nodes = static_cast<std::size_t>(*options_.cluster_nodes);
    builder.config().cluster = cluster;
  }
  world_ = builder.build();
}

SimTarget::~SimTarget() = default;

void SimTarget::begin() {
  began_at_ = world_->now();
  planned_ = fakes::plan_faults(options_.faults, world_->client_names(), world_->root_rng(), began_at_);
  std::vector<fakes::PlannedFault> kept;
  for (std::size_t i = 0; i < planned_.size(); ++i) {
    const auto& keep = options_.keep_faults;
    if (!keep || std::find(keep->begin(), keep->end(), i) != keep->end()) kept.push_back(planned_[i]);
  }
  applied_ = fakes::shortened(std::move(kept), options_.shorten);
  world_->apply(applied_);
}

std::vector<InvariantViolation> SimTarget::finish() {
  if (!options_.invariants) return {};
  const bool settled = settle(*world_, options_.settle_max);
  refresh();
  InvariantInput input = invariant_input(*world_, settled);
  input.known_frame = [this](const std::string* text) -> const std::shared_ptr<const Frame>* {
    auto it = decoded_.find(text);
    return it == decoded_.end() ? nullptr : &it->second.second;
  };
  return check_invariants(input);
}

std::set<std::string> SimTarget::features() const {
  if (options_.features) return *options_.features;
  return builtin_reference_profile().features;
}

TimeNs SimTarget::now() const { return world_->now(); }

SimTarget::ClientState* SimTarget::find(const std::string& client) {
  auto it = clients_.find(client);
  return it == clients_.end() ? nullptr : &it->second;
}

const AppConfig& SimTarget::app_of(const ClientState& client) const { return app_named(client.spec.app); }

const AppConfig& SimTarget::app_named(const std::string& name) const {
  for (const auto& app : world_->config().apps) {
    if (name == "default" ? app.id == world_->config().app().id : app.id == "app-" + name) return app;
  }
  return world_->config().app();
}

ActionError SimTarget::declare_client(const ClientSpec& client) {
  if (clients_.count(client.name) != 0) return "client '" + client.name + "' declared twice";
  if (client.app != "default" && options_.app_names.count(client.app) == 0) {
    return "client '" + client.name + "' names app '" + client.app + "', which this target was not given";
  }
  ClientState state;
  state.spec = client;
  state.raw = &world_->add_raw_client(client.name);
  clients_.emplace(client.name, std::move(state));
  return std::nullopt;
}

ActionError SimTarget::connect(const std::string& client, const ConnectOptions& options) {
  ClientState* state = find(client);
  if (state == nullptr) return "no client '" + client + "'";
  const std::string key = options.app_key.value_or(app_of(*state).key);
  const std::string path = options.path.value_or(pusher_js_path(key, options.protocol_version.value_or(7)));
  refresh();  // frames of the previous connection keep their place before the new ones
  state->close.reset();
  state->closed_by_us = false;
  if (options.node) world_->set_client_node(client, static_cast<NodeId>(*options.node));
  state->node = options.node;
  state->raw->connect(path);
  return std::nullopt;
}

ActionError SimTarget::disconnect(const std::string& client, std::optional<int> code, bool abrupt) {
  ClientState* state = find(client);
  if (state == nullptr) return "no client '" + client + "'";
  state->closed_by_us = true;
  if (abrupt) {
    cut(*state);
  } else {
    world_->close(client, code.value_or(1000));
  }
  return std::nullopt;
}

void SimTarget::cut(ClientState& client) {
  world_->trace().record(world_->now(), fakes::TraceKind::kFault, client.raw->endpoint(), world_->server_endpoint(), 0,
                         std::string("drop"));
  for (auto link : world_->network().links_of(client.raw->endpoint())) world_->network().cut(link);
}

ActionError SimTarget::subscribe(const std::string& client, const std::string& channel, const AuthChoice& auth,
                                 const std::optional<Json>& channel_data) {
  ClientState* state = find(client);
  if (state == nullptr) return "no client '" + client + "'";
  auto effect = subscribe_effect(state->spec, channel, auth, channel_data, refusals_, signer_of(*state, auth));
  if (!effect) return effect.error().message;
  if (effect->local_frame) {
    state->frames.push_back(observed_frame(world_->now(), std::move(*effect->local_frame)));
  } else {
    sent(*state, std::move(*effect->text));
  }
  return std::nullopt;
}

ActionError SimTarget::unsubscribe(const std::string& client, const std::string& channel) {
  ClientState* state = find(client);
  if (state == nullptr) return "no client '" + client + "'";
  sent(*state, encode_unsubscribe(channel));
  return std::nullopt;
}

ActionError SimTarget::signin(const std::string& client, const AuthChoice& auth, const std::optional<std::string>& as) {
  ClientState* state = find(client);
  if (state == nullptr) return "no client '" + client + "'";
  const ClientState* user = as ? find(*as) : state;
  if (user == nullptr) return "no client '" + *as + "'";
  auto text = signin_text(user->spec, auth, signer_of(*state, auth));
  if (!text) return text.error().message;
  sent(*state, std::move(*text));
  return std::nullopt;
}

ActionError SimTarget::send_text(const std::string& client, const std::string& text) {
  ClientState* state = find(client);
  if (state == nullptr) return "no client '" + client + "'";
  state->raw->send(text);
  return std::nullopt;
}

ActionError SimTarget::send_binary(const std::string& client, const std::string& bytes) {
  ClientState* state = find(client);
  if (state == nullptr) return "no client '" + client + "'";
  state->raw->send_binary(bytes);
  return std::nullopt;
}

ActionError SimTarget::send_ws_ping(const std::string& client, const std::string& payload) {
  ClientState* state = find(client);
  if (state == nullptr) return "no client '" + client + "'";
  state->raw->send_ping(payload);
  return std::nullopt;
}

const std::vector<ObservedPong>& SimTarget::pongs(const std::string& client) {
  static const std::vector<ObservedPong> kNone;
  ClientState* state = find(client);
  if (state == nullptr) return kNone;
  refresh();
  return state->pongs;
}

ActionError SimTarget::shutdown_server() {
  world_->shutdown_server();
  return std::nullopt;
}

// ---- faults ---------------------------------------------------------------------------------

ActionError SimTarget::partition(const std::string& client) {
  return world_->partition(client) ? ActionError{} : "no client '" + client + "'";
}

ActionError SimTarget::heal(const std::string& client) {
  return world_->heal(client) ? ActionError{} : "no client '" + client + "'";
}

ActionError SimTarget::drop(const std::string& client) {
  ClientState* state = find(client);
  if (state == nullptr) return "no client '" + client + "'";
  cut(*state);
  return std::nullopt;
}

ActionError SimTarget::latency(const std::optional<std::string>& client, DurationNs min, DurationNs max) {
  const auto extra = fakes::Latency::uniform(min, max);
  if (!client) {
    world_->extra_latency_all(extra);
    return std::nullopt;
  }
  return world_->extra_latency(*client, extra) ? ActionError{} : "no client '" + *client + "'";
}

ActionError SimTarget::webhook_failures(int count, int status) {
  const auto n = static_cast<std::size_t>(count < 0 ? 0 : count);
  if (status == 0) {
    world_->silence_webhooks(n);
  } else {
    world_->fail_webhooks(n, status);
  }
  return std::nullopt;
}

ActionError SimTarget::auth_refuse(const std::optional<std::string>& client,
                                   const std::optional<std::string>& channel) {
  refusals_.add(client, channel);
  return std::nullopt;
}

// ---- time and observations -------------------------------------------------------------------

bool SimTarget::wait_until(TimeNs deadline, const std::function<bool()>& done) {
  refresh();
  if (done()) return true;
  std::uint64_t events = 0;
  for (;;) {
    const auto next = world_->scheduler().next_time();
    if (!next || *next > deadline) break;
    if (++events > options_.events_per_wait_max) return false;  // a livelock: reported, not run
    world_->step();
    // done() reads observations only: an event that added none (most are the server's own
    // work) cannot change its answer, and matching is the costly part of a wait.
    if (refresh() && done()) return true;
  }
  world_->run_until(deadline);
  refresh();
  return done();
}

bool SimTarget::refresh() {
  bool changed = false;
  for (auto& [name, state] : clients_) {
    const auto& received = state.raw->received();
    changed = changed || state.frames_seen < received.size();
    for (; state.frames_seen < received.size(); ++state.frames_seen) {
      const auto& r = received[state.frames_seen];
      state.frames.push_back(ObservedFrame{r.at, r.text, decoded(r.text)});
    }
    const auto& pongs = state.raw->pongs();
    changed = changed || state.pongs.size() < pongs.size();
    for (std::size_t i = state.pongs.size(); i < pongs.size(); ++i)
      state.pongs.push_back({pongs[i].at, pongs[i].payload});
    if (!state.close && !state.closed_by_us && state.raw->close_code()) {
      state.close = ObservedClose{world_->now(), *state.raw->close_code()};
      changed = true;
    }
  }
  const auto& batches = world_->webhooks().batches();
  changed = changed || batches_seen_ < batches.size();
  for (; batches_seen_ < batches.size(); ++batches_seen_) {
    const auto& batch = batches[batches_seen_];
    if (!batch.valid || batch.status < 200 || batch.status > 299) continue;
    ++posts_accepted_;
    for (const auto& event : batch.events) {
      webhooks_.push_back(ObservedWebhook{batch.arrived_at, event, batch.time_ms, batch.events.size(), posts_accepted_,
                                          webhook_endpoint_of(batch.target)});
    }
  }
  const auto& log = world_->rest_log();
  changed = changed || responses_.size() != log.size();
  responses_.resize(log.size());
  for (std::size_t i = 0; i < log.size(); ++i) {
    ObservedResponse& out = responses_[i];
    out.sent_at = log[i].sent_at;
    if (log[i].answered_at == 0 || out.answered_at) continue;  // unanswered, or taken in already
    changed = true;
    out.answered_at = log[i].answered_at;
    out.lost = !log[i].response.has_value();
    if (log[i].response) {
      out.status = log[i].response->status;
      out.body = log[i].response->body;
    }
  }
  return changed;
}

// A frame we send is decoded once, here, into the cache the invariant checker reads the trace
// through; a step that sends nothing (no open connection) caches nothing.
void SimTarget::sent(ClientState& state, std::string text) {
  if (auto shared = state.raw->send(std::move(text))) decoded(shared);
}

// A fan-out hands every recipient the same text: it is decoded once. The cache holds the
// text itself, so an address is never reused for another text while it is cached.
const std::shared_ptr<const Frame>& SimTarget::decoded(const std::shared_ptr<const std::string>& text) {
  auto it = decoded_.find(text.get());
  if (it == decoded_.end()) {
    auto frame = decode_frame(*text);
    it = decoded_
             .emplace(text.get(),
                      std::make_pair(text, frame ? std::make_shared<const Frame>(std::move(*frame)) : nullptr))
             .first;
  }
  return it->second.second;
}

std::optional<std::string> SimTarget::socket_id(const std::string& client) const {
  auto it = clients_.find(client);
  if (it == clients_.end()) return std::nullopt;
  return it->second.raw->socket_id();
}

const std::vector<ObservedFrame>& SimTarget::frames(const std::string& client) {
  static const std::vector<ObservedFrame> kNone;
  refresh();
  const ClientState* state = find(client);
  return state == nullptr ? kNone : state->frames;
}

std::optional<ObservedClose> SimTarget::close_of(const std::string& client) {
  refresh();
  const ClientState* state = find(client);
  return state == nullptr ? std::nullopt : state->close;
}

const std::vector<ObservedWebhook>& SimTarget::webhooks() {
  refresh();
  return webhooks_;
}

const std::vector<ObservedResponse>& SimTarget::responses() {
  refresh();
  return responses_;
}

void SimTarget::set_wire_log(WireSink* sink) {
  wire_ = sink;
  if (sink == nullptr) return world_->trace().set_observer(nullptr);
  for (const auto& app : world_->config().apps) sink->mask(app.secret);
  world_->trace().set_observer([this](const fakes::TraceRecord& record) { log_wire(record); });
}

namespace {

// "[open PATH]" -> PATH, "[close 4001 reason]" -> "4001 reason": the network's packet texts.
std::optional<std::string_view> packet_body(std::string_view text, std::string_view kind) {
  const std::string prefix = "[" + std::string(kind) + " ";
  if (text.size() < prefix.size() + 1 || text.substr(0, prefix.size()) != prefix || text.back() != ']') {
    return std::nullopt;
  }
  return text.substr(prefix.size(), text.size() - prefix.size() - 1);
}

}  // namespace

void SimTarget::log_wire(const fakes::TraceRecord& record) {
  const auto& trace = world_->trace();
  const std::string& from = trace.endpoint_name(record.from);
  const std::string& to = trace.endpoint_name(record.to);
  const std::string_view text = *record.text;
  auto emit = [&](std::string_view kind, const std::string& party, WireDirection direction, std::string_view shown) {
    auto client = clients_.find(party);
    const std::optional<int> node = client == clients_.end() ? std::nullopt : client->second.node;
    wire_->record(WireEvent{record.at, kind, party, direction, node, shown});
  };
  const bool from_client = clients_.count(from) != 0;
  const bool to_client = clients_.count(to) != 0;
  switch (record.kind) {
    case fakes::TraceKind::kSend:
      if (!from_client) return;
      if (auto path = packet_body(text, "open")) return emit("connect", from, WireDirection::kOut, *path);
      if (auto close = packet_body(text, "close")) return emit("close", from, WireDirection::kOut, *close);
      if (auto ping = packet_body(text, "ping")) return emit("ping", from, WireDirection::kOut, *ping);
      return emit("frame", from, WireDirection::kOut, text);
    case fakes::TraceKind::kDeliver:
      if (!to_client) return;
      if (auto pong = packet_body(text, "pong")) return emit("pong", to, WireDirection::kIn, *pong);
      emit("frame", to, WireDirection::kIn, text);
      return;
    case fakes::TraceKind::kClose:
      if (to_client) emit("close", to, WireDirection::kIn, packet_body(text, "close").value_or(text));
      return;
    case fakes::TraceKind::kHttpRequest:
      if (from == "app") emit("rest", "rest", WireDirection::kOut, text);
      return;
    case fakes::TraceKind::kHttpResponse:
      if (to == "app") emit("rest", "rest", WireDirection::kIn, text);
      return;
    case fakes::TraceKind::kWebhook: {
      // Recorded as the receiver answers: the batch is the last one it took in.
      const auto& batches = world_->webhooks().batches();
      if (batches.empty()) return;
      const auto& batch = batches.back();
      // The request line only for a filtered endpoint's POST (the catch-all's is always the same).
      const std::string request = webhook_endpoint_of(batch.target).empty() ? std::string() : "POST " + batch.target;
      return emit("webhook", "webhooks", WireDirection::kIn,
                  webhook_wire_text(request, batch.status, batch.valid, batch.error, batch.body));
    }
    case fakes::TraceKind::kFault: return emit("fault", from, WireDirection::kOut, text);
    default: return;
  }
}

std::vector<TraceLine> SimTarget::trace() const {
  std::vector<TraceLine> out;
  const auto& trace = world_->trace();
  for (const auto& record : trace.records()) {
    if (record.kind == fakes::TraceKind::kTimer) continue;  // liveness ticks: noise in a report
    out.push_back(TraceLine{record.at, std::string(fakes::to_string(record.kind)), trace.endpoint_name(record.from),
                            trace.endpoint_name(record.to), *record.text});
  }
  return out;
}

}  // namespace pushsim::harness
