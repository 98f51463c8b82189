// pusher:signin (§4.5) and the authorized-connections deadline (§4.6).
//
// A refused sign-in is a pusher:error with code 4009 (the official code is unconfirmed;
// 4009 "connection is unauthorized" is what soketi uses) and, unlike soketi, the connection
// stays open: the client may retry, and an authorized-connections deadline still applies.
//
// Watchlists (§4.6): user_data may carry `watchlist`, an array of user ids. A user is online
// while at least one live connection of the app is signed in as it (`signed_in` counts them).
// After signin_success the connection gets, when its watchlist is not empty, one
// pusher_internal:watchlist_events with an `online` entry (the watched users online now) and
// an `offline` entry (the rest), each only when not empty, in watchlist order. Afterwards
// every watcher hears `online` when a watched user's first connection signs in and `offline`
// when its last one goes. A watchlist over limits.watchlist_max keeps its first ids and the
// sign-in still succeeds, followed by pusher:error 4302.
#include <algorithm>

#include "protocol/channel_name.hpp"
#include "protocol/server/engine_state.hpp"
#include "protocol/server/server_codes.hpp"
#include "protocol/server/server_frames.hpp"
#include "protocol/signing.hpp"

namespace pushsim {
namespace {

struct SigninRequest {
  std::string auth;
  std::string user_data;
};

Result<SigninRequest> read_request(const Json& data) {
  if (!data.is_object()) return make_error("data must be an object");
  auto auth = data.find("auth");
  auto user_data = data.find("user_data");
  if (auth == data.end() || !auth->is_string()) return make_error("auth must be a string");
  if (user_data == data.end() || !user_data->is_string()) return make_error("user_data must be a string");
  return SigninRequest{auth->get<std::string>(), user_data->get<std::string>()};
}

struct SignedUser {
  std::string id;
  std::vector<std::string> watchlist;  // whole, as given
};

// The non-empty string `id` of user_data, and its watchlist (an array of user ids) if any.
Result<SignedUser> signed_user_of(std::string_view user_data, std::size_t user_id_max) {
  Json parsed = Json::parse(user_data.begin(), user_data.end(), nullptr, /*allow_exceptions=*/false);
  if (parsed.is_discarded() || !parsed.is_object()) return make_error("user_data must be a JSON object");
  auto id = parsed.find("id");
  if (id == parsed.end() || !id->is_string() || id->get_ref<const std::string&>().empty()) {
    return make_error("user_data must have a non-empty string id");
  }
  SignedUser user;
  user.id = id->get<std::string>();
  if (auto invalid = validate_user_id(user.id, user_id_max)) return *invalid;
  auto watchlist = parsed.find("watchlist");
  if (watchlist == parsed.end()) return user;
  if (!watchlist->is_array()) return make_error("watchlist must be an array of user ids");
  for (const auto& entry : *watchlist) {
    if (!entry.is_string()) return make_error("watchlist must be an array of user ids");
    user.watchlist.push_back(entry.get<std::string>());
  }
  return user;
}

bool watches(const Connection& connection, std::string_view user_id) {
  return std::find(connection.watchlist.begin(), connection.watchlist.end(), user_id) != connection.watchlist.end();
}

}  // namespace

void Engine::State::on_signin(TimeNs /*now*/, Connection& connection, const Frame& frame) {
  auto refuse = [&](const std::string& why) {
    send_error(connection.id, server_codes::kUnauthorized, "Sign-in rejected: " + why);
  };
  auto request = read_request(frame.decoded_data());
  if (!request) return refuse(request.error().message);
  if (!verify_user_auth(connection.app->credentials(), request->auth, connection.socket_id, request->user_data)) {
    return refuse("invalid signature for " + user_string_to_sign(connection.socket_id, request->user_data));
  }
  auto parsed = signed_user_of(request->user_data, options.limits.presence_user_id_max);
  if (!parsed) return refuse(parsed.error().message);
  SignedUser user = std::move(parsed).value();
  const bool switches = connection.user_id && *connection.user_id != user.id;
  if (switches && !options.defects.has(Defect::kSigninSwitchesUser)) {
    return refuse("the connection is already signed in as another user");
  }
  // The broken variant lets the user change: the old one leaves as if its connection closed.
  if (switches) count_signed_out(connection);
  const bool first_signin = !connection.user_id || switches;
  connection.user_id = user.id;
  connection.user_data = request->user_data;
  const std::size_t limit = options.limits.watchlist_max;
  const bool over_limit = user.watchlist.size() > limit && !options.defects.has(Defect::kWatchlistUnlimited);
  if (over_limit) user.watchlist.resize(limit);
  connection.watchlist = std::move(user.watchlist);
  if (options.defects.has(Defect::kWatchlistIgnored)) connection.watchlist.clear();
  if (!options.defects.has(Defect::kSigninNotAuthorizing)) mark_authorized(connection);
  send(connection.id, server_frames::signin_success(request->user_data));
  if (over_limit) {
    send_error(connection.id, server_codes::kWatchlistLimit,
               "Watchlist limit exceeded: only the first " + std::to_string(limit) + " user ids are kept");
  }
  send_watchlist_state(connection);
  count_signed_in(connection, first_signin);
}

void Engine::State::count_signed_in(Connection& connection, bool first_signin) {
  if (!first_signin) return;
  const AppConfig& app = *connection.app;
  std::size_t& count = signed_in[{app.id, *connection.user_id}];
  ++count;
  const bool first = cluster_users() ? cluster_signed_in(app, *connection.user_id, +1) == 1 : count == 1;
  if (first || options.defects.has(Defect::kWatchlistEventsPerConnection)) {
    announce_user(app, *connection.user_id, "online");
  }
}

void Engine::State::count_signed_out(const Connection& connection) {
  if (!connection.user_id) return;
  const AppConfig& app = *connection.app;
  auto it = signed_in.find({app.id, *connection.user_id});
  PUSHSIM_ENGINE_ASSERT(it != signed_in.end() && it->second > 0, "signed-in-users-counted",
                        "connection " + std::to_string(connection.id) + " signed in as " + *connection.user_id +
                            " leaves, but its user is not counted online");
  bool last = --it->second == 0;
  if (last) signed_in.erase(it);
  if (cluster_users()) last = cluster_signed_in(app, *connection.user_id, -1) == 0;
  if (last || options.defects.has(Defect::kWatchlistEventsPerConnection)) {
    announce_user(app, *connection.user_id, "offline");
  }
}

// The watchers on this node, and in a cluster those on the others.
void Engine::State::announce_user(const AppConfig& app, const std::string& user_id, std::string_view name) {
  notify_watchers(app, user_id, name);
  if (cluster_users()) publish_user_notice(app, user_id, std::string(name));
}

// Linear in the connections; sign-ins and departures are rare next to events. Connections are
// walked in id order, so the frames come out in a fixed order.
void Engine::State::notify_watchers(const AppConfig& app, const std::string& user_id, std::string_view name) {
  std::shared_ptr<const std::string> text;
  for (const auto& [id, watcher] : connections) {
    if (watcher.app != &app || !watches(watcher, user_id)) continue;
    if (!text) {
      text = std::make_shared<const std::string>(
          server_frames::watchlist_events({{std::string(name), std::vector<std::string>{user_id}}}));
    }
    send_shared(id, text);
  }
}

void Engine::State::send_watchlist_state(const Connection& connection) {
  if (connection.watchlist.empty()) return;
  server_frames::WatchlistEvent online{"online", {}};
  server_frames::WatchlistEvent offline{"offline", {}};
  const std::set<std::string> online_elsewhere =
      cluster_users() ? users_signed_in(*connection.app) : std::set<std::string>{};
  for (const auto& user_id : connection.watchlist) {
    const bool is_online = signed_in.count({connection.app->id, user_id}) != 0 || online_elsewhere.count(user_id) != 0;
    (is_online ? online : offline).user_ids.push_back(user_id);
  }
  std::vector<server_frames::WatchlistEvent> events;
  if (!online.user_ids.empty()) events.push_back(std::move(online));
  if (!offline.user_ids.empty()) events.push_back(std::move(offline));
  send(connection.id, server_frames::watchlist_events(events));
}

void Engine::State::mark_authorized(Connection& connection) {
  if (!connection.authorization_deadline) return;
  connection.authorization_deadline.reset();
  reschedule(connection);
}

}  // namespace pushsim
