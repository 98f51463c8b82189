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
// kLiveInvariants. The others need the server's own view (what it sent after an unsubscribe,
// its members and counts once quiet) and are not applied live; the webhook invariants are
// judged on alternation only, and not at all when the scenario refused webhook deliveries
// (the server may give up on a refused one, which the listener never sees).
#include <string_view>
#include <vector>

#include "harness/invariant_violation.hpp"
#include "harness/target.hpp"

namespace pushsim::harness {

// The invariants judged on live runs, in the order invariants.hpp lists them.
inline constexpr std::string_view kLiveInvariants[] = {
    "no-duplicate-delivery", "exclusion-respected",        "publisher-order",           "member-removed-after-added",
    "one-member-per-user",   "occupied-vacated-alternate", "member-webhooks-alternate",
};

// The live invariants broken in what a live target observed: its trace (as Target::trace()
// gives it; "http_request" lines from "app" carry "METHOD target" and, after a newline, the
// body) and its accepted webhooks. A violation's position is the index of the trace line
// where it shows.
std::vector<InvariantViolation> check_live_invariants(const std::vector<TraceLine>& trace,
                                                      const std::vector<ObservedWebhook>& webhooks);

}  // namespace pushsim::harness
