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
// kLiveInvariants; members-converge with the server's members from a final REST query, once
// the run has been quiet a moment. The others need the server's own view (what it sent after
// an unsubscribe, its counts once quiet) and are not applied live; the webhook invariants are
// judged on alternation only, and not at all when the scenario refused webhook deliveries
// (the server may give up on a refused one, which the listener never sees).
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
    "no-duplicate-delivery",      "exclusion-respected",       "publisher-order",
    "member-removed-after-added", "one-member-per-user",       "members-converge",
    "occupied-vacated-alternate", "member-webhooks-alternate",
};

// The server's members once the run is quiet, from a final REST query (GET .../users) that
// stands in for its own view: presence channels of the app whose key is `app_key`.
struct LiveMembers {
  std::string app_key;
  std::map<std::string, std::set<std::string>> by_channel;
};

// The presence channels the scenario's clients subscribed to.
std::set<std::string> presence_channels_of(const std::vector<TraceLine>& trace);

// Lets the run go quiet, asks `target` for the members of each presence channel its clients
// subscribed to (the answers join its observations and trace), and returns them; nullopt when
// no client subscribed to one, or when a query did not answer 200.
std::optional<LiveMembers> query_members(Target& target, const std::string& app_key);

// The live invariants broken in what a live target observed: its trace (as Target::trace()
// gives it; "http_request" lines from "app" carry "METHOD target" and, after a newline, the
// body) and its accepted webhooks. A violation's position is the index of the trace line
// where it shows.
std::vector<InvariantViolation> check_live_invariants(const std::vector<TraceLine>& trace,
                                                      const std::vector<ObservedWebhook>& webhooks,
                                                      const std::optional<LiveMembers>& members = std::nullopt);

}  // namespace pushsim::harness
