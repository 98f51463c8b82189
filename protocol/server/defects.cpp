#include "protocol/server/defects.hpp"

namespace pushsim {

const std::vector<DefectInfo>& all_defects() {
  static const std::vector<DefectInfo> kAll{
      {Defect::kEchoClientEvents, "echo-client-events", "client events are sent back to their sender"},
      {Defect::kClientEventsOnPublic, "client-events-on-public", "client events are relayed on public channels"},
      {Defect::kIgnoreSocketExclusion, "ignore-socket-exclusion", "socket_id on a trigger excludes nobody"},
      {Defect::kIgnoreBatchExclusion, "ignore-batch-exclusion", "socket_id is dropped from batch trigger items"},
      {Defect::kMemberAddedPerConnection, "member-added-per-connection",
       "member_added is sent for every connection of a user"},
      {Defect::kMemberRemovedOnAnyLeave, "member-removed-on-any-leave",
       "member_removed is sent when any connection of a user leaves"},
      {Defect::kNoChannelVacated, "no-channel-vacated", "the channel_vacated webhook is never sent"},
      {Defect::kNoVacatedOnDisconnect, "no-vacated-on-disconnect",
       "channel_vacated is sent on unsubscribe but not when the last subscriber disconnects"},
      {Defect::kWrongWebhookSignature, "wrong-webhook-signature", "webhooks are signed with the wrong secret"},
      {Defect::kAcceptBadChannelAuth, "accept-bad-channel-auth", "any auth signature is accepted"},
      {Defect::kMiscountSubscriptionCount, "miscount-subscription-count", "subscription_count is off by one"},
      {Defect::kDropCacheOnSubscribe, "drop-cache-on-subscribe", "a cache channel forgets its event on subscribe"},
      {Defect::kObjectMemberData, "object-member-data", "member_added data is an object, not a JSON string"},
      {Defect::kNoUserIdOnClientEvent, "no-user-id-on-client-event",
       "presence client events are relayed without user_id"},
      {Defect::kNoUserIdInClientEventWebhook, "no-user-id-in-client-event-webhook",
       "the client_event webhook lacks user_id on presence channels"},
      {Defect::kNoPong, "no-pong", "pusher:ping is not answered"},
      {Defect::kUnsubscribeIgnored, "unsubscribe-ignored", "pusher:unsubscribe is ignored"},
      {Defect::kNoRemovalDelay, "no-removal-delay",
       "channel_vacated and member_removed webhooks are not delayed, so a quick rejoin sends a pair"},
      {Defect::kStaleTimestampAccepted, "stale-timestamp-accepted", "REST requests with stale timestamps are accepted"},
      {Defect::kSilentRefusals, "silent-refusals", "a refused subscription is answered with nothing at all"},
      {Defect::kSubscriptionErrorRefusals, "subscription-error-refusals",
       "refusals are pusher:subscription_error {type, error, status} as soketi sends them (allowed: only SHOULD "
       "scenarios keeping the official form notice)"},
      {Defect::kAnnouncedSocketIdMismatch, "announced-socket-id-mismatch",
       "connection_established announces a socket_id other than the one the server knows the connection by"},
      {Defect::kListsVacatedChannels, "lists-vacated-channels",
       "GET /channels keeps listing channels whose subscribers have all left"},
      {Defect::kUnbatchedWebhooks, "unbatched-webhooks", "with batch webhooks on, every POST still carries one event"},
      {Defect::kBatchKeepsFirstEvent, "batch-keeps-first-event", "a batched webhook POST carries only its first event"},
      {Defect::kCacheBeforeSucceeded, "cache-before-succeeded",
       "a cache channel's cached event is sent before subscription_succeeded"},
      {Defect::kNoSocketIdInClientEventWebhook, "no-socket-id-in-client-event-webhook",
       "the client_event webhook lacks the sender's socket_id"},
      {Defect::kAnyAppKeyAccepted, "any-app-key-accepted", "a connection with an unknown app key is accepted"},
      {Defect::kProtocolIgnored, "protocol-ignored", "the protocol version is not checked, so protocol 3 connects"},
      {Defect::kMemberCountAfterBroadcast, "member-count-after-broadcast",
       "presence member count updated after the broadcast instead of before", true,
       "races.member-count-after-broadcast"},
      {Defect::kStaleVacatedCount, "stale-vacated-count",
       "channel_vacated is decided from the count read an adapter round trip earlier, so a join in between is "
       "followed by a stale vacated",
       true, "races.occupied-vacated-flapping"},
      {Defect::kLateMemberRemoved, "late-member-removed",
       "member_removed is sent a round trip after the user's last connection left, without re-checking, so it "
       "follows the announcement of the user's rejoin",
       true, "races.leave-one-connection-join-another"},
      {Defect::kRecycledSocketIds, "recycled-socket-ids",
       "socket ids are the lowest free slot, so a trigger excluding a closed socket skips whoever got its id next",
       true, "races.exclusion-after-socket-id-reuse"},
      {Defect::kCacheWrittenAfterFanout, "cache-written-after-fanout",
       "a cache channel stores its event a round trip after the fan-out, so a subscriber joining in between "
       "gets neither",
       true, "races.cache-subscribe-racing-trigger"},
      {Defect::kStaleSubscriptionCount, "stale-subscription-count",
       "the subscription_count of a join is sent a round trip late, and can overwrite a newer count", true,
       "races.subscription-count-join-and-leave"},
      {Defect::kRelayToUnsubscribed, "relay-to-unsubscribed",
       "client events are relayed a round trip after they arrive, to the subscribers listed on arrival, even "
       "those that unsubscribed meanwhile",
       true, "races.client-event-during-unsubscribe"},
      {Defect::kRestampedWebhookRetry, "restamped-webhook-retry",
       "a retried webhook carries the retry's time in time_ms, so it reads as newer than events created after it", true,
       "races.webhook-retry-reorders-member-events"},
      {Defect::kWebhooksPerNode, "webhooks-per-node",
       "cluster: channel_occupied/vacated and member_added/removed webhooks are decided from each node's own "
       "subscribers, so every node sends them"},
      {Defect::kMemberListPerNode, "member-list-per-node",
       "cluster: a presence member list (subscription_succeeded, REST users) holds only the members on the "
       "answering node"},
      {Defect::kLocalOnlyExclusion, "local-only-exclusion",
       "cluster: a trigger's socket_id excludes only a socket on the node that got the trigger"},
      {Defect::kVacatedWhileMembersElsewhere, "vacated-while-members-elsewhere",
       "cluster: channel_vacated is sent when a node's last subscriber leaves, though other nodes still have some"},
      {Defect::kNoDeadNodeCleanup, "no-dead-node-cleanup",
       "cluster: nobody removes a crashed node's subscriptions and members, so they stay as ghosts"},
      {Defect::kBusHiccupLosesBroadcast, "bus-hiccup-loses-broadcast",
       "cluster: a node renews its bus subscription after each peer message and loses what arrives within the "
       "race window",
       true, "cluster.7"},
      {Defect::kRemovalHoldPerNode, "removal-hold-per-node",
       "cluster: a delayed channel_vacated/member_removed is held by the node that decided it, so a join through "
       "another node within the delay does not cancel it (a vacated/occupied pair)"},
      {Defect::kWatchlistPerNode, "watchlist-per-node",
       "cluster: watchers hear online/offline, and get the initial state, only for sign-ins on their own node"},
      {Defect::kConnectionQuotaPerNode, "connection-quota-per-node",
       "cluster: an app's max_connections is checked against the receiving node's connections only"},
      {Defect::kTerminateLocalOnly, "terminate-local-only",
       "cluster: REST terminate_connections closes only the user's connections on the node that got the request"},
      {Defect::kWatchlistIgnored, "watchlist-ignored",
       "the watchlist in the signed user data is ignored: no pusher_internal:watchlist_events at all"},
      {Defect::kWatchlistEventsPerConnection, "watchlist-events-per-connection",
       "watchers hear online and offline for every connection of a watched user, not only the first and last"},
      {Defect::kWatchlistUnlimited, "watchlist-unlimited",
       "a watchlist over 100 ids is kept whole and no 4302 error is sent"},
      {Defect::kSigninSwitchesUser, "signin-switches-user",
       "a connection signed in as one user can sign in again as another"},
      {Defect::kAuthorizationTimeoutIgnored, "authorization-timeout-ignored",
       "with authorized connections on, a connection that neither signs in nor subscribes privately stays open"},
      {Defect::kPublicSubscribeAuthorizes, "public-subscribe-authorizes",
       "with authorized connections on, subscribing to a public channel counts as authorizing"},
      {Defect::kSigninNotAuthorizing, "signin-not-authorizing",
       "with authorized connections on, a connection that signs in is still closed when the time is up"},
      {Defect::kPrivateSubscribeNotAuthorizing, "private-subscribe-not-authorizing",
       "with authorized connections on, a connection subscribed to a private channel is still closed when the time "
       "is up"},
      {Defect::kChannelDataUnsigned, "channel-data-unsigned",
       "a presence subscription is also accepted with the private-channel signature (socket_id:channel), which "
       "leaves channel_data free to name anyone"},
      {Defect::kDisabledAppServed, "disabled-app-served", "a disabled app still accepts connections and REST calls"},
      {Defect::kConnectionQuotaIgnored, "connection-quota-ignored", "an app's connection quota is not enforced"},
      {Defect::kClientEventsSettingIgnored, "client-events-setting-ignored",
       "client events are relayed for an app that has them disabled"},
      {Defect::kMessageQuotaIgnored, "message-quota-ignored",
       "REST publishes are accepted past the app's message quota instead of answered 403"},
      {Defect::kFutureTimestampAccepted, "future-timestamp-accepted",
       "a REST auth_timestamp any distance in the future is accepted (only the past edge of the window is checked)"},
      {Defect::kTimestampWindowOffByOne, "timestamp-window-off-by-one",
       "a REST auth_timestamp exactly 600 s off is refused (the window taken as open)"},
      {Defect::kUppercaseSignatureAccepted, "uppercase-signature-accepted",
       "a REST auth_signature in uppercase hex is accepted"},
      {Defect::kUnsortedParams, "unsorted-params",
       "the REST string to sign takes the query parameters in the order they came, unsorted"},
      {Defect::kBodyMd5Last, "body-md5-last", "the REST string to sign puts body_md5 after every other parameter"},
      {Defect::kBatchesWithoutBatching, "batches-without-batching",
       "webhook events due together share one POST although the app has batch webhooks off"},
      {Defect::kWebhookTimeInSeconds, "webhook-time-in-seconds", "the webhook envelope's time_ms holds Unix seconds"},
      {Defect::kWebhookRetriesForever, "webhook-retries-forever",
       "a failing webhook is retried forever instead of given up after the 5-minute window"},
      {Defect::kUserIdInPrivateClientEventWebhook, "private-client-event-user-id",
       "the client_event webhook on a private channel carries the sender's signed-in user_id"},
      {Defect::kCacheNeverExpires, "cache-never-expires",
       "a cache channel's event is still delivered to new subscribers after its 30-minute TTL"},
      {Defect::kBinaryFramesParsed, "binary-frames-parsed",
       "binary WebSocket frames are parsed as JSON text frames and acted on (soketi)"},
      {Defect::kWebhookFilterFirstEvent, "webhook-filter-first-event",
       "a batched webhook goes whole to every endpoint whose event filter wants its first event (soketi #836)"},
      {Defect::kWebhookFiltersIgnored, "webhook-filters-ignored",
       "every webhook endpoint gets every event, whatever its event filter"},
      {Defect::kNoWebSocketPong, "no-websocket-pong", "WebSocket ping control frames are never answered with a pong"},
      {Defect::kShutdownWithoutClose, "shutdown-without-close",
       "a graceful shutdown drops every connection without a close frame instead of closing it with 4200"},
      {Defect::kSubscriptionCountUnthrottled, "subscription-count-unthrottled",
       "a channel with more than 100 subscribers gets every subscription_count change at once, not at most one "
       "every 5 s"},
      {Defect::kThrottledCountDropped, "throttled-count-dropped",
       "a subscription_count held by the 5-s throttle is dropped when the window ends, so subscribers keep an old "
       "count"},
      {Defect::kSubscriptionCountOnPresence, "subscription-count-on-presence",
       "subscription_count frames and webhooks are sent on presence channels too"},
      {Defect::kPublishInfoWithoutSubscriptionCount, "publish-info-without-subscription-count",
       "a publish (single or batch) with info=subscription_count answers without the subscription_count attribute"},
  };
  return kAll;
}

std::string_view defect_name(Defect defect) {
  for (const auto& info : all_defects()) {
    if (info.defect == defect) return info.name;
  }
  return "unknown";
}

std::optional<Defect> parse_defect(std::string_view name) {
  for (const auto& info : all_defects()) {
    if (info.name == name) return info.defect;
  }
  return std::nullopt;
}

}  // namespace pushsim
