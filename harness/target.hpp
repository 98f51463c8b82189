#pragma once
// The server under test, as the executor sees it. One interface, two kinds of target: the
// simulation target (sim_target.hpp: the reference engine in virtual time, on fakes::World)
// and the live target (live_target.hpp: real sockets, wall time). The executor never knows which.
//
// Theory of operation. The executor issues actions (connect, subscribe, REST calls, faults)
// which return at once: nothing waits inside an action except what a client library would
// wait for itself. Then it waits with wait_until(deadline, done): the target lets its time
// run (virtual or wall) until `done()` holds or the deadline passes. Everything the target
// observed is kept, in arrival order with its time, and read back through the observation
// accessors; the executor does its own matching and consumption on top of them.
//
// Times are the target's own clock (TimeNs). A live target reports wall time since its
// start; nothing here assumes virtual time, and nothing here may pull in Boost.
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <vector>

#include "harness/invariant_violation.hpp"
#include "harness/scenario.hpp"
#include "net/wire_log.hpp"
#include "protocol/frame.hpp"
#include "protocol/json.hpp"
#include "protocol/time.hpp"

namespace pushsim::harness {

// A client as the scenario declares it; the target keeps it for auth and sign-in.
struct ClientSpec {
  std::string name;
  std::optional<std::string> user_id;
  std::optional<Json> user_info;
  std::string app = "default";
  std::optional<std::vector<std::string>> watchlist = std::nullopt;  // sign-in user_data's watchlist
};

struct ConnectOptions {
  std::optional<std::string> app_key;      // another key than the client's app's
  std::optional<int> protocol_version;     // instead of 7
  std::optional<std::string> path;         // the whole path and query, as given
  std::optional<int> node = std::nullopt;  // cluster: which server node (checked against nodes())
};

// A REST call, fully resolved (variables substituted). `path` starting with /apps/ is sent
// as is; otherwise it is relative to the app: "/events" -> "/apps/{id}/events".
struct RestCall {
  std::string method = "GET";
  std::string path;
  ParamList params;
  std::string body;  // empty: none
  Signing signing = Signing::kValid;
  std::string app = "default";             // signed with this app's credentials (a client's `app:` name)
  std::optional<int> node = std::nullopt;  // cluster: which server node answers
  std::optional<std::int64_t> timestamp_offset_s = std::nullopt;  // added to auth_timestamp
};

// ---- Observations ---------------------------------------------------------------------------

// One text frame a client received. Text and decoding are shared, not copied: a fan-out hands
// every recipient the same text. `frame` is null when the text did not decode.
struct ObservedFrame {
  TimeNs at = 0;
  std::shared_ptr<const std::string> text;
  std::shared_ptr<const Frame> frame;
};

// A text as received, decoded here.
inline ObservedFrame observed_text(TimeNs at, std::string text) {
  auto decoded = decode_frame(text);
  return ObservedFrame{at, std::make_shared<const std::string>(std::move(text)),
                       decoded ? std::make_shared<const Frame>(std::move(*decoded)) : nullptr};
}

// A frame the client library makes up itself (pusher-js's error when the auth endpoint refuses).
inline ObservedFrame observed_frame(TimeNs at, Frame frame) {
  return ObservedFrame{at, std::make_shared<const std::string>(encode_frame(frame)),
                       std::make_shared<const Frame>(std::move(frame))};
}

struct ObservedClose {
  TimeNs at = 0;
  int code = 0;
};

// A WebSocket pong control frame a client received (the answer to its ws_ping).
struct ObservedPong {
  TimeNs at = 0;
  std::string payload;
};

// One webhook event the app accepted (valid signature, answered 2xx), with the batch's
// arrival time. Events of refused or invalid deliveries are not observations: the app would
// not act on them.
struct ObservedWebhook {
  TimeNs at = 0;
  Json event;
  std::optional<std::int64_t> time_ms;  // of the envelope, when it had one
  // Events in the POST that carried it (docs/protocol.md §8.1); an isolated target counts only
  // the scenario's own, since one POST of a shared server may carry other scenarios' events.
  std::size_t batch_size = 1;
  std::uint64_t post = 0;  // which accepted POST carried it, numbered from 1 in arrival order
  // Which of the scenario's `webhook_endpoints:` the POST went to; empty: the catch-all one.
  std::string endpoint = {};
};

// The endpoint a webhook POST's request target names: NAME for .../webhooks/NAME (the sim's
// /pusher/webhooks/NAME, the live listener's /webhooks/NAME), empty for anything else.
inline std::string webhook_endpoint_of(std::string_view target) {
  target = target.substr(0, target.find('?'));
  constexpr std::string_view kMarker = "/webhooks/";
  const auto at = target.rfind(kMarker);
  if (at == std::string_view::npos) return {};
  return std::string(target.substr(at + kMarker.size()));
}

struct ObservedResponse {
  TimeNs sent_at = 0;
  std::optional<TimeNs> answered_at;  // nullopt while pending, and when never answered
  bool lost = false;                  // the call gave up (timeout): no answer will come
  int status = 0;
  std::string body;
};

// One line of the run's message trace, between named parties ("alice", "server", "auth",
// "webhooks", "app"), for reports and sequence diagrams.
struct TraceLine {
  TimeNs at = 0;
  std::string kind;  // "send", "deliver", "close", "http_request", "fault", ...
  std::string from;
  std::string to;
  std::string text;
};

// What an action reports back: nullopt when done, else why it could not be done (an unknown
// client, no socket_id yet for a signed subscription, ...). A refusal is a step failure.
using ActionError = std::optional<std::string>;

class Target {
 public:
  virtual ~Target() = default;

