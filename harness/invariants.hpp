#pragma once
// Invariants: what must hold in every simulated run, whatever the scenario's steps say.
// `pushsim run` (simulation), `explore`, `replay` and `selftest` check them after every run;
// a violation fails the scenario with the invariant's name, a message and the trace record
// where it shows.
//
// Theory of operation. The checker reads what the simulator recorded, never the engine's
// insides: the trace (every frame sent and delivered on every connection, with its link),
// the REST exchanges in the order the server handled them, the webhook batches the app's
// receiver got, and the server's end state once the world is quiet (members per presence
// channel, occupied channels). It replays that record once, in order, keeping per
// connection what a pusher-js client would know (its socket_id, its member lists) and
// what the server had heard from it (subscribed or not), and counts publications against
// deliveries. Publications are REST triggers the server answered 200 (in handled order,
// the app being one publisher) and client events as they reached the server (each sending
// connection a publisher). A publication is identified by (channel, event, data), data
// compared as pusher-js decodes it, so equal events published twice may be delivered twice.
//
// The invariants (names as reported):
//   no-duplicate-delivery      a connection got an event more often than it was published
//   exclusion-respected        an event reached the socket_id its trigger excluded, or went
//                              back to the connection that sent the client event
//   publisher-order            one publisher's events on a channel reached a connection out
//                              of the order the server received them in
//   no-event-after-unsubscribe the server sent a channel's frame to a connection after it had
//                              received that connection's unsubscribe and no new subscribe
//   member-removed-after-added a member_removed for a user the client did not hold
//   one-member-per-user        a member_added for a user already held, or a member list with
//                              a user twice (or a count that disagrees with its ids)
//   members-converge           once quiet, a subscribed client's member list differs from the
//                              server's members of that channel
//   subscription-count-converges once quiet, the latest subscription_count a subscribed
//                              client got for a channel differs from the channel's count
//   occupied-vacated-alternate channel_occupied / channel_vacated webhooks do not alternate
//                              per channel (from unoccupied), or the last one disagrees with
//                              the channel's end state
//   member-webhooks-alternate  member_added / member_removed webhooks likewise per (channel,
//                              user_id)
//   nodes-agree                cluster: once quiet, two live nodes answer different occupied
//                              channels or members (REST on any node must speak for the cluster)
//
// In a cluster every invariant above is judged cluster-wide: deliveries, exclusions and member
// lists over every client whatever its node, webhooks as the one receiver got them from all
// nodes, end states as the live nodes answer them. Quiet also means no bus message in flight
// and every crashed node's share taken out of the shared store by a survivor.
//
// Exemptions, each because the protocol allows it: cache channels (a subscriber gets the
// cached event again on every subscribe) and server-to-user channels are left out of the
// delivery counts; webhooks are ordered by their time_ms (retries may arrive late) and a
// channel whose webhook delivery was never accepted (the server gave up) is not judged;
// end states are judged only when the run settled (no traffic, no webhook outstanding).
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "fakes/trace.hpp"
#include "fakes/webhook_receiver.hpp"
#include "fakes/world.hpp"
#include "harness/invariant_violation.hpp"
#include "protocol/frame.hpp"

namespace pushsim::harness {

// The server's state once the world is quiet. Channels are keyed "app_id/channel".
struct ServerEndState {
  bool settled = false;                                  // false: end states are not judged
  std::map<std::string, std::set<std::string>> members;  // presence channels: user ids
  std::set<std::string> occupied;
  std::map<std::string, std::size_t> subscriptions;  // occupied channels: connections subscribed
  // Cluster: where a live node's answer differs from the first live node's, one line each.
  std::vector<std::string> node_disagreements = {};
};

struct InvariantInput {
  const fakes::Trace* trace = nullptr;
  const std::vector<fakes::RestExchange>* rest = nullptr;
  const std::vector<fakes::WebhookBatch>* webhooks = nullptr;
  std::map<std::string, std::string> app_of_key;  // app key -> app id
  std::string webhook_app_id;                     // the app whose webhooks the receiver verifies
  ServerEndState end;
  // Frames the caller has decoded already, by text (the trace shares its texts): spares the
  // checker decoding them again. Null, or nullptr from it: the checker decodes. It may point
  // to a null frame: known not to decode.
  std::function<const std::shared_ptr<const Frame>*(const std::string* text)> known_frame;
};

// Every violation found, in trace order, at most one per invariant and subject (connection
// and channel, or channel and user), so one bug does not drown the report.
std::vector<InvariantViolation> check_invariants(const InvariantInput& input);

// Lets the world run until it is quiet (no packet or HTTP exchange in flight, held by a
// partition included, and no webhook outstanding), bounded by `limit` of virtual time; true
// when it got there.
bool settle(fakes::World& world, DurationNs limit);

// The input for a world that has run (and, for end states, settled).
InvariantInput invariant_input(fakes::World& world, bool settled);

}  // namespace pushsim::harness
