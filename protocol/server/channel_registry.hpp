#pragma once
// Who is subscribed to what: the engine's channel, presence and cache bookkeeping, per app and
// channel, behind one seam.
//
// Theory of operation: the registry only records facts and reports what a change did (the
// channel became occupied, a user's first connection joined, ...); deciding what to send about
// it is the engine's job. Keeping it that way lets a cluster adapter stand behind this
// interface, sharing subscriptions and members between nodes, without touching the handlers.
// Everything is in ordered maps so that subscribers come out ordered by connection id and
// channels by name: fan-out order is deterministic. For fan-out, a channel also keeps its
// subscribers as one contiguous, immutable list, built on the first publish after a change and
// shared with the outputs that name it: publishing again and again to a large, stable channel
// walks no tree and copies nothing, while a change only drops the list (the outputs that hold
// it keep theirs).
#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <vector>

#include "protocol/server/engine.hpp"

namespace pushsim {

struct JoinOutcome {
  bool already_subscribed = false;  // this connection was subscribed: nothing changed
  bool channel_occupied = false;    // first subscriber of the channel
  bool member_added = false;        // presence: the user's first connection in the channel
  std::size_t subscription_count = 0;
};

struct LeaveOutcome {
  bool was_subscribed = false;
  bool channel_vacated = false;               // that was the last subscriber
  std::optional<std::string> member_removed;  // presence: the user's last connection left
  std::size_t subscription_count = 0;
};

class ChannelRegistry {
 public:
  // member: the presence member this connection joins as; nullopt for other channels.
  JoinOutcome subscribe(std::string_view app_id, std::string_view channel, ConnectionId connection,
                        std::optional<PresenceMember> member);
  LeaveOutcome unsubscribe(std::string_view app_id, std::string_view channel, ConnectionId connection);

  bool is_subscribed(std::string_view app_id, std::string_view channel, ConnectionId connection) const;
  // Ordered by connection id.
  std::vector<ConnectionId> subscribers(std::string_view app_id, std::string_view channel) const;
  // The subscribers, ordered by connection id, as the shared list fan-out outputs carry;
  // nullptr when the channel has none. The list never changes once made.
  std::shared_ptr<const std::vector<ConnectionId>> subscriber_list(std::string_view app_id,
                                                                   std::string_view channel) const;
  std::size_t subscription_count(std::string_view app_id, std::string_view channel) const;
  // Occupied channel names of an app, sorted.
  std::vector<std::string> occupied_channels(std::string_view app_id) const;

  // Presence: distinct users, ordered by their first join.
  std::vector<PresenceMember> members(std::string_view app_id, std::string_view channel) const;
  std::size_t member_count(std::string_view app_id, std::string_view channel) const;
  bool has_member(std::string_view app_id, std::string_view channel, std::string_view user_id) const;
  // The user a connection joined a presence channel as.
  std::optional<std::string> member_of(std::string_view app_id, std::string_view channel,
                                       ConnectionId connection) const;

  // Cache channels: the last published event, kept whether or not anyone is subscribed.
  void store_cache(std::string_view app_id, std::string_view channel, CachedEvent event);
  std::optional<CachedEvent> cached(std::string_view app_id, std::string_view channel, TimeNs now) const;
  // Marks a cache miss as reported; true when it had not been since the last stored event,
  // which is how cache_miss webhooks are de-duplicated.
  bool mark_cache_miss_reported(std::string_view app_id, std::string_view channel);
  // Forgets the cached event (only a broken engine variant does this).
  void drop_cache(std::string_view app_id, std::string_view channel);
  // Removes the cache entries that hold nothing live at `now` (no event, or an expired one) of
  // channels nobody is subscribed to; an occupied channel keeps its entry, and with it the
  // de-duplication of its cache_miss webhooks. Returns how many went.
  std::size_t prune_caches(TimeNs now);
  // Cache entries held, live or not, and the bytes they hold (for tests and benchmarks of memory).
  CacheFootprint cache_footprint() const;

  // Appends a violation for each broken rule of the registry's own bookkeeping: a presence
  // member's connections are exactly the subscribers that joined as it, no member is left
  // without a connection, no channel is kept without a subscriber, and only cache channels
  // have cache entries. Part of Engine::invariant_violations().
  void check(std::vector<EngineInvariantViolation>& out) const;

 private:
  struct Member {
    PresenceMember member;
    std::set<ConnectionId> connections;
    std::uint64_t join_sequence = 0;
  };
  struct Channel {
    std::map<ConnectionId, std::optional<std::string>> subscribers;  // -> presence user id
    std::map<std::string, Member, std::less<>> members;
    // `subscribers`' keys, in order; null until a publish needs it after a change.
    mutable std::shared_ptr<const std::vector<ConnectionId>> list;
  };
  struct Cache {
    std::optional<CachedEvent> event;
    bool miss_reported = false;
  };
  // app id -> channel name -> value; std::less<> lets string_views look up without copies.
  template <class T>
  using ByApp = std::map<std::string, std::map<std::string, T, std::less<>>, std::less<>>;

  const Channel* find(std::string_view app_id, std::string_view channel) const;
  void add_member(Channel& entry, ConnectionId connection, PresenceMember member, JoinOutcome& outcome);

  ByApp<Channel> channels_;  // occupied channels only
  ByApp<Cache> caches_;
  std::uint64_t next_join_sequence_ = 1;
};

}  // namespace pushsim
