#pragma once
// Invariants on live runs: the simulation's invariant checker (invariants.hpp) applied to
// what a live target observed, so that a live scenario fails on a broken invariant as a
// simulated one does.
//
// Theory of operation. A live run has no server-side record, only what the scenario's clients
// sent and received, the REST calls the app made with their answers, and the webhooks the
// app's listener accepted. From the live target's trace (the lines in names as the scenario
// writes them) this rebuilds the record the checker reads: each client connection a link of
// its own, a frame a client sent taken as the server received it (TCP keeps one connection's
// order), each frame a client got as delivered, REST triggers answered 200 as handled in the
// order the app made them (the live target's REST calls are synchronous), and every accepted
// webhook POST as a batch. Only the invariants this record can judge are reported:
// kLiveInvariants. The end states come from a final REST query that stands in for the
// server's own view, once the run has been quiet a moment (LiveMembers): members-converge
// against each presence channel's users, subscription-count-converges against each channel's
// subscription_count (asked only for channels where a client got one), and the webhook
// invariants' end states (the last occupied/vacated and member webhook must say what REST
// shows) against GET /channels and the users, judged only when no client acted for
// kWebhookQuiet before the query (a removal webhook waits for the server's removal delay, 3 s
// in `pushsim serve`) and some webhook arrived at all. What the server sent after an
// unsubscribe needs its own view and is not applied live; the webhook invariants are not
// judged at all when the scenario refused webhook deliveries (the server may give up on a
// refused one, which the listener never sees) or crashed a node (crash_node: its deliveries in
// flight die with it).
#include <map>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <vector>

#include "harness/invariant_violation.hpp"
#include "harness/target.hpp"

namespace pushsim::harness {

// The invariants judged on live runs, in the order invariants.hpp lists them.
inline constexpr std::string_view kLiveInvariants[] = {
    "no-duplicate-delivery",        "exclusion-respected",        "publisher-order",
    "member-removed-after-added",   "one-member-per-user",        "members-converge",
    "subscription-count-converges", "occupied-vacated-alternate", "member-webhooks-alternate",
};

// How long no client may have acted before the final query for the webhooks' end states to
// be judged: above `pushsim serve`'s 3 s removal delay.
inline constexpr DurationNs kWebhookQuiet = 3'500'000'000;

// The server's state once the run is quiet, from a final REST query that stands in for its own
// view, for the app whose key is `app_key`: the members of each presence channel the clients
// subscribed to (GET .../users), the occupied channels (GET /channels), and the
// subscription_count of each channel where a client got one (GET /channels/NAME).
struct LiveMembers {
  std::string app_key;
  std::map<std::string, std::set<std::string>> by_channel;
  std::optional<std::set<std::string>> occupied;  // nullopt: the listing did not answer 200
  std::map<std::string, std::size_t> subscriptions;
  bool counts_known = true;     // false: a count query did not answer one; the counts are not judged
  bool webhooks_quiet = false;  // no client acted for kWebhookQuiet before the query
};

// The channels the scenario's clients subscribed to (all, or presence ones only).
std::set<std::string> subscribed_channels_of(const std::vector<TraceLine>& trace, bool presence_only);
inline std::set<std::string> presence_channels_of(const std::vector<TraceLine>& trace) {
  return subscribed_channels_of(trace, true);
}

// Lets the run go quiet, asks `target` for the members of each presence channel its clients
// subscribed to, the occupied channels and the subscription counts (the answers join its
// observations and trace), and returns them; nullopt when no client subscribed to a channel,
// or when a members query did not answer 200.
std::optional<LiveMembers> query_members(Target& target, const std::string& app_key);

// The live invariants broken in what a live target observed: its trace (as Target::trace()
// gives it; "http_request" lines from "app" carry "METHOD target" and, after a newline, the
// body) and its accepted webhooks. A violation's position is the index of the trace line
// where it shows.
std::vector<InvariantViolation> check_live_invariants(const std::vector<TraceLine>& trace,
                                                      const std::vector<ObservedWebhook>& webhooks,
                                                      const std::optional<LiveMembers>& members = std::nullopt);

}  // namespace pushsim::harness
