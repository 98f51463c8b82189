// The engine as one node of a cluster (cluster_link.hpp has the theory of operation): the
// cluster-wide view of joins and leaves, broadcasts shared with the other nodes, the removal
// delay held in the shared store, heartbeats and the take-over of dead nodes.
//
// The cluster-only broken variants (defects.hpp, "cluster:") switch here, each at the one
// place where a real clustered server made that mistake.
#include "protocol/server/engine_state.hpp"
#include "protocol/server/server_frames.hpp"

namespace pushsim {
namespace {

bool names_removal(const std::string& name) { return name == "channel_vacated" || name == "member_removed"; }
bool names_addition(const std::string& name) { return name == "channel_occupied" || name == "member_added"; }

bool is_subscription_count_frame(const std::string& text) {
  if (text.find("pusher_internal:subscription_count") == std::string::npos) return false;
  auto frame = decode_frame(text);
  return frame && frame->event == "pusher_internal:subscription_count";
}

RemovalKey held_removal_key(const std::string& app_id, const WebhookEvent& event) {
  return RemovalKey{app_id, event.channel, event.user_id.value_or("")};
}

}  // namespace

void Engine::attach_cluster(TimeNs now, ClusterLink& link) {
  State& state = *state_;
  state.cluster = &link;
  state.webhooks.set_release_check([&link](const std::string& app_id, const WebhookEvent& event, std::uint64_t hold) {
    return link.release_removal(held_removal_key(app_id, event), hold);
  });
  // A restarted node's previous life may still be in the store: take it out before counting anew.
  if (auto remains = link.claim_node(link.node(), now)) state.take_over(now, *remains);
  state.next_heartbeat = now;
  state.cluster_tick(now);
}

const AppConfig* Engine::State::app_with_id(std::string_view id) const {
  for (const auto& app : apps) {
    if (app.id == id) return &app;
  }
  return nullptr;
}

std::vector<PresenceMember> Engine::State::shared_members(std::string_view app_id, std::string_view channel) const {
  if (cluster == nullptr || options.defects.has(Defect::kMemberListPerNode)) return registry.members(app_id, channel);
  return cluster->members(app_id, channel);
}

bool Engine::State::delays_removals(const AppConfig& app) const {
  // Each node on its own under these: the dispatcher's own delay cancels only this node's removals.
  if (options.defects.has(Defect::kWebhooksPerNode) || options.defects.has(Defect::kRemovalHoldPerNode)) return false;
  return !app.webhooks.empty();  // emit_webhook sends nothing else: nothing to hold
}

void Engine::State::note_removal_decision(RemovalKey key, const ClusterLink::RemovalDecision& decision) {
  if (decision.hold != 0 || decision.cancelled) removal_decisions[std::move(key)] = decision;
}

// A hold that no webhook took (its emission was skipped) would cancel a later, unrelated
// addition: drop it from the store.
void Engine::State::give_up_removal_decisions() {
  for (const auto& [key, decision] : removal_decisions) {
    if (decision.hold != 0) cluster->release_removal(key, decision.hold);
  }
  removal_decisions.clear();
}

JoinOutcome Engine::State::cluster_join(const AppConfig& app, const std::string& channel, const JoinOutcome& local,
                                        const std::optional<PresenceMember>& member) {
  if (local.already_subscribed) return local;
  give_up_removal_decisions();
  const bool delay = delays_removals(app);
  JoinOutcome shared = local;
  const ClusterLink::SubscriptionChange subscriptions = cluster->add_subscription(app.id, channel, +1, delay);
  shared.subscription_count = subscriptions.count;
  note_removal_decision(RemovalKey{app.id, channel, ""}, subscriptions.removal);
  const bool per_node = options.defects.has(Defect::kWebhooksPerNode);
  if (!per_node) shared.channel_occupied = shared.subscription_count == 1;
  if (member) {
    const ClusterLink::MemberChange change = cluster->add_member(app.id, channel, *member, +1, delay);
    member_change_version = change.version;
    note_removal_decision(RemovalKey{app.id, channel, member->user_id}, change.removal);
    if (!per_node) shared.member_added = change.connections == 1;
  }
  return shared;
}

LeaveOutcome Engine::State::cluster_leave(const AppConfig& app, const std::string& channel, const LeaveOutcome& local,
                                          const std::optional<std::string>& user_id) {
  if (!local.was_subscribed) return local;
  give_up_removal_decisions();
  const bool delay = delays_removals(app);
  LeaveOutcome shared = local;
  const ClusterLink::SubscriptionChange subscriptions = cluster->add_subscription(app.id, channel, -1, delay);
  shared.subscription_count = subscriptions.count;
  note_removal_decision(RemovalKey{app.id, channel, ""}, subscriptions.removal);
  const bool per_node = options.defects.has(Defect::kWebhooksPerNode);
  if (!per_node && !options.defects.has(Defect::kVacatedWhileMembersElsewhere)) {
    shared.channel_vacated = shared.subscription_count == 0;
  }
  if (user_id) {
    const ClusterLink::MemberChange change =
        cluster->add_member(app.id, channel, PresenceMember{*user_id, nullptr}, -1, delay);
    member_change_version = change.version;
    note_removal_decision(RemovalKey{app.id, channel, *user_id}, change.removal);
    if (!per_node) shared.member_removed = change.connections == 0 ? user_id : std::nullopt;
  }
  return shared;
}

void Engine::State::share_with_peers(const AppConfig& app, std::string_view channel, std::string text,
                                     std::optional<std::string> exclude_socket_id, std::optional<CachedEvent> cache) {
  PeerMessage message;
  message.from = cluster->node();
  message.app_id = app.id;
  message.channel = std::string(channel);
  message.text = std::move(text);
  if (!options.defects.has(Defect::kLocalOnlyExclusion)) message.exclude_socket_id = std::move(exclude_socket_id);
  message.cache = std::move(cache);
  cluster->publish(std::move(message));
}

void Engine::State::receive_peer_message(TimeNs now, const PeerMessage& message) {
  const AppConfig* app = app_with_id(message.app_id);
  if (app == nullptr) return;  // another configuration's app: nobody here to tell
  if (options.defects.has(Defect::kBusHiccupLosesBroadcast)) {
    // The broken node drops and renews its bus subscription after each message; whatever
    // the sender publishes in that window is gone.
    auto [last, first] = last_peer_message.try_emplace(message.from, now);
    const bool lost = !first && now < last->second + kRaceWindow;
    last->second = now;
    if (lost) return;
  }
  if (message.user_notice) return receive_user_notice(now, *app, *message.user_notice);
  if (message.cache) registry.store_cache(app->id, message.channel, *message.cache);
  std::optional<ConnectionId> excluded;
  if (message.exclude_socket_id) {
    auto it = by_socket_id.find(*message.exclude_socket_id);
    if (it != by_socket_id.end() && connections.at(it->second).app == app) excluded = it->second;
  }
  if (app->subscription_count && is_subscription_count_frame(message.text)) {
    // Counts sent through different nodes race on the bus, and an older one may arrive after a
    // newer one went out here: pass on the count as the store has it now, so that the last
    // frame every subscriber gets is the settled count.
    const std::size_t count = cluster->subscription_count(app->id, message.channel);
    if (count != 0) {
      broadcast_local(*app, message.channel, server_frames::subscription_count(message.channel, count), excluded);
    }
    return;
  }
  if (message.member) {
    const auto frame = decode_frame(message.text);
    const bool added = frame && frame->event == "pusher_internal:member_added";
    deliver_member_event(*app, message.channel, message.text, excluded, *message.member, message.member_version, added);
    return;
  }
  broadcast_local(*app, message.channel, message.text, excluded);
}

void Engine::State::broadcast_member_event(const AppConfig& app, const std::string& channel, std::string text,
                                           std::optional<ConnectionId> except, const std::string& user_id,
                                           std::uint64_t version) {
  PeerMessage message;
  message.from = cluster->node();
  message.app_id = app.id;
  message.channel = channel;
  message.text = text;
  message.member = user_id;
  message.member_version = version;
  cluster->publish(std::move(message));
  const auto frame = decode_frame(text);
  deliver_member_event(app, channel, text, except, user_id, version,
                       frame && frame->event == "pusher_internal:member_added");
}

// A subscriber whose member list, or a later event about the user, is at least as new as this
// event has it already (or has newer news): passing it on would repeat or undo what it knows.
void Engine::State::deliver_member_event(const AppConfig& app, const std::string& channel, const std::string& text,
                                         std::optional<ConnectionId> except, const std::string& user_id,
                                         std::uint64_t version, bool added) {
  const auto recipients = registry.subscriber_list(app.id, channel);
  if (recipients == nullptr) return;
  const auto shared = std::make_shared<const std::string>(text);
  for (const ConnectionId subscriber : *recipients) {
    if (except && *except == subscriber) continue;
    auto view = member_views.find({subscriber, channel});
    if (view != member_views.end() && version != 0) {
      auto& seen = view->second.user_versions[user_id];
      if (version <= view->second.list_version || version <= seen) continue;
      seen = version;
      const bool holds = view->second.present.count(user_id) != 0;
      if (added == holds) continue;  // it holds the user as this event says already
      if (added) {
        view->second.present.insert(user_id);
      } else {
        view->second.present.erase(user_id);
      }
    }
    send_shared(subscriber, shared);
  }
}

bool Engine::State::cluster_users() const {
  return cluster != nullptr && !options.defects.has(Defect::kWatchlistPerNode);
}

std::size_t Engine::State::cluster_signed_in(const AppConfig& app, const std::string& user_id, int delta) {
  return cluster->add_member(app.id, kSignedInUsers, PresenceMember{user_id, nullptr}, delta, false).connections;
}

std::size_t Engine::State::cluster_connections(const AppConfig& app, int delta) {
  const PresenceMember counted{std::string(kAppConnectionsMember), nullptr};
  return cluster->add_member(app.id, kAppConnections, counted, delta, false).connections;
}

std::set<std::string> Engine::State::users_signed_in(const AppConfig& app) const {
  std::set<std::string> users;
  for (const auto& member : cluster->members(app.id, kSignedInUsers)) users.insert(member.user_id);
  return users;
}

void Engine::State::publish_user_notice(const AppConfig& app, const std::string& user_id, std::string action) {
  PeerMessage message;
  message.from = cluster->node();
  message.app_id = app.id;
  message.user_notice = UserNotice{user_id, std::move(action)};
  cluster->publish(std::move(message));
}

void Engine::State::receive_user_notice(TimeNs now, const AppConfig& app, const UserNotice& notice) {
  if (notice.action == "terminate") {
    terminate_local(now, app, notice.user_id);
  } else if (notice.action == "online" || notice.action == "offline") {
    notify_watchers(app, notice.user_id, notice.action);
  }
}

bool Engine::State::hold_or_cancel(const AppConfig& app, WebhookEvent& event, std::uint64_t& hold) {
  // Each node on its own: the dispatcher's own delay cancels only this node's removals.
  if (options.defects.has(Defect::kWebhooksPerNode) || options.defects.has(Defect::kRemovalHoldPerNode)) return true;
  if (!names_addition(event.name) && !names_removal(event.name)) return true;
  WebhookEvent removal = event;
  if (names_addition(event.name))
    removal.name = event.name == "channel_occupied" ? "channel_vacated" : "member_removed";
  const RemovalKey key = held_removal_key(app.id, removal);
  // Decided by the store call that moved the count (cluster_link.hpp, RemovalDecision).
  if (auto decided = removal_decisions.find(key); decided != removal_decisions.end()) {
    const ClusterLink::RemovalDecision decision = decided->second;
    removal_decisions.erase(decided);
    if (names_addition(event.name)) return !decision.cancelled;
    if (decision.hold != 0) {
      hold = decision.hold;
      return true;
    }
  }
  if (names_addition(event.name)) return true;  // the count change found no hold to cancel
  hold = cluster->hold_removal(key);            // a removal no count change decided (a broken variant's late one)
  return true;
}

void Engine::State::cluster_tick(TimeNs now) {
  cluster->heartbeat(now + kClusterHeartbeatTtl);
  next_heartbeat = now + kClusterHeartbeatInterval;
  if (options.defects.has(Defect::kNoDeadNodeCleanup)) return;
  for (NodeId dead : cluster->expired_nodes(now)) {
    if (auto remains = cluster->claim_node(dead, now)) take_over(now, *remains);
  }
}

// As if the dead node's connections had closed: member_removed to every node's subscribers
// and the webhooks, which this node now sends, held for the removal delay by the claim itself.
void Engine::State::take_over(TimeNs now, const NodeRemains& remains) {
  give_up_removal_decisions();
  for (const auto& member : remains.removed_members) {
    note_removal_decision(RemovalKey{member.app_id, member.channel, member.user_id}, {member.hold, false});
  }
  for (std::size_t i = 0; i < remains.vacated.size() && i < remains.vacated_holds.size(); ++i) {
    note_removal_decision(RemovalKey{remains.vacated[i].first, remains.vacated[i].second, ""},
                          {remains.vacated_holds[i], false});
  }
  for (std::size_t i = 0; i < remains.held_removals.size() && i < remains.held_tokens.size(); ++i) {
    note_removal_decision(remains.held_removals[i], {remains.held_tokens[i], false});
  }
  for (const auto& member : remains.removed_members) {
    const AppConfig* app = app_with_id(member.app_id);
    if (app == nullptr) continue;
    if (member.channel == kAppConnections) continue;  // a count, not a member
    if (member.channel == kSignedInUsers) {
      announce_user(*app, member.user_id, "offline");  // its last sign-in was on the dead node
    } else {
      announce_member_removed(now, *app, member.channel, member.user_id, member.version);
    }
  }
  for (const auto& [app_id, channel] : remains.vacated) {
    if (const AppConfig* app = app_with_id(app_id)) emit_webhook(now, *app, webhook_event("channel_vacated", channel));
  }
  // The subscribers left on every node hear the new count (from this node, and through the bus,
  // where each node reads it from the store again).
  for (const auto& recount : remains.recounted) {
    if (const AppConfig* app = app_with_id(recount.app_id))
      after_count_change(now, *app, recount.channel, recount.count);
  }
  for (const auto& key : remains.held_removals) {
    const AppConfig* app = app_with_id(key.app_id);
    if (app == nullptr) continue;
    WebhookEvent event = webhook_event(key.user_id.empty() ? "channel_vacated" : "member_removed", key.channel);
    if (!key.user_id.empty()) event.user_id = key.user_id;
    emit_webhook(now, *app, std::move(event));
  }
  give_up_removal_decisions();  // pseudo-channels, apps without webhooks or unknown here
}

}  // namespace pushsim
