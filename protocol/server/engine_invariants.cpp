// Engine::invariant_violations(): the bookkeeping rules that every input must preserve, checked
// from the inside. The simulator runs the check after every input when the engine checks are
// on (engine_checks.hpp), the fuzz targets after every input always. Each rule has a stable
// kebab-case name, used in failure messages and by the tests that plant a violation of it.
#include <set>

#include "protocol/channel_name.hpp"
#include "protocol/server/engine_state.hpp"

namespace pushsim {
namespace {

std::string describe_connection(ConnectionId id) { return "connection " + std::to_string(id); }

bool has_race_only_defect(const Defects& defects) {
  for (const auto& info : all_defects()) {
    if (info.race_only && defects.has(info.defect)) return true;
  }
  return false;
}

}  // namespace

// Every subscriber of the app's occupied channels is a live connection of that app that lists
// the channel; presence members are exactly the distinct users of the subscribers; a
// server-to-user channel has only its own user's connections.
void Engine::State::check_channels(const AppConfig& app, std::vector<EngineInvariantViolation>& out) const {
  for (const auto& channel : registry.occupied_channels(app.id)) {
    const std::string where = "app " + app.id + " channel " + channel + ": ";
    const ChannelType type = classify_channel(channel);
    const std::optional<std::string> own_user = server_to_user_id(channel);
    auto subscribers = registry.subscribers(app.id, channel);
    std::set<std::string> users;
    for (ConnectionId id : subscribers) {
      const std::string who = where + "subscriber " + describe_connection(id);
      auto it = connections.find(id);
      if (it == connections.end()) {
        out.push_back({"subscriber-is-live", who + " is not a live connection"});
        continue;
      }
      if (it->second.app != &app) out.push_back({"subscriber-of-its-app", who + " belongs to another app"});
      if (it->second.channels.count(channel) == 0) {
        out.push_back({"connection-lists-its-channels", who + " does not list the channel"});
      }
      auto user = registry.member_of(app.id, channel, id);
      if (user.has_value() != (type.kind == ChannelKind::kPresence)) {
        out.push_back({"presence-subscribers-are-members",
                       who + (user ? " is a presence member of a non-presence channel" : " is not a presence member")});
      }
      if (user) users.insert(*user);
      if (own_user && it->second.user_id != own_user) {
        out.push_back({"server-to-user-channel-of-its-user", who + " is not signed in as " + *own_user});
      }
    }
    auto members = registry.members(app.id, channel);
    if (members.size() != users.size() || registry.member_count(app.id, channel) != users.size()) {
      out.push_back({"members-are-subscribed-users", where + std::to_string(members.size()) + " presence members for " +
                                                         std::to_string(users.size()) + " distinct subscribed users"});
    }
    for (const auto& member : members) {
      if (users.count(member.user_id) == 0) {
        out.push_back(
            {"members-are-subscribed-users", where + "member " + member.user_id + " has no subscribed connection"});
      }
    }
  }
}

// Each live connection's channels are subscriptions in the registry, it is indexed by its
// socket id, and its one deadline entry matches the one it records.
void Engine::State::check_connections(std::vector<EngineInvariantViolation>& out) const {
  for (const auto& [id, connection] : connections) {
    const std::string who = describe_connection(id);
    if (connection.id != id) {
      out.push_back({"connection-id-matches-key", who + " records id " + std::to_string(connection.id)});
    }
    if (connection.app == nullptr) {
      out.push_back({"connection-has-app", who + " has no app"});
      continue;
    }
    for (const auto& channel : connection.channels) {
      if (!registry.is_subscribed(connection.app->id, channel, id)) {
        out.push_back({"connection-channels-are-subscriptions",
                       who + " lists channel " + channel + " the registry does not have it in"});
      }
    }
    auto indexed = by_socket_id.find(connection.socket_id);
    if (indexed == by_socket_id.end() || indexed->second != id) {
      out.push_back({"socket-id-indexed", who + " is not indexed under its socket id " + connection.socket_id});
    }
    if (!connection.scheduled_deadline || deadlines.count({*connection.scheduled_deadline, id}) == 0) {
      out.push_back({"one-deadline-per-connection", who + " has no deadline entry matching the one it records"});
    }
  }
  if (by_socket_id.size() != connections.size()) {
    out.push_back({"socket-id-indexed", std::to_string(by_socket_id.size()) + " socket ids indexed for " +
                                            std::to_string(connections.size()) + " live connections"});
  }
  if (deadlines.size() != connections.size()) {
    out.push_back({"one-deadline-per-connection", std::to_string(deadlines.size()) + " connection deadlines for " +
                                                      std::to_string(connections.size()) + " live connections"});
  }
}

// Only the broken variants that model a round trip put work off or keep lagging records
// (defects.hpp): the reference handles every input completely before the next.
void Engine::State::check_variant_state(std::vector<EngineInvariantViolation>& out) const {
  if (!deferred.empty() && !has_race_only_defect(options.defects)) {
    out.push_back({"deferred-work-only-in-race-variants",
                   std::to_string(deferred.size()) + " pieces of deferred work without a race-only variant"});
  }
  if (!lagging_members.empty() && !options.defects.has(Defect::kMemberCountAfterBroadcast)) {
    out.push_back({"lagging-members-only-in-their-variant", std::to_string(lagging_members.size()) +
                                                                " channels with lagging members in an engine without "
                                                                "member-count-after-broadcast"});
  }
}

// Watchlists: signed_in counts exactly the live connections signed in as each user.
void Engine::State::check_signed_in(std::vector<EngineInvariantViolation>& out) const {
  std::map<std::pair<std::string, std::string>, std::size_t> counted;
  for (const auto& [id, connection] : connections) {
    if (connection.user_id) ++counted[{connection.app->id, *connection.user_id}];
  }
  if (counted != signed_in) {
    out.push_back({"signed-in-users-counted", std::to_string(signed_in.size()) + " users counted online, " +
                                                  std::to_string(counted.size()) + " signed in on live connections"});
  }
}

std::vector<EngineInvariantViolation> Engine::invariant_violations() const {
  std::vector<EngineInvariantViolation> out;
  state_->check_connections(out);
  for (const auto& app : state_->apps) state_->check_channels(app, out);
  state_->registry.check(out);
  state_->check_variant_state(out);
  state_->check_signed_in(out);
  return out;
}

}  // namespace pushsim
