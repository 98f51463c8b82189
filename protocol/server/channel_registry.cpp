#include "protocol/server/channel_registry.hpp"

#include <algorithm>
#include <utility>

#include "protocol/channel_name.hpp"

namespace pushsim {
namespace {

template <class Map>
auto& slot(Map& by_app, std::string_view app_id, std::string_view channel) {
  auto app = by_app.find(app_id);
  if (app == by_app.end()) app = by_app.emplace(std::string(app_id), typename Map::mapped_type{}).first;
  auto entry = app->second.find(channel);
  if (entry == app->second.end()) {
    entry = app->second.emplace(std::string(channel), typename Map::mapped_type::mapped_type{}).first;
  }
  return entry->second;
}

template <class Map>
const typename Map::mapped_type::mapped_type* lookup(const Map& by_app, std::string_view app_id,
                                                     std::string_view channel) {
  auto app = by_app.find(app_id);
  if (app == by_app.end()) return nullptr;
  auto entry = app->second.find(channel);
  return entry == app->second.end() ? nullptr : &entry->second;
}

std::string registry_place(std::string_view app_id, std::string_view channel) {
  return "app " + std::string(app_id) + " channel " + std::string(channel);
}

}  // namespace

const ChannelRegistry::Channel* ChannelRegistry::find(std::string_view app_id, std::string_view channel) const {
  return lookup(channels_, app_id, channel);
}

JoinOutcome ChannelRegistry::subscribe(std::string_view app_id, std::string_view channel, ConnectionId connection,
                                       std::optional<PresenceMember> member) {
  JoinOutcome outcome;
  Channel& entry = slot(channels_, app_id, channel);
  if (entry.subscribers.count(connection) != 0) {
    outcome.already_subscribed = true;
    outcome.subscription_count = entry.subscribers.size();
    return outcome;
  }
  outcome.channel_occupied = entry.subscribers.empty();
  std::optional<std::string> user_id;
  if (member) user_id = member->user_id;
  entry.subscribers.emplace(connection, user_id);
  entry.list.reset();
  if (member) add_member(entry, connection, std::move(*member), outcome);
  outcome.subscription_count = entry.subscribers.size();
  return outcome;
}

void ChannelRegistry::add_member(Channel& entry, ConnectionId connection, PresenceMember member, JoinOutcome& outcome) {
  auto it = entry.members.find(member.user_id);
  if (it == entry.members.end()) {
    // A user's info is the one its first connection joined with; later connections of the
    // same user do not change what the others were told in member_added.
    std::string user_id = member.user_id;
    it = entry.members.emplace(std::move(user_id), Member{std::move(member), {}, next_join_sequence_++}).first;
    outcome.member_added = true;
  }
  const bool inserted = it->second.connections.insert(connection).second;
  PUSHSIM_ENGINE_ASSERT(inserted, "member-connections-are-subscribers",
                        "connection " + std::to_string(connection) + " joined member " + it->first + " twice");
}

LeaveOutcome ChannelRegistry::unsubscribe(std::string_view app_id, std::string_view channel, ConnectionId connection) {
  LeaveOutcome outcome;
  auto app = channels_.find(app_id);
  if (app == channels_.end()) return outcome;
  auto entry_it = app->second.find(channel);
  if (entry_it == app->second.end()) return outcome;
  Channel& entry = entry_it->second;
  auto sub = entry.subscribers.find(connection);
  if (sub == entry.subscribers.end()) return outcome;

  outcome.was_subscribed = true;
  if (sub->second) {
    auto member = entry.members.find(*sub->second);
    PUSHSIM_ENGINE_ASSERT(member != entry.members.end() && member->second.connections.count(connection) != 0,
                          "member-connections-are-subscribers",
                          registry_place(app_id, channel) + ": leaving connection " + std::to_string(connection) +
                              " is not a connection of its member " + *sub->second);
    if (member != entry.members.end()) {
      member->second.connections.erase(connection);
      if (member->second.connections.empty()) {
        outcome.member_removed = member->first;
        entry.members.erase(member);
      }
    }
  }
  entry.subscribers.erase(sub);
  entry.list.reset();
  outcome.subscription_count = entry.subscribers.size();
  if (entry.subscribers.empty()) {
    outcome.channel_vacated = true;
    app->second.erase(entry_it);
    if (app->second.empty()) channels_.erase(app);
  }
  return outcome;
}

bool ChannelRegistry::is_subscribed(std::string_view app_id, std::string_view channel, ConnectionId connection) const {
  const Channel* entry = find(app_id, channel);
  return entry != nullptr && entry->subscribers.count(connection) != 0;
}

std::vector<ConnectionId> ChannelRegistry::subscribers(std::string_view app_id, std::string_view channel) const {
  std::vector<ConnectionId> out;
  if (const Channel* entry = find(app_id, channel)) {
    out.reserve(entry->subscribers.size());
    for (const auto& [connection, user] : entry->subscribers) out.push_back(connection);
  }
  return out;
}

std::shared_ptr<const std::vector<ConnectionId>> ChannelRegistry::subscriber_list(std::string_view app_id,
                                                                                  std::string_view channel) const {
  const Channel* entry = find(app_id, channel);
  if (entry == nullptr || entry->subscribers.empty()) return nullptr;
  if (entry->list == nullptr) {
    auto list = std::make_shared<std::vector<ConnectionId>>();
    list->reserve(entry->subscribers.size());
    for (const auto& [connection, user] : entry->subscribers) list->push_back(connection);
    entry->list = std::move(list);
  }
  return entry->list;
}

std::size_t ChannelRegistry::subscription_count(std::string_view app_id, std::string_view channel) const {
  const Channel* entry = find(app_id, channel);
  return entry == nullptr ? 0 : entry->subscribers.size();
}

std::vector<std::string> ChannelRegistry::occupied_channels(std::string_view app_id) const {
  std::vector<std::string> out;
  auto app = channels_.find(app_id);
  if (app == channels_.end()) return out;
  for (const auto& [name, entry] : app->second) out.push_back(name);
  return out;
}

std::vector<PresenceMember> ChannelRegistry::members(std::string_view app_id, std::string_view channel) const {
  std::vector<const Member*> ordered;
  if (const Channel* entry = find(app_id, channel)) {
    for (const auto& [user_id, member] : entry->members) ordered.push_back(&member);
  }
  std::sort(ordered.begin(), ordered.end(),
            [](const Member* a, const Member* b) { return a->join_sequence < b->join_sequence; });
  std::vector<PresenceMember> out;
  out.reserve(ordered.size());
  for (const Member* member : ordered) out.push_back(member->member);
  return out;
}

std::size_t ChannelRegistry::member_count(std::string_view app_id, std::string_view channel) const {
  const Channel* entry = find(app_id, channel);
  return entry == nullptr ? 0 : entry->members.size();
}

bool ChannelRegistry::has_member(std::string_view app_id, std::string_view channel, std::string_view user_id) const {
  const Channel* entry = find(app_id, channel);
  return entry != nullptr && entry->members.find(user_id) != entry->members.end();
}

std::optional<std::string> ChannelRegistry::member_of(std::string_view app_id, std::string_view channel,
                                                      ConnectionId connection) const {
  const Channel* entry = find(app_id, channel);
  if (entry == nullptr) return std::nullopt;
  auto sub = entry->subscribers.find(connection);
  if (sub == entry->subscribers.end()) return std::nullopt;
  return sub->second;
}

void ChannelRegistry::store_cache(std::string_view app_id, std::string_view channel, CachedEvent event) {
  PUSHSIM_ENGINE_ASSERT(
      classify_channel(channel).cache, "cache-only-for-cache-channels",
      registry_place(app_id, channel) + ": an event stored for a channel that is not a cache channel");
  Cache& cache = slot(caches_, app_id, channel);
  cache.event = std::move(event);
  cache.miss_reported = false;
}

std::optional<CachedEvent> ChannelRegistry::cached(std::string_view app_id, std::string_view channel,
                                                   TimeNs now) const {
  const Cache* cache = lookup(caches_, app_id, channel);
  if (cache == nullptr || !cache->event || cache->event->expires_at <= now) return std::nullopt;
  return cache->event;
}

void ChannelRegistry::drop_cache(std::string_view app_id, std::string_view channel) {
  PUSHSIM_ENGINE_ASSERT(
      classify_channel(channel).cache, "cache-only-for-cache-channels",
      registry_place(app_id, channel) + ": the cache of a channel that is not a cache channel dropped");
  slot(caches_, app_id, channel).event.reset();
}

std::size_t ChannelRegistry::prune_caches(TimeNs now) {
  std::size_t pruned = 0;
  for (auto app = caches_.begin(); app != caches_.end();) {
    auto& by_name = app->second;
    for (auto it = by_name.begin(); it != by_name.end();) {
      const bool live = it->second.event && it->second.event->expires_at > now;
      if (live || lookup(channels_, app->first, it->first) != nullptr) {
        ++it;
        continue;
      }
      it = by_name.erase(it);
      ++pruned;
    }
    app = by_name.empty() ? caches_.erase(app) : std::next(app);
  }
  return pruned;
}

// Bytes: each entry's name, event and data (their capacities) and the entry itself, plus a
// map node's three pointers and colour; the allocator's own overhead is not counted.
CacheFootprint ChannelRegistry::cache_footprint() const {
  constexpr std::size_t kNodeOverhead = 4 * sizeof(void*);
  CacheFootprint out;
  for (const auto& [app_id, by_name] : caches_) {
    for (const auto& [name, cache] : by_name) {
      ++out.entries;
      out.bytes += kNodeOverhead + sizeof(std::string) + sizeof(Cache) + name.capacity();
      if (cache.event) out.bytes += cache.event->event.capacity() + cache.event->data.capacity();
    }
  }
  return out;
}

bool ChannelRegistry::mark_cache_miss_reported(std::string_view app_id, std::string_view channel) {
  PUSHSIM_ENGINE_ASSERT(classify_channel(channel).cache, "cache-only-for-cache-channels",
                        registry_place(app_id, channel) + ": a cache miss on a channel that is not a cache channel");
  Cache& cache = slot(caches_, app_id, channel);
  if (cache.miss_reported) return false;
  cache.miss_reported = true;
  return true;
}

void ChannelRegistry::check(std::vector<EngineInvariantViolation>& out) const {
  for (const auto& [app_id, by_name] : channels_) {
    for (const auto& [name, entry] : by_name) {
      const std::string where = registry_place(app_id, name) + ": ";
      if (entry.subscribers.empty()) {
        out.push_back({"occupied-channel-has-subscribers", where + "kept with no subscriber"});
      }
      for (const auto& [connection, user] : entry.subscribers) {
        if (!user) continue;
        auto member = entry.members.find(*user);
        if (member == entry.members.end() || member->second.connections.count(connection) == 0) {
          out.push_back({"member-connections-are-subscribers", where + "subscriber " + std::to_string(connection) +
                                                                   " is not a connection of its member " + *user});
        }
      }
      for (const auto& [user_id, member] : entry.members) {
        if (member.connections.empty()) {
          out.push_back({"member-has-connections", where + "member " + user_id + " has no connection"});
        }
        for (ConnectionId connection : member.connections) {
          auto sub = entry.subscribers.find(connection);
          if (sub == entry.subscribers.end() || sub->second != user_id) {
            out.push_back({"member-connections-are-subscribers", where + "member " + user_id + " lists connection " +
                                                                     std::to_string(connection) +
                                                                     ", which is not subscribed as it"});
          }
        }
      }
    }
  }
  for (const auto& [app_id, by_name] : caches_) {
    for (const auto& [name, cache] : by_name) {
      if (!classify_channel(name).cache) {
        out.push_back({"cache-only-for-cache-channels", registry_place(app_id, name) + ": has a cache entry"});
      }
    }
  }
}

}  // namespace pushsim
