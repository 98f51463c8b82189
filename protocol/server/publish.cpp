// Operations the REST API drives: publishing (§7.3, §6, §2.2) and terminating a user's
// connections (§4.6).
#include "protocol/channel_name.hpp"
#include "protocol/server/engine_state.hpp"
#include "protocol/server/server_codes.hpp"
#include "protocol/server/server_frames.hpp"

namespace pushsim {

PublishOutcome Engine::State::publish(TimeNs now, const AppConfig& app, std::string_view channel,
                                      std::string_view event, std::string_view data,
                                      std::optional<std::string_view> exclude_socket_id) {
  std::optional<ConnectionId> excluded;
  if (exclude_socket_id && !options.defects.has(Defect::kIgnoreSocketExclusion)) {
    // Only a live connection of this very app is excluded; anything else excludes nobody.
    auto it = by_socket_id.find(*exclude_socket_id);
    if (it != by_socket_id.end() && connections.at(it->second).app->id == app.id) excluded = it->second;
  }
  std::optional<CachedEvent> shared_cache;
  if (classify_channel(channel).cache) {
    prune_caches_now_and_then(now);
    CachedEvent cached{std::string(event), std::string(data), now + options.cache_ttl};
    shared_cache = cached;
    if (options.defects.has(Defect::kCacheWrittenAfterFanout)) {
      // Written back after a round trip: whoever subscribes meanwhile reads the old value.
      defer(now, [this, app_id = app.id, name = std::string(channel), cached](TimeNs) {
        registry.store_cache(app_id, name, cached);
      });
    } else {
      registry.store_cache(app.id, channel, std::move(cached));
    }
  }
  PublishOutcome outcome;
  std::string text = server_frames::channel_event(channel, event, data);
  if (cluster != nullptr) {
    // The socket_id goes to the other nodes as text: the excluded socket may be on any of them.
    std::optional<std::string> exclude;
    if (exclude_socket_id && !options.defects.has(Defect::kIgnoreSocketExclusion)) exclude = *exclude_socket_id;
    share_with_peers(app, channel, text, std::move(exclude), std::move(shared_cache));
  }
  outcome.delivered = broadcast_local(app, channel, std::move(text), excluded);
  return outcome;
}

// In a cluster the other nodes close theirs when the notice reaches them (cluster_node.cpp).
std::size_t Engine::State::terminate_user(TimeNs now, const AppConfig& app, std::string_view user_id) {
  if (cluster != nullptr && !options.defects.has(Defect::kTerminateLocalOnly)) {
    publish_user_notice(app, std::string(user_id), "terminate");
  }
  return terminate_local(now, app, user_id);
}

std::size_t Engine::State::terminate_local(TimeNs now, const AppConfig& app, std::string_view user_id) {
  std::vector<ConnectionId> victims;  // collected first: closing edits `connections`
  for (const auto& [id, connection] : connections) {
    if (connection.app->id == app.id && connection.user_id == user_id) victims.push_back(id);
  }
  for (ConnectionId id : victims) {
    close_with_error(now, id, server_codes::kUnauthorized, "You got disconnected by the app.");
  }
  return victims.size();
}

}  // namespace pushsim