  // "sim", "ws://host:port", ...: printed in reports.
  virtual std::string name() const = 0;
  // Optional server features this target has (scenario_vocabulary.hpp kKnownFeatures).
  virtual std::set<std::string> features() const = 0;
  virtual TimeNs now() const = 0;
  // The clock REST timestamps are signed with, in Unix nanoseconds. The simulation's clock is
  // Unix time already; a live target answers its wall clock.
  virtual TimeNs unix_now() const { return now(); }

  // ---- the run's frame -------------------------------------------------------------------
  // Called once the scenario's clients are declared, before the first step (a simulation
  // plans its faults for those clients here).
  virtual void begin() {}
  // Called after the last step: what the target checks whatever the steps said (the
  // invariants, in simulation). A live target checks none.
  virtual std::vector<InvariantViolation> finish() { return {}; }

  // ---- the wire log (`--log`) -------------------------------------------------------------
  // From here on, every frame a client sends or receives, every REST call and answer and every
  // webhook received goes to `sink` as it happens (nullptr: nowhere). Times are the target's
  // virtual time in simulation, the steady clock (net/real_clock.hpp monotonic_now) live. The
  // sink outlives the target; logging changes nothing the target observes or traces.
  virtual void set_wire_log(WireSink* /*sink*/) {}

  // ---- setup and actions -----------------------------------------------------------------
  virtual ActionError declare_client(const ClientSpec& client) = 0;
  virtual ActionError connect(const std::string& client, const ConnectOptions& options) = 0;
  // code: a clean close with that code (none: 1000); abrupt: the transport dies, no close.
  virtual ActionError disconnect(const std::string& client, std::optional<int> code, bool abrupt) = 0;
  virtual ActionError subscribe(const std::string& client, const std::string& channel, const AuthChoice& auth,
                                const std::optional<Json>& channel_data) = 0;
  virtual ActionError unsubscribe(const std::string& client, const std::string& channel) = 0;
  // `as`: sign in, on client's connection, with the user of that other declared client.
  virtual ActionError signin(const std::string& client, const AuthChoice& auth,
                             const std::optional<std::string>& as) = 0;
  virtual ActionError send_text(const std::string& client, const std::string& text) = 0;
  // The bytes as one binary frame (the protocol has none; a server must refuse it).
  virtual ActionError send_binary(const std::string& /*client*/, const std::string& /*bytes*/) {
    return "this target cannot send binary frames";
  }
  // A WebSocket ping control frame with this payload (docs/protocol.md §1.6); the pong comes
  // back in pongs().
  virtual ActionError send_ws_ping(const std::string& /*client*/, const std::string& /*payload*/) {
    return "this target cannot send WebSocket pings";
  }
  // The response becomes the last entry of responses().
  virtual ActionError rest(const RestCall& call) = 0;

