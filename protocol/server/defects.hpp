#pragma once
// Deliberately broken variants of the reference engine.
//
// A conformance suite that cannot fail is worthless, so pushsim keeps a catalogue of bugs that
// real Pusher-compatible servers shipped (docs/reported-bugs.md) or that are easy to make,
// each one a switch in the reference engine. The reference runs with none switched on;
// `pushsim selftest` runs the suite once per defect and requires every one to be caught.
// Each switch sits at the one place in the engine where that bug would live.
#include <optional>
#include <set>
#include <string_view>
#include <vector>

#include "protocol/time.hpp"

namespace pushsim {

enum class Defect {
  kEchoClientEvents,              // client events also go back to the sender (pusher-fake PR #11)
  kClientEventsOnPublic,          // client events relayed on public channels (REPORTED-BUGS 16)
  kIgnoreSocketExclusion,         // socket_id on POST /events excludes nobody
  kIgnoreBatchExclusion,          // socket_id dropped from batch items (pusher-http-php #365)
  kMemberAddedPerConnection,      // member_added for a user's every connection (reverb #213)
  kMemberRemovedOnAnyLeave,       // member_removed when any of a user's connections leaves (reverb #213)
  kNoChannelVacated,              // channel_vacated webhook never sent
  kNoVacatedOnDisconnect,         // channel_vacated only on unsubscribe, not on disconnect (sockudo #98)
  kWrongWebhookSignature,         // X-Pusher-Signature made with the wrong secret
  kAcceptBadChannelAuth,          // any non-empty auth accepted on private and presence channels
  kMiscountSubscriptionCount,     // subscription_count off by one
  kDropCacheOnSubscribe,          // cache channels forget their event when someone subscribes
  kObjectMemberData,              // member_added data as an object, not a JSON string (sockudo #72)
  kNoUserIdOnClientEvent,         // presence client events relayed without user_id
  kNoUserIdInClientEventWebhook,  // client_event webhook without user_id on presence (poxa #135)
  kNoPong,                        // pusher:ping goes unanswered
  kUnsubscribeIgnored,            // pusher:unsubscribe does nothing; events keep coming
  kNoRemovalDelay,                // vacated/member_removed webhooks sent at once (soketi #830)
  kStaleTimestampAccepted,        // REST auth_timestamp not checked (soketi, reverb)
  kSilentRefusals,                // a refused subscription gets no frame at all
  // Not a bug: refusals as soketi sends them, pusher:subscription_error {type, error, status}
  // (docs/protocol.md §3.3). MUST scenarios accept it; SHOULD ones that keep the official
  // form (pusher:error, code null) must notice.
  kSubscriptionErrorRefusals,
  kAnnouncedSocketIdMismatch,       // connection_established names another socket_id than the connection's
  kListsVacatedChannels,            // GET /channels keeps listing channels whose subscribers all left
  kUnbatchedWebhooks,               // batch webhooks on, yet every POST carries one event
  kBatchKeepsFirstEvent,            // a batched webhook POST carries only its first event
  kCacheBeforeSucceeded,            // the cached event goes out before subscription_succeeded
  kNoSocketIdInClientEventWebhook,  // the client_event webhook lacks socket_id
  kAnyAppKeyAccepted,               // an unknown app key connects, to the first app
  kProtocolIgnored,                 // the protocol query parameter is never read (soketi)
  // Race-only: a new presence member is recorded a moment after its member_added broadcast,
  // so a subscriber arriving in between gets a member list without it, and never a
  // member_added for it either (the count was still the old one when it joined).
  kMemberCountAfterBroadcast,
  // Race-only: each shows only when another input lands inside kRaceWindow (see below).
  kStaleVacatedCount,        // channel_vacated decided from a count read before a join (soketi #616)
  kLateMemberRemoved,        // member_removed sent after the user rejoined elsewhere (reverb #213)
  kRecycledSocketIds,        // a closed connection's socket_id goes to the next one (REPORTED-BUGS 3)
  kCacheWrittenAfterFanout,  // a joiner between fan-out and cache write gets neither
  kStaleSubscriptionCount,   // a join's subscription_count sent late, over a newer count
  kRelayToUnsubscribed,      // client events reach a connection that unsubscribed meanwhile
  kRestampedWebhookRetry,    // a retried webhook's time_ms is the retry's (REPORTED-BUGS 6)
  // Cluster-only (cluster_link.hpp): each shows only on a node of a cluster.
  kWebhooksPerNode,               // lifecycle webhooks decided per node (soketi PR #438)
  kMemberListPerNode,             // member lists hold this node's members only (reverb #273)
  kLocalOnlyExclusion,            // socket_id excludes only on the receiving node (reverb #246)
  kVacatedWhileMembersElsewhere,  // channel_vacated when this node's last subscriber leaves (soketi #616)
  kNoDeadNodeCleanup,             // a dead node's members are never removed (sockudo #87)
  kBusHiccupLosesBroadcast,       // a peer message right after another is lost (soketi #428)
  kRemovalHoldPerNode,      // the removal delay is held on the deciding node only: a join elsewhere does not cancel it
  kWatchlistPerNode,        // watchlist online/offline and initial state from this node's sign-ins only
  kTerminateLocalOnly,      // terminate_connections closes only the receiving node's connections
  kConnectionQuotaPerNode,  // max_connections counts the receiving node's connections only
  // Sign-in, watchlists, authorized connections and app settings (§4.5, §4.6, §1.8, §5).
  kWatchlistIgnored,                // the watchlist in user_data is ignored: no watchlist_events at all
  kWatchlistEventsPerConnection,    // online/offline for each connection of a watched user, not only the first/last
  kWatchlistUnlimited,              // a watchlist over the limit is kept whole, without the 4302 error
  kSigninSwitchesUser,              // a second sign-in as another user on the same connection is accepted
  kAuthorizationTimeoutIgnored,     // authorized connections: a connection that never authorizes stays open
  kPublicSubscribeAuthorizes,       // authorized connections: a public subscription counts as authorizing
  kSigninNotAuthorizing,            // authorized connections: signing in does not stop the timer
  kPrivateSubscribeNotAuthorizing,  // authorized connections: a private subscription does not stop the timer
  kChannelDataUnsigned,             // presence auth also accepted in the private form, leaving channel_data unbound
  kDisabledAppServed,               // a disabled app still accepts connections and REST calls
  kConnectionQuotaIgnored,          // an app's connection quota is not enforced
  kClientEventsSettingIgnored,      // client events are relayed for an app that has them disabled
  kMessageQuotaIgnored,             // REST publishes go on past the app's message quota
  // REST signing edges (§7.2).
  kFutureTimestampAccepted,     // auth_timestamp checked against the past only: any future one passes
  kTimestampWindowOffByOne,     // a timestamp exactly 600 s off is refused (the window taken as open)
  kUppercaseSignatureAccepted,  // auth_signature compared case-insensitively (the docs: lowercase hex)
  kUnsortedParams,              // the string to sign takes the parameters in the order they came
  kBodyMd5Last,                 // body_md5 signed after every other parameter instead of in key order
  // The webhook contract (§8).
  kBatchesWithoutBatching,             // events due together share a POST though the app does not batch
  kWebhookTimeInSeconds,               // the envelope's time_ms holds Unix seconds
  kWebhookRetriesForever,              // a failing webhook is retried past the 5-minute window, forever
  kUserIdInPrivateClientEventWebhook,  // the client_event webhook on a private channel names the signed-in user
  // Cache channels over time (§2.2).
  kCacheNeverExpires,  // a cache channel's event reaches subscribers after its TTL (and is never pruned)
  // Liveness and codes (§1.2, §1.8).
  kBinaryFramesParsed,  // binary frames parsed as JSON text, as soketi does
  // Per-endpoint webhook filters (§8.3, REPORTED-BUGS 13).
  kWebhookFilterFirstEvent,  // a batch goes whole to every endpoint whose filter wants its first event (soketi #836)
  kWebhookFiltersIgnored,    // every webhook endpoint gets every event, whatever its filter
  // Liveness and codes, in the transport (§1.6, §1.8): the engine never sees these; the
  // simulated WebSocket layer (fakes/world.cpp) and `pushsim serve`'s read them from here.
  kNoWebSocketPong,       // WebSocket ping control frames go unanswered
  kShutdownWithoutClose,  // a graceful shutdown drops every connection without a close frame (no 4200)
  // Subscription counting in full (§3.5, §7.3).
  kSubscriptionCountUnthrottled,         // above 100 subscribers every count change is sent at once too
  kThrottledCountDropped,                // a count held by the 5-s throttle is never sent when the window ends
  kSubscriptionCountOnPresence,          // subscription_count frames and webhooks on presence channels too
  kPublishInfoWithoutSubscriptionCount,  // a publish's info=subscription_count answers without the count
};

// The race-only variants model a server that awaits a round trip to its adapter (Redis, a
// cluster bus) in the middle of a handler and acts on what it read before: the reference
// engine never waits, so it has no such window. This is how long the window stays open.
inline constexpr DurationNs kRaceWindow = ms(10);

struct DefectInfo {
  Defect defect;
  std::string_view name;  // kebab-case, for the command line and reports
  std::string_view summary;
  // A race-only defect shows only under some interleavings: the bundled suite at its default
  // seed passes, and `pushsim explore` of `race_scenario` (a scenario id) must find a failing
  // seed within a bounded budget. `pushsim selftest` treats the two kinds accordingly.
  bool race_only = false;
  std::string_view race_scenario = {};
};

const std::vector<DefectInfo>& all_defects();
std::string_view defect_name(Defect defect);
std::optional<Defect> parse_defect(std::string_view name);

// The set an engine runs with; empty for the reference.
class Defects {
 public:
  Defects() = default;
  Defects(std::initializer_list<Defect> defects) : set_(defects) {}
  bool has(Defect defect) const { return set_.count(defect) != 0; }
  void add(Defect defect) { set_.insert(defect); }
  bool empty() const { return set_.empty(); }

 private:
  std::set<Defect> set_;
};

}  // namespace pushsim
