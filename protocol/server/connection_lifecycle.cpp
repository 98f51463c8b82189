// Opening a connection (§1.1, §1.4, §1.8), closing it, and forgetting it.
#include <charconv>

#include "protocol/server/engine_state.hpp"
#include "protocol/server/server_codes.hpp"
#include "protocol/server/server_frames.hpp"

namespace pushsim {
namespace {

constexpr std::string_view kAppPathPrefix = "/app/";

struct Target {
  std::string_view path;
  std::string_view query;
};

Target split_target(std::string_view target) {
  auto question = target.find('?');
  if (question == std::string_view::npos) return {target, {}};
  return {target.substr(0, question), target.substr(question + 1)};
}

// The app key of "/app/{key}", or nullopt for any other path.
std::optional<std::string_view> app_key_of(std::string_view path) {
  if (path.substr(0, kAppPathPrefix.size()) != kAppPathPrefix) return std::nullopt;
  std::string_view key = path.substr(kAppPathPrefix.size());
  if (key.empty() || key.find('/') != std::string_view::npos) return std::nullopt;
  return key;
}

// The raw value of the first `name` parameter. Only `protocol` is read, whose legitimate
// values are plain digits, so no percent-decoding is needed: an encoded value is refused.
std::optional<std::string_view> query_value(std::string_view query, std::string_view name) {
  while (!query.empty()) {
    auto amp = query.find('&');
    std::string_view pair = query.substr(0, amp);
    auto eq = pair.find('=');
    if (pair.substr(0, eq) == name) return eq == std::string_view::npos ? std::string_view{} : pair.substr(eq + 1);
    if (amp == std::string_view::npos) break;
    query.remove_prefix(amp + 1);
  }
  return std::nullopt;
}

std::optional<int> parse_protocol(std::string_view text) {
  int value = 0;
  auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (ec != std::errc{} || end != text.data() + text.size() || text.empty() || text.front() == '-') {
    return std::nullopt;
  }
  return value;
}

}  // namespace

Connection* Engine::State::find(ConnectionId id) {
  auto it = connections.find(id);
  return it == connections.end() ? nullptr : &it->second;
}

std::size_t Engine::State::connections_of(const AppConfig& app) const {
  std::size_t count = 0;
  for (const auto& [id, connection] : connections) count += connection.app == &app ? 1 : 0;
  return count;
}

std::string Engine::State::new_socket_id() {
  if (options.defects.has(Defect::kRecycledSocketIds)) {
    // Like file descriptors: the lowest slot no live connection holds, so a closed
    // connection's id goes to the next one to open.
    for (std::uint64_t slot = 1;; ++slot) {
      std::string id = "1000." + std::to_string(slot);
      if (by_socket_id.find(id) == by_socket_id.end()) return id;
    }
  }
  // Two random integers, as the official ids look ("45481.3166671"); redrawn on the
  // (unlikely) collision with a live connection so that ids stay unique.
  constexpr std::uint64_t kPartBound = 10'000'000'000ULL;
  for (;;) {
    std::string id = std::to_string(rng.below(kPartBound)) + "." + std::to_string(rng.below(kPartBound));
    if (by_socket_id.find(id) == by_socket_id.end()) return id;
  }
}

void Engine::State::open(TimeNs now, ConnectionId id, std::string_view target) {
  if (connections.count(id) != 0) return;  // the driver reused a live id: ignore the second open
  auto refuse = [&](int code, std::string_view message) {
    send_error(id, code, message);
    outputs.emplace_back(CloseConnection{id, code, std::string(message)});
  };
  Target parts = split_target(target);
  auto key = app_key_of(parts.path);
  if (!key) return refuse(server_codes::kPathNotFound, "Path not found");
  const AppConfig* app = nullptr;
  for (const auto& candidate : apps) {
    if (candidate.key == *key) app = &candidate;
  }
  if (app == nullptr && options.defects.has(Defect::kAnyAppKeyAccepted) && !apps.empty()) app = &apps.front();
  if (app == nullptr) return refuse(server_codes::kUnknownApp, "Application does not exist");
  if (!app->enabled && !options.defects.has(Defect::kDisabledAppServed)) {
    return refuse(server_codes::kAppDisabled, "Application is disabled");
  }
  auto protocol_text = query_value(parts.query, "protocol");
  auto protocol = protocol_text ? parse_protocol(*protocol_text) : std::nullopt;
  const bool protocol_checked = !options.defects.has(Defect::kProtocolIgnored);
  if (protocol_checked && (!protocol || *protocol < options.min_protocol || *protocol > options.max_protocol)) {
    return refuse(server_codes::kUnsupportedProtocol, "Unsupported protocol version");
  }
  const bool quota_checked = !options.defects.has(Defect::kConnectionQuotaIgnored);
  // In a cluster the quota counts every node's connections: this one is counted first, and
  // taken out again when it is over.
  const bool cluster_quota = quota_checked && app->max_connections && cluster != nullptr &&
                             !options.defects.has(Defect::kConnectionQuotaPerNode);
  if (cluster_quota) {
    if (cluster_connections(*app, +1) > *app->max_connections) {
      cluster_connections(*app, -1);
      return refuse(server_codes::kOverConnectionQuota, "Application is over connection quota");
    }
  } else if (quota_checked && app->max_connections && connections_of(*app) >= *app->max_connections) {
    return refuse(server_codes::kOverConnectionQuota, "Application is over connection quota");
  }

  auto [slot, added] = connections.try_emplace(id);
  PUSHSIM_ENGINE_ASSERT(added, "connection-id-unique", "connection " + std::to_string(id) + " opened twice");
  Connection& connection = slot->second;
  connection.id = id;
  connection.app = app;
  connection.socket_id = new_socket_id();
  connection.last_received = now;
  connection.quota_counted = cluster_quota;
  const bool authorization_checked = !options.defects.has(Defect::kAuthorizationTimeoutIgnored);
  if (app->user_authentication_required && authorization_checked)
    connection.authorization_deadline = now + app->authorization_timeout;
  const bool indexed = by_socket_id.emplace(connection.socket_id, id).second;
  PUSHSIM_ENGINE_ASSERT(
      indexed, "socket-id-indexed",
      "socket id " + connection.socket_id + " of connection " + std::to_string(id) + " is already a live connection's");
  reschedule(connection);
  std::string announced = connection.socket_id;
  if (options.defects.has(Defect::kAnnouncedSocketIdMismatch)) announced += "1";
  send(id, server_frames::connection_established(announced, options.activity_timeout_s));
}

void Engine::State::close_with_error(TimeNs now, ConnectionId id, int code, std::string_view message) {
  send_error(id, code, message);
  outputs.emplace_back(CloseConnection{id, code, std::string(message)});
  remove(now, id);
}

void Engine::State::remove(TimeNs now, ConnectionId id) {
  Connection* connection = find(id);
  if (connection == nullptr) return;
  unschedule(*connection);
  const std::size_t unindexed = by_socket_id.erase(connection->socket_id);
  PUSHSIM_ENGINE_ASSERT(
      unindexed == 1, "socket-id-indexed",
      "closing connection " + std::to_string(id) + " was not indexed under its socket id " + connection->socket_id);
  // leave() edits connection->channels, so walk a copy.
  const std::set<std::string, std::less<>> channels = connection->channels;
  for (const auto& channel : channels) leave(now, *connection, channel, LeaveCause::kDisconnect);
  PUSHSIM_ENGINE_ASSERT(connection->channels.empty(), "connection-lists-its-channels",
                        "closing connection " + std::to_string(id) + " still lists " +
                            std::to_string(connection->channels.size()) + " channels after leaving them all");
  // Its own watchlist goes first, so that it is not told of its user going offline.
  connection->watchlist.clear();
  count_signed_out(*connection);
  if (connection->quota_counted) cluster_connections(*connection->app, -1);
  connections.erase(id);
}

}  // namespace pushsim
