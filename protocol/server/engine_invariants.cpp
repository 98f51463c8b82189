// Engine::invariant_violations(): the bookkeeping rules that every input must preserve,
// checked from the inside (the fuzz targets call it after every input).
#include <set>

#include "protocol/server/engine_state.hpp"

namespace pushsim {
namespace {

std::string describe(ConnectionId id) { return "connection " + std::to_string(id); }

}  // namespace

// Every subscriber of the app's occupied channels is a live connection of that app that
// lists the channel; presence members are exactly the distinct users of the subscribers.
void Engine::State::check_channels(const AppConfig& app, std::vector<std::string>& out) const {
  for (const auto& channel : registry.occupied_channels(app.id)) {
    const std::string where = "app " + app.id + " channel " + channel + ": ";
    auto subscribers = registry.subscribers(app.id, channel);
    if (subscribers.empty()) out.push_back(where + "listed as occupied with no subscriber");
    std::set<std::string> users;
    for (ConnectionId id : subscribers) {
      auto it = connections.find(id);
      if (it == connections.end()) {
        out.push_back(where + "subscriber " + describe(id) + " is not a live connection");
        continue;
      }
      if (it->second.app != &app) out.push_back(where + "subscriber " + describe(id) + " belongs to another app");
      if (it->second.channels.count(channel) == 0) {
        out.push_back(where + "subscriber " + describe(id) + " does not list the channel");
      }
      if (auto user = registry.member_of(app.id, channel, id)) users.insert(*user);
    }
    auto members = registry.members(app.id, channel);
    if (members.size() != users.size() || registry.member_count(app.id, channel) != users.size()) {
      out.push_back(where + std::to_string(members.size()) + " presence members for " + std::to_string(users.size()) +
                    " distinct subscribed users");
    }
    for (const auto& member : members) {
      if (users.count(member.user_id) == 0) {
        out.push_back(where + "member " + member.user_id + " has no subscribed connection");
      }
    }
  }
}

// Each live connection's channels are subscriptions in the registry, it is indexed by its
// socket id, and its one deadline entry matches the one it records.
void Engine::State::check_connections(std::vector<std::string>& out) const {
  for (const auto& [id, connection] : connections) {
    if (connection.id != id) out.push_back(describe(id) + " records id " + std::to_string(connection.id));
    if (connection.app == nullptr) {
      out.push_back(describe(id) + " has no app");
      continue;
    }
    for (const auto& channel : connection.channels) {
      if (!registry.is_subscribed(connection.app->id, channel, id)) {
        out.push_back(describe(id) + " lists channel " + channel + " the registry does not have it in");
      }
    }
    auto indexed = by_socket_id.find(connection.socket_id);
    if (indexed == by_socket_id.end() || indexed->second != id) {
      out.push_back(describe(id) + " is not indexed under its socket id " + connection.socket_id);
    }
    if (!connection.scheduled_deadline || deadlines.count({*connection.scheduled_deadline, id}) == 0) {
      out.push_back(describe(id) + " has no deadline entry matching the one it records");
    }
  }
  if (by_socket_id.size() != connections.size()) {
    out.push_back(std::to_string(by_socket_id.size()) + " socket ids indexed for " +
                  std::to_string(connections.size()) + " live connections");
  }
  if (deadlines.size() != connections.size()) {
    out.push_back(std::to_string(deadlines.size()) + " connection deadlines for " + std::to_string(connections.size()) +
                  " live connections");
  }
}

std::vector<std::string> Engine::invariant_violations() const {
  std::vector<std::string> out;
  state_->check_connections(out);
  for (const auto& app : state_->apps) state_->check_channels(app, out);
  return out;
}

}  // namespace pushsim