  // ---- faults (a live target may refuse the ones it cannot play) --------------------------
  virtual ActionError partition(const std::string& client) = 0;
  virtual ActionError heal(const std::string& client) = 0;
  virtual ActionError drop(const std::string& client) = 0;
  virtual ActionError latency(const std::optional<std::string>& client, DurationNs min, DurationNs max) = 0;
  virtual ActionError webhook_failures(int count, int status) = 0;
  virtual ActionError auth_refuse(const std::optional<std::string>& client,
                                  const std::optional<std::string>& channel) = 0;

  // ---- cluster (a scenario with `cluster:`; a target of one server refuses these) --------
  virtual int nodes() const { return 1; }
  virtual ActionError crash_node(int /*node*/) { return "this target has no cluster nodes to crash"; }
  virtual ActionError restart_node(int /*node*/) { return "this target has no cluster nodes to restart"; }
  virtual ActionError partition_nodes(int /*a*/, int /*b*/) { return "this target has no cluster bus to partition"; }
  virtual ActionError heal_nodes(std::optional<std::pair<int, int>> /*nodes*/) {
    return "this target has no cluster bus to heal";
  }
  // A graceful shutdown of the server (every connection closed with 4200, docs/protocol.md §1.8).
  virtual ActionError shutdown_server() { return "this target cannot shut its server down"; }

  // ---- time ---------------------------------------------------------------------------
  // Lets time run until done() holds (checked after every observation) or `deadline`
  // passes; true when done() held. On false the clock stands at the deadline. A target
  // bounds the work it does here itself and answers false when a bound is hit.
  virtual bool wait_until(TimeNs deadline, const std::function<bool()>& done) = 0;
  // Lets time run to `deadline` with nothing awaited (an `advance:` step). A live target
  // sleeps for real, within its advance budget.
  virtual void advance_to(TimeNs deadline) {
    wait_until(deadline, [] { return false; });
  }
  // Why this target cannot play the scenario as written (live: more `advance:` than its
  // budget, network faults on a server it cannot relay); nullopt when it can. The scenario
  // is then skipped with this reason, never failed.
  virtual std::optional<std::string> cannot_play(const Scenario&) const { return std::nullopt; }

  // ---- observations ----------------------------------------------------------------------
  virtual std::optional<std::string> socket_id(const std::string& client) const = 0;
  virtual const std::vector<ObservedFrame>& frames(const std::string& client) = 0;
  virtual std::optional<ObservedClose> close_of(const std::string& client) = 0;
  // The WebSocket pongs the client received, in arrival order, over all its connections.
  virtual const std::vector<ObservedPong>& pongs(const std::string& /*client*/) {
    static const std::vector<ObservedPong> kNone;
    return kNone;
  }
  virtual const std::vector<ObservedWebhook>& webhooks() = 0;
  virtual const std::vector<ObservedResponse>& responses() = 0;
  virtual std::vector<TraceLine> trace() const = 0;
  // Trouble below the protocol that the observations cannot show (a peer that sent garbage,
  // stopped reading or flooded; a REST call that got no answer; webhooks that did not
  // verify), one "who: what" line each, in order. A failed step quotes them, since an
  // expectation alone can only say that nothing arrived. The simulation has none.
  virtual std::vector<std::string> problems() const { return {}; }
  // Why the harness itself could not play its part (its webhook listener could not take its
  // port, a server it was to start did not): the scenario then says nothing about the server
  // under test, and is reported not run rather than failed. The simulation has none.
  virtual std::optional<std::string> harness_error() const { return std::nullopt; }
};

}  // namespace pushsim::harness
