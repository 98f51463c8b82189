// pusher:subscribe and pusher:unsubscribe (§3), presence membership (§3.4), subscription
// counting (§3.5) and cache channels (§2.2).
//
// A subscription is checked in this order: request shape, channel name, reserved names,
// authorization (signature, then channel_data), presence limits. Any refusal is one
// pusher:error with code null, as the official service answers, and changes nothing.
// Once accepted, outputs follow in this order: subscription_succeeded to the subscriber;
// webhooks channel_occupied and member_added with member_added frames to the others;
// subscription_count frames and webhook; then the cached event (or cache_miss).
#include <algorithm>

#include "protocol/channel_name.hpp"
#include "protocol/server/engine_state.hpp"
#include "protocol/server/presence_member.hpp"
#include "protocol/server/server_codes.hpp"
#include "protocol/server/server_frames.hpp"
#include "protocol/signing.hpp"

namespace pushsim {
namespace {

// The `channel` of a subscribe/unsubscribe request, whose data pusher-js sends as an object
// (a string holding the same JSON object is accepted too).
std::optional<std::string> requested_channel(const Json& data) {
  if (!data.is_object()) return std::nullopt;
  auto channel = data.find("channel");
  if (channel == data.end() || !channel->is_string()) return std::nullopt;
  return channel->get<std::string>();
}

std::optional<std::string> string_field(const Json& data, const char* key) {
  auto it = data.find(key);
  if (it == data.end() || !it->is_string()) return std::nullopt;
  return it->get<std::string>();
}

}  // namespace

void Engine::State::on_subscribe(TimeNs now, Connection& connection, const Frame& frame) {
  const Json data = frame.decoded_data();
  auto channel = requested_channel(data);
  if (!channel) {
    return send_error(connection.id, server_codes::kNonFatal,
                      "Invalid pusher:subscribe: data must be an object with a string channel");
  }
  auto refuse = [&](const std::string& message) {
    if (options.defects.has(Defect::kSilentRefusals)) return;
    if (options.defects.has(Defect::kSubscriptionErrorRefusals)) {
      return send(connection.id, server_frames::subscription_error(*channel, "AuthError", message, 401));
    }
    send_error(connection.id, server_codes::kNonFatal, message);
  };
  if (auto invalid = validate_channel_name(*channel, options.limits.channel_name_max, /*allow_internal=*/true)) {
    return refuse("Invalid channel name " + *channel + ": " + invalid->message);
  }
  const ChannelType type = classify_channel(*channel);
  if (type.kind == ChannelKind::kReservedInternal) {
    return refuse("Cannot subscribe to " + *channel + ": names starting with # are reserved");
  }
  if (type.kind == ChannelKind::kServerToUser && connection.user_id != server_to_user_id(*channel)) {
    return refuse("Cannot subscribe to " + *channel + ": the connection is not signed in as that user");
  }

  std::optional<PresenceMember> member;
  if (requires_auth(type.kind)) {
    const std::string auth = string_field(data, "auth").value_or("");
    if (auth.empty()) return refuse("Auth info required to subscribe to " + *channel);
    std::optional<std::string> channel_data;
    if (type.kind == ChannelKind::kPresence) {
      channel_data = string_field(data, "channel_data");
      if (!channel_data) return refuse("Presence channel_data required to subscribe to " + *channel);
    }
    const AppCredentials credentials = connection.app->credentials();
    // The broken variant also takes the private-channel form, socket_id:channel, for a
    // presence channel: a signature that leaves channel_data free to be anything.
    const bool verified = verify_channel_auth(credentials, auth, connection.socket_id, *channel, channel_data) ||
                          (channel_data && options.defects.has(Defect::kChannelDataUnsigned) &&
                           verify_channel_auth(credentials, auth, connection.socket_id, *channel, std::nullopt));
    if (!verified && !options.defects.has(Defect::kAcceptBadChannelAuth)) {
      // The expected digest stays secret: only the string it signs is named.
      return refuse("Invalid signature: Expected HMAC SHA256 hex digest of " +
                    channel_string_to_sign(connection.socket_id, *channel, channel_data) + ", but got " + auth);
    }
    if (channel_data) {
      auto parsed = parse_presence_member(*channel_data, options.limits);
      if (!parsed) return refuse("Invalid channel_data for " + *channel + ": " + parsed.error().message);
      member = std::move(parsed).value();
      const std::string& app_id = connection.app->id;
      // An existing member's further connections are let in even when the channel is full
      // (official leniency; soketi refuses them).
      bool known = registry.has_member(app_id, *channel, member->user_id);
      std::size_t count = registry.member_count(app_id, *channel);
      if (cluster != nullptr) {  // the channel's members on every node
        const std::vector<PresenceMember> present = shared_members(app_id, *channel);
        known = std::any_of(present.begin(), present.end(),
                            [&](const PresenceMember& m) { return m.user_id == member->user_id; });
        count = present.size();
      }
      if (!known && count >= options.limits.presence_members_max) {
        return refuse("Cannot subscribe to " + *channel + ": the presence channel is full (" +
                      std::to_string(options.limits.presence_members_max) + " members)");
      }
    }
  }
  join(now, connection, *channel, std::move(member));
}

void Engine::State::join(TimeNs now, Connection& connection, const std::string& channel,
                         std::optional<PresenceMember> member) {
  const AppConfig& app = *connection.app;
  const ChannelType type = classify_channel(channel);
  const bool presence = member.has_value();
  std::optional<PresenceMember> joined = member;
  PUSHSIM_ENGINE_ASSERT(presence == (type.kind == ChannelKind::kPresence), "presence-subscribers-are-members",
                        "connection " + std::to_string(connection.id) + " joins " + channel +
                            (presence ? " as a presence member" : " without a presence member"));
  const bool listed = connection.channels.count(channel) != 0;
  const JoinOutcome local = registry.subscribe(app.id, channel, connection.id, std::move(member));
  const JoinOutcome outcome = cluster != nullptr ? cluster_join(app, channel, local, joined) : local;
  PUSHSIM_ENGINE_ASSERT(
      outcome.already_subscribed == listed, "connection-lists-its-channels",
      "connection " + std::to_string(connection.id) + (listed ? " lists " : " does not list ") + channel +
          (outcome.already_subscribed ? ", which the registry has it in" : ", which the registry does not have it in"));
  connection.channels.insert(channel);
  // Authorized connections (§4.6): a private or presence subscription counts, a public one not.
  const bool authorizes = requires_auth(type.kind) ? !options.defects.has(Defect::kPrivateSubscribeNotAuthorizing)
                                                   : options.defects.has(Defect::kPublicSubscribeAuthorizes);
  if (authorizes) mark_authorized(connection);

  if (type.cache && options.defects.has(Defect::kCacheBeforeSucceeded)) send_cache(now, connection, channel);
  if (options.defects.has(Defect::kListsVacatedChannels)) once_occupied.emplace(app.id, channel);
  if (presence) {
    const auto members = members_seen_by_joiner(now, app, channel, joined->user_id);
    if (cluster != nullptr) {
      MemberView& view = member_views[{connection.id, channel}];
      view.list_version = cluster->member_version(app.id, channel);
      view.present.clear();
      for (const auto& in_list : members) view.present.insert(in_list.user_id);
    }
    send(connection.id, server_frames::presence_subscription_succeeded(channel, members));
  } else {
    send(connection.id, server_frames::subscription_succeeded(channel, options.subscription_succeeded_data));
  }
  if (!outcome.already_subscribed) {
    if (outcome.channel_occupied) emit_webhook(now, app, webhook_event("channel_occupied", channel));
    const bool member_added =
        outcome.member_added || (presence && options.defects.has(Defect::kMemberAddedPerConnection));
    if (member_added) {
      const bool object_data = options.defects.has(Defect::kObjectMemberData);
      std::string text = server_frames::member_added(channel, *joined, object_data);
      if (cluster != nullptr) {
        broadcast_member_event(app, channel, std::move(text), connection.id, joined->user_id, member_change_version);
      } else {
        broadcast(app, channel, std::move(text), connection.id);
      }
      WebhookEvent added = webhook_event("member_added", channel);
      added.user_id = joined->user_id;
      emit_webhook(now, app, std::move(added));
    }
    if (options.defects.has(Defect::kStaleSubscriptionCount)) {
      // The count read at the join is published a round trip later, whatever happened since.
      defer(now, [this, &app, channel, count = outcome.subscription_count](TimeNs at) {
        after_count_change(at, app, channel, count);
      });
    } else {
      after_count_change(now, app, channel, outcome.subscription_count);
    }
  }
  if (type.cache && !options.defects.has(Defect::kCacheBeforeSucceeded)) send_cache(now, connection, channel);
}

// How long a new member's record lags its broadcast under kMemberCountAfterBroadcast: the
// round trip to a shared store in a server that broadcasts first and counts afterwards.
constexpr DurationNs kMemberRecordLag = ms(1);

std::vector<PresenceMember> Engine::State::members_seen_by_joiner(TimeNs now, const AppConfig& app,
                                                                  const std::string& channel,
                                                                  const std::string& joiner) {
  std::vector<PresenceMember> members = shared_members(app.id, channel);
  if (!options.defects.has(Defect::kMemberCountAfterBroadcast)) return members;
  auto& lagging = lagging_members[app.id + "/" + channel];
  std::erase_if(lagging, [&](const auto& entry) { return entry.second + kMemberRecordLag <= now; });
  std::erase_if(members, [&](const PresenceMember& m) {
    return m.user_id != joiner &&
           std::any_of(lagging.begin(), lagging.end(), [&](const auto& entry) { return entry.first == m.user_id; });
  });
  lagging.emplace_back(joiner, now);
  return members;
}

void Engine::State::on_unsubscribe(TimeNs now, Connection& connection, const Frame& frame) {
  auto channel = requested_channel(frame.decoded_data());
  if (!channel) {
    return send_error(connection.id, server_codes::kNonFatal,
                      "Invalid pusher:unsubscribe: data must be an object with a string channel");
  }
  if (options.defects.has(Defect::kUnsubscribeIgnored)) return;
  leave(now, connection, *channel, LeaveCause::kUnsubscribe);  // no reply, whether or not it was subscribed
}

void Engine::State::leave(TimeNs now, Connection& connection, const std::string& channel, LeaveCause cause) {
  const AppConfig& app = *connection.app;
  std::optional<std::string> leaving_user = registry.member_of(app.id, channel, connection.id);
  const LeaveOutcome local = registry.unsubscribe(app.id, channel, connection.id);
  const LeaveOutcome outcome = cluster != nullptr ? cluster_leave(app, channel, local, leaving_user) : local;
  const std::size_t listed = connection.channels.erase(channel);
  if (cluster != nullptr) member_views.erase({connection.id, channel});
  PUSHSIM_ENGINE_ASSERT(
      outcome.was_subscribed == (listed == 1), "connection-lists-its-channels",
      "connection " + std::to_string(connection.id) + (listed == 1 ? " listed " : " did not list ") + channel +
          (outcome.was_subscribed ? ", which the registry had it in" : ", which the registry did not have it in"));
  PUSHSIM_ENGINE_ASSERT(!outcome.member_removed || outcome.member_removed == leaving_user,
                        "member-connections-are-subscribers",
                        "connection " + std::to_string(connection.id) + " leaving " + channel + " as " +
                            leaving_user.value_or("nobody") + " removed member " + outcome.member_removed.value_or(""));
  if (!outcome.was_subscribed) return;
  std::optional<std::string> member_removed = outcome.member_removed;
  if (options.defects.has(Defect::kMemberRemovedOnAnyLeave) && leaving_user) member_removed = leaving_user;
  if (member_removed && options.defects.has(Defect::kLateMemberRemoved)) {
    // Decided now, announced after a round trip without asking again whether the user came back.
    defer(now, [this, &app, channel, user = *member_removed](TimeNs at) {
      announce_member_removed(at, app, channel, user);
    });
  } else if (member_removed) {
    announce_member_removed(now, app, channel, *member_removed, member_change_version);
  }
  if (outcome.channel_vacated) {
    const bool suppressed = options.defects.has(Defect::kNoChannelVacated) ||
                            (cause == LeaveCause::kDisconnect && options.defects.has(Defect::kNoVacatedOnDisconnect));
    if (suppressed) return;
    if (options.defects.has(Defect::kStaleVacatedCount)) {
      // The count of zero was read before a round trip and is trusted after it.
      defer(now,
            [this, &app, channel](TimeNs at) { emit_webhook(at, app, webhook_event("channel_vacated", channel)); });
    } else {
      emit_webhook(now, app, webhook_event("channel_vacated", channel));
    }
  } else {
    after_count_change(now, app, channel, outcome.subscription_count);
  }
}

void Engine::State::announce_member_removed(TimeNs now, const AppConfig& app, const std::string& channel,
                                            const std::string& user_id, std::uint64_t version) {
  if (cluster != nullptr) {
    broadcast_member_event(app, channel, server_frames::member_removed(channel, user_id), std::nullopt, user_id,
                           version);
  } else {
    broadcast(app, channel, server_frames::member_removed(channel, user_id), std::nullopt);
  }
  WebhookEvent removed = webhook_event("member_removed", channel);
  removed.user_id = user_id;
  emit_webhook(now, app, std::move(removed));
}

// Subscription counting is per app, never on presence channels, and says nothing about an
// empty channel (channel_vacated does).
//
// The throttle (§3.5): the official service sends the count of a channel with more than 100
// subscribers at most once every 5 s while there is churn. A change that leaves the channel
// above 100 goes out at once when no window is open, and opens one; inside a window it is held,
// and the window's end sends the channel's count as it is then, once, which opens the next
// window. A change that leaves 100 or fewer goes out at once and closes the window, and with it
// whatever was held (that count is older). Windows end on the engine's timer (tick), in virtual
// time. In a cluster each node throttles the counts its own changes send (the frame to every
// node's subscribers, through the bus, and the webhook); a peer passes on what arrives at once,
// with the store's count (docs/cluster.md).
constexpr std::size_t kCountThrottleAbove = 100;
constexpr DurationNs kCountThrottleWindow = seconds(5);

void Engine::State::after_count_change(TimeNs now, const AppConfig& app, const std::string& channel,
                                       std::size_t count) {
  if (!app.subscription_count || count == 0) return;
  const bool presence = classify_channel(channel).kind == ChannelKind::kPresence;
  if (presence && !options.defects.has(Defect::kSubscriptionCountOnPresence)) return;
  const std::pair<std::string, std::string> key{app.id, channel};
  if (count <= kCountThrottleAbove || options.defects.has(Defect::kSubscriptionCountUnthrottled)) {
    close_count_window(key);
    return send_subscription_count(now, app, channel, count);
  }
  auto window = count_windows.find(key);
  if (window != count_windows.end()) {
    window->second.held = true;
    return;
  }
  send_subscription_count(now, app, channel, count);
  open_count_window(now, key);
}

void Engine::State::send_subscription_count(TimeNs now, const AppConfig& app, const std::string& channel,
                                            std::size_t count) {
  if (options.defects.has(Defect::kMiscountSubscriptionCount)) count += 1;
  broadcast(app, channel, server_frames::subscription_count(channel, count), std::nullopt);
  WebhookEvent counted = webhook_event("subscription_count", channel);
  counted.subscription_count = count;
  emit_webhook(now, app, std::move(counted));
}

void Engine::State::open_count_window(TimeNs now, const std::pair<std::string, std::string>& key) {
  const TimeNs ends_at = now + kCountThrottleWindow;
  count_windows.insert_or_assign(key, CountWindow{ends_at, false});
  count_window_ends.emplace(ends_at, key);
}

void Engine::State::close_count_window(const std::pair<std::string, std::string>& key) {
  auto window = count_windows.find(key);
  if (window == count_windows.end()) return;
  count_window_ends.erase({window->second.ends_at, key});
  count_windows.erase(window);
}

void Engine::State::end_count_windows(TimeNs now) {
  while (!count_window_ends.empty() && count_window_ends.begin()->first <= now) {
    const auto [ends_at, key] = *count_window_ends.begin();
    const bool held = count_windows.at(key).held;
    close_count_window(key);
    if (!held || options.defects.has(Defect::kThrottledCountDropped)) continue;
    const AppConfig* app = app_with_id(key.first);
    if (app == nullptr) continue;
    const std::size_t count = cluster != nullptr ? cluster->subscription_count(key.first, key.second)
                                                 : registry.subscription_count(key.first, key.second);
    if (count == 0) continue;  // vacated meanwhile: channel_vacated said so
    send_subscription_count(ends_at, *app, key.second, count);
    if (count > kCountThrottleAbove) open_count_window(ends_at, key);
  }
}

std::size_t Engine::State::counts_held() const {
  return static_cast<std::size_t>(
      std::count_if(count_windows.begin(), count_windows.end(), [](const auto& entry) { return entry.second.held; }));
}

// A cache_miss webhook goes out for the first miss after each stored event (or ever, for a
// channel never published to); later misses on the still-empty channel are not repeated,
// though every subscriber still gets its pusher:cache_miss frame.
void Engine::State::send_cache(TimeNs now, Connection& connection, const std::string& channel) {
  const AppConfig& app = *connection.app;
  if (options.defects.has(Defect::kDropCacheOnSubscribe)) registry.drop_cache(app.id, channel);
  prune_caches_now_and_then(now);
  // The broken variant reads the cache as at the epoch, before anything could expire.
  const TimeNs read_at = options.defects.has(Defect::kCacheNeverExpires) ? 0 : now;
  if (auto cached = registry.cached(app.id, channel, read_at)) {
    send(connection.id, server_frames::channel_event(channel, cached->event, cached->data));
    return;
  }
  send(connection.id, server_frames::cache_miss(channel));
  if (registry.mark_cache_miss_reported(app.id, channel)) {
    emit_webhook(now, app, webhook_event("cache_miss", channel));
  }
}

// How often at most the cache is swept for expired entries.
constexpr DurationNs kCachePruneInterval = seconds(60);

void Engine::State::prune_caches_now_and_then(TimeNs now) {
  // A server whose cache never expires never prunes it either.
  if (now < next_cache_prune || options.defects.has(Defect::kCacheNeverExpires)) return;
  registry.prune_caches(now);
  next_cache_prune = now + kCachePruneInterval;
}

}  // namespace pushsim
