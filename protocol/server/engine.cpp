// Engine: the public surface, output helpers and the dispatch of received frames.
#include "protocol/server/engine.hpp"

#include <algorithm>
#include <limits>
#include <utility>

#include "protocol/server/engine_state.hpp"
#include "protocol/server/rest_api.hpp"
#include "protocol/server/server_codes.hpp"
#include "protocol/server/server_frames.hpp"

namespace pushsim {
namespace {
// Defects that are only a different setting are applied here, once.
EngineOptions with_defect_settings(EngineOptions options) {
  if (options.defects.has(Defect::kNoRemovalDelay)) options.webhooks.removal_delay = 0;
  if (options.defects.has(Defect::kStaleTimestampAccepted)) options.rest.check_timestamp = false;
  if (options.defects.has(Defect::kFutureTimestampAccepted)) options.rest.future_timestamp_accepted = true;
  if (options.defects.has(Defect::kTimestampWindowOffByOne)) options.rest.window_exclusive = true;
  if (options.defects.has(Defect::kUppercaseSignatureAccepted)) options.rest.uppercase_signature_accepted = true;
  if (options.defects.has(Defect::kUnsortedParams)) options.rest.unsorted_params = true;
  if (options.defects.has(Defect::kBodyMd5Last)) options.rest.body_md5_last = true;
  if (options.defects.has(Defect::kRestampedWebhookRetry)) options.webhooks.restamp_retries = true;
  if (options.defects.has(Defect::kBatchKeepsFirstEvent)) options.webhooks.batch_keeps_first_event = true;
  if (options.defects.has(Defect::kWebhookFilterFirstEvent)) options.webhooks.filter_by_first_event = true;
  if (options.defects.has(Defect::kWebhookFiltersIgnored)) options.webhooks.ignore_filters = true;
  if (options.defects.has(Defect::kBatchesWithoutBatching)) options.webhooks.batch_always = true;
  if (options.defects.has(Defect::kWebhookTimeInSeconds)) options.webhooks.time_in_seconds = true;
  if (options.defects.has(Defect::kWebhookRetriesForever)) {
    options.webhooks.retry_window = std::numeric_limits<DurationNs>::max();
    options.webhooks.max_attempts = std::numeric_limits<int>::max();
  }
  return options;
}
}  // namespace

Engine::State::State(EngineOptions engine_options, std::vector<AppConfig> app_list, RandomSource& random)
    : options(with_defect_settings(std::move(engine_options))),
      apps(std::move(app_list)),
      rng(random),
      webhooks(options.webhooks) {}

// --- output ----------------------------------------------------------------------------------

void Engine::State::send(ConnectionId connection, std::string text) {
  outputs.emplace_back(SendFrame{connection, std::make_shared<const std::string>(std::move(text))});
}

void Engine::State::send_shared(ConnectionId connection, const std::shared_ptr<const std::string>& text) {
  outputs.emplace_back(SendFrame{connection, text});
}

std::size_t Engine::State::broadcast(const AppConfig& app, std::string_view channel, std::string text,
                                     std::optional<ConnectionId> except) {
  if (cluster != nullptr) {
    std::optional<std::string> excluded;
    if (const Connection* connection = except ? find(*except) : nullptr) excluded = connection->socket_id;
    share_with_peers(app, channel, text, std::move(excluded), std::nullopt);
  }
  return broadcast_local(app, channel, std::move(text), except);
}

std::size_t Engine::State::broadcast_local(const AppConfig& app, std::string_view channel, std::string text,
                                           std::optional<ConnectionId> except) {
  auto recipients = registry.subscriber_list(app.id, channel);
  if (recipients == nullptr) return 0;
  const bool skips_one = except && std::binary_search(recipients->begin(), recipients->end(), *except);
  const std::size_t delivered = recipients->size() - (skips_one ? 1 : 0);
  if (delivered == 0) return 0;
  outputs.emplace_back(BroadcastFrame{std::move(recipients), skips_one ? except : std::nullopt,
                                      std::make_shared<const std::string>(std::move(text))});
  return delivered;
}

void Engine::State::send_error(ConnectionId connection, std::optional<int> code, std::string_view message) {
  send(connection, server_frames::error(code, message));
}

void Engine::State::emit_webhook(TimeNs now, const AppConfig& app, WebhookEvent event) {
  if (app.webhooks.empty()) return;  // nobody to tell: spare the dispatcher the copy
  AppCredentials credentials = app.credentials();
  if (options.defects.has(Defect::kWrongWebhookSignature)) credentials.secret += "-wrong";
  const bool batch = app.batch_webhooks && !options.defects.has(Defect::kUnbatchedWebhooks);
  std::uint64_t hold = 0;
  if (cluster != nullptr && !hold_or_cancel(app, event, hold)) return;
  webhooks.emit(now, WebhookApp{std::move(credentials), app.webhooks, batch}, std::move(event), hold);
}

// --- received frames -------------------------------------------------------------------------

void Engine::State::receive_text(TimeNs now, ConnectionId id, std::string_view text) {
  Connection* connection = find(id);
  if (connection == nullptr) return;  // unknown, or already closed by us
  touch(now, *connection);
  const std::size_t max_bytes = options.limits.client_frame_max_bytes;
  if (text.size() > max_bytes) {
    send_error(id, server_codes::kNonFatal,
               "Frame too large: " + std::to_string(text.size()) + " bytes, the limit is " + std::to_string(max_bytes));
    return;
  }
  auto frame = decode_frame(text);
  if (!frame) {
    send_error(id, server_codes::kNonFatal, "Invalid message format: " + frame.error().message);
    return;
  }
  dispatch(now, *connection, *frame);
}

void Engine::State::dispatch(TimeNs now, Connection& connection, const Frame& frame) {
  const std::string& event = frame.event;
  if (event == events::kPing) {
    if (!options.defects.has(Defect::kNoPong)) send(connection.id, server_frames::pong());
  } else if (event == events::kPong) {
    // Liveness was already refreshed by touch(); nothing else to do.
  } else if (event == events::kSubscribe) {
    on_subscribe(now, connection, frame);
  } else if (event == events::kUnsubscribe) {
    on_unsubscribe(now, connection, frame);
  } else if (event == events::kSignin) {
    on_signin(now, connection, frame);
  } else if (event.starts_with("pusher:") || event.starts_with("pusher_internal:")) {
    send_error(connection.id, server_codes::kNonFatal, "Unsupported event " + event);
  } else {
    on_client_event(now, connection, frame);
  }
}

// --- Engine ----------------------------------------------------------------------------------

Engine::Engine(EngineOptions options, std::vector<AppConfig> apps, RandomSource& rng)
    : state_(std::make_unique<State>(std::move(options), std::move(apps), rng)) {}

Engine::~Engine() = default;

void Engine::on_open(TimeNs now, ConnectionId connection, std::string_view target) {
  if (state_->shut_down) {
    state_->outputs.emplace_back(CloseConnection{connection, server_codes::kShuttingDown, "Server is shutting down"});
    return;
  }
  state_->open(now, connection, target);
}

void Engine::shutdown(TimeNs now) {
  state_->shut_down = true;
  std::vector<ConnectionId> open;  // collected first: removing edits `connections`
  for (const auto& [id, connection] : state_->connections) open.push_back(id);
  for (ConnectionId id : open) {
    state_->outputs.emplace_back(CloseConnection{id, server_codes::kShuttingDown, "Server is shutting down"});
    state_->remove(now, id);
  }
}

void Engine::on_text(TimeNs now, ConnectionId connection, std::string_view text) {
  state_->receive_text(now, connection, text);
}

void Engine::on_binary(TimeNs now, ConnectionId connection, std::size_t size) {
  Connection* found = state_->find(connection);
  if (found == nullptr) return;
  state_->touch(now, *found);
  state_->send_error(connection, server_codes::kNonFatal,
                     "Binary frames are not supported (got " + std::to_string(size) + " bytes)");
}

void Engine::on_binary(TimeNs now, ConnectionId connection, std::string_view bytes) {
  if (state_->options.defects.has(Defect::kBinaryFramesParsed)) return on_text(now, connection, bytes);
  on_binary(now, connection, bytes.size());
}

void Engine::on_closed(TimeNs now, ConnectionId connection) { state_->remove(now, connection); }

HttpResponse Engine::on_http(TimeNs now, const HttpRequest& request) {
  return handle_rest_request(*this, now, request);
}

void Engine::on_webhook_response(TimeNs now, std::uint64_t delivery_id, int status) {
  state_->webhooks.on_response(now, delivery_id, status);
}

void Engine::on_tick(TimeNs now) { state_->tick(now); }

void Engine::on_peer_message(TimeNs now, const PeerMessage& message) { state_->receive_peer_message(now, message); }

std::optional<TimeNs> Engine::next_deadline() const { return state_->next_deadline(); }

std::size_t Engine::webhooks_outstanding() const { return state_->webhooks.outstanding() + state_->counts_held(); }

std::vector<EngineOutput> Engine::take_outputs() {
  std::vector<EngineOutput> out;
  out.swap(state_->outputs);
  return out;
}

void Engine::take_outputs(std::vector<EngineOutput>& into) {
  into.clear();
  into.swap(state_->outputs);  // the engine keeps the caller's old buffer and its capacity
}

// --- observation -----------------------------------------------------------------------------

const EngineOptions& Engine::options() const { return state_->options; }

const AppConfig* Engine::app_by_id(std::string_view id) const {
  for (const auto& app : state_->apps) {
    if (app.id == id) return &app;
  }
  return nullptr;
}

const AppConfig* Engine::app_by_key(std::string_view key) const {
  for (const auto& app : state_->apps) {
    if (app.key == key) return &app;
  }
  return nullptr;
}

std::optional<std::string> Engine::socket_id(ConnectionId connection) const {
  auto it = state_->connections.find(connection);
  if (it == state_->connections.end()) return std::nullopt;
  return it->second.socket_id;
}

std::optional<ConnectionId> Engine::connection_by_socket_id(std::string_view app_id, std::string_view socket_id) const {
  auto it = state_->by_socket_id.find(socket_id);
  if (it == state_->by_socket_id.end()) return std::nullopt;
  const Connection& connection = state_->connections.at(it->second);
  if (connection.app->id != app_id) return std::nullopt;
  return connection.id;
}

std::size_t Engine::connection_count() const { return state_->connections.size(); }

CacheFootprint Engine::cache_footprint() const { return state_->registry.cache_footprint(); }

std::vector<ChannelSnapshot> Engine::channels(std::string_view app_id, TimeNs now) const {
  std::vector<ChannelSnapshot> out;
  std::set<std::string> names;
  const bool shared = state_->cluster != nullptr && !state_->options.defects.has(Defect::kMemberListPerNode);
  for (const auto& name :
       shared ? state_->cluster->occupied_channels(app_id) : state_->registry.occupied_channels(app_id)) {
    names.insert(name);
  }
  if (state_->options.defects.has(Defect::kListsVacatedChannels)) {
    for (const auto& [app, name] : state_->once_occupied) {
      if (app == app_id) names.insert(name);
    }
  }
  for (const auto& name : names) out.push_back(channel(app_id, name, now));
  return out;
}

ChannelSnapshot Engine::channel(std::string_view app_id, std::string_view name, TimeNs now) const {
  const ChannelRegistry& registry = state_->registry;
  ChannelSnapshot snapshot;
  snapshot.name = std::string(name);
  const ClusterLink* cluster = state_->cluster;
  snapshot.subscription_count =
      cluster != nullptr ? cluster->subscription_count(app_id, name) : registry.subscription_count(app_id, name);
  snapshot.members = state_->shared_members(app_id, name);
  snapshot.cache = registry.cached(app_id, name, now);
  return snapshot;
}

PublishOutcome Engine::publish(TimeNs now, const AppConfig& app, std::string_view channel, std::string_view event,
                               std::string_view data, std::optional<std::string_view> exclude_socket_id) {
  return state_->publish(now, app, channel, event, data, exclude_socket_id);
}

bool Engine::take_message_quota(const AppConfig& app, std::uint64_t messages) {
  std::uint64_t& counted = state_->messages_counted[app.id];
  const bool enforced = !state_->options.defects.has(Defect::kMessageQuotaIgnored);
  if (enforced && app.max_messages && counted + messages > *app.max_messages) return false;
  counted += messages;
  return true;
}

std::size_t Engine::terminate_user_connections(TimeNs now, const AppConfig& app, std::string_view user_id) {
  return state_->terminate_user(now, app, user_id);
}

}  // namespace pushsim
