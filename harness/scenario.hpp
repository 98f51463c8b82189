#pragma once
// The typed scenario model: what a YAML scenario file says, checked and ready to run. The
// loader (scenario_loader.hpp) builds it; the executor (executor.hpp) runs it against a target.
//
// A scenario declares clients, then runs steps in order. Every step is a plain struct that
// carries the place it was written (`where`), so a failure at run time can point at the line.
// Strings may hold variables (`${alice.socket_id}`, variables.hpp); the model keeps them as
// written and the executor substitutes them when the step runs.
#include <optional>
#include <string>
#include <variant>
#include <vector>

#include "harness/source_location.hpp"
#include "protocol/json.hpp"
#include "protocol/time.hpp"

namespace pushsim::harness {

// MUST: the protocol requires the behaviour. SHOULD: the reference's choice among allowed
// ones (a difference is a non-strict verdict). INFO: observed and reported, never failed.
enum class Level { kMust, kShould, kInfo };

inline constexpr DurationNs kExpectWithinDefault = kNsPerSecond;
inline constexpr DurationNs kExpectWebhookWithinDefault = 5 * kNsPerSecond;

struct Client {
  SourceLocation where;
  std::string name;
  std::optional<std::string> user_id;  // sign-in and presence channel_data use it
  std::optional<Json> user_info;
  // The target app this client belongs to, by its name in the target profile ("default"
  // when absent), for scenarios that check isolation between apps.
  std::optional<std::string> app;
  // Sign-in only: the user ids put in user_data's `watchlist` (§4.6).
  std::optional<std::vector<std::string>> watchlist = std::nullopt;

  bool operator==(const Client&) const = default;
};

// Settings of a named app (`apps:` in a scenario), for the targets that make their own apps
// (the simulation and --target serve); a live server must be configured with them.
struct AppSettings {
  SourceLocation where;
  std::string name;  // as clients name it in `app:`
  std::optional<bool> enabled;
  std::optional<bool> client_events;
  std::optional<bool> user_authentication_required;
  std::optional<DurationNs> authorization_timeout;
  std::optional<std::size_t> max_connections;
  std::optional<std::uint64_t> max_messages;

  bool operator==(const AppSettings&) const = default;
};

// One webhook endpoint of the default app, besides its catch-all one: a URL of its own (sim:
// .../pusher/webhooks/NAME, live: the listener's /webhooks/NAME) that gets only the events of
// `event_types` (docs/protocol.md §8.3, soketi's `event_types` filter).
struct WebhookEndpoint {
  SourceLocation where;
  std::string name;
  std::vector<std::string> event_types;

  bool operator==(const WebhookEndpoint&) const = default;
};

// ---- Connection steps -------------------------------------------------------------------

struct ConnectStep {
  SourceLocation where;
  std::string client;
  std::optional<std::string> app_key;      // connect with this key instead (error cases)
  std::optional<int> protocol_version;     // ?protocol=N instead of 7
  std::optional<std::string> path;         // raw path and query, replacing the whole URL path
  std::optional<int> node = std::nullopt;  // cluster: the node it connects to (else round robin)

  bool operator==(const ConnectStep&) const = default;
};

struct DisconnectStep {
  SourceLocation where;
  std::string client;
  std::optional<int> code;  // close code sent by the client; none: a plain close
  bool abrupt = false;      // drop TCP without a close frame

  bool operator==(const DisconnectStep&) const = default;
};

// What a subscribe or signin sends as `auth`.
struct AuthChoice {
  enum class Kind {
    kValid,           // signed by the fake app server, as a real app would
    kNone,            // no auth field at all
    kWrongSignature,  // right shape, signature made with another secret
    kOtherSocket,     // valid signature, but for another socket_id
    kLiteral,         // exactly `literal`
    // Valid for the socket and channel, but signing `signed_channel_data` instead of the
    // channel_data that is sent (presence impersonation); null signs none, as for a private channel.
    kOtherChannelData,
  };
  Kind kind = Kind::kValid;
  std::string literal;
  Json signed_channel_data = Json();  // kOtherChannelData only

  bool operator==(const AuthChoice&) const = default;
};

struct SubscribeStep {
  SourceLocation where;
  std::string client;
  std::string channel;
  AuthChoice auth;
  // Presence: the channel_data to sign and send; none derives it from the client's
  // user_id and user_info.
  std::optional<Json> channel_data;

  bool operator==(const SubscribeStep&) const = default;
};

struct UnsubscribeStep {
  SourceLocation where;
  std::string client;
  std::string channel;

  bool operator==(const UnsubscribeStep&) const = default;
};

struct SigninStep {
  SourceLocation where;
  std::string client;
  AuthChoice auth;
  // On this client's connection, sign in with the user of another declared client.
  std::optional<std::string> as = std::nullopt;

  bool operator==(const SigninStep&) const = default;
};

struct ClientEventStep {
  SourceLocation where;
  std::string client;
  std::string channel;
  std::string event;
  Json data;  // sent as an object, as pusher-js does; {} when the step gives none

  bool operator==(const ClientEventStep&) const = default;
};

// A raw text frame, byte for byte, for malformed-frame scenarios.
struct SendStep {
  SourceLocation where;
  std::string client;
  std::string text;
  bool binary = false;  // `binary: true`: the text's bytes as one binary frame
  // `ws_ping: PAYLOAD`: a WebSocket ping control frame with this payload instead of any text.
  std::optional<std::string> ws_ping = std::nullopt;

  bool operator==(const SendStep&) const = default;
};

// ---- REST steps ---------------------------------------------------------------------------

// Who a published event must not reach (docs/protocol.md §6).
struct Exclude {
  enum class Kind { kClient, kSocketId };
  Kind kind = Kind::kClient;
  std::string value;  // a client name, or the raw socket_id text (may hold variables)

  bool operator==(const Exclude&) const = default;
};

struct TriggerStep {
  SourceLocation where;
  std::vector<std::string> channels;
  bool single_channel_form = false;  // written as `channel:`: sent as "channel", not "channels"
  std::string event;
  // As sent in the body: a YAML string verbatim, anything else JSON-encoded; "{}" when the
  // step gives none (malformed publishes are written as request steps).
  std::string data;
  std::optional<Exclude> exclude;
  std::optional<std::string> info;
  std::string app = "default";             // the app it is sent for, by the name clients use
  std::optional<int> node = std::nullopt;  // cluster: the node the REST call goes to

  bool operator==(const TriggerStep&) const = default;
};

struct BatchItem {
  SourceLocation where;
  std::string channel;
  std::string event;
  std::string data;  // as in TriggerStep
  std::optional<Exclude> exclude;
  std::optional<std::string> info;

  bool operator==(const BatchItem&) const = default;
};

struct BatchTriggerStep {
  SourceLocation where;
  std::vector<BatchItem> items;
  std::optional<int> node = std::nullopt;

  bool operator==(const BatchTriggerStep&) const = default;
};

// Query parameters in the order written.
using ParamList = std::vector<std::pair<std::string, std::string>>;

// A signed GET. Paths not starting with /apps/ are relative to the app: /channels/x.
struct QueryStep {
  SourceLocation where;
  std::string path;
  ParamList params;
  std::optional<int> node = std::nullopt;

  bool operator==(const QueryStep&) const = default;
};

// How a request step signs its request (docs/protocol.md §7.2).
// kUppercaseSignature: a valid signature written in uppercase hex; kUnsortedQuery: valid, with
// the query string's parameters in reverse key order (the server must sort them to verify).
enum class Signing {
  kValid,
  kBadSignature,
  kStaleTimestamp,
  kWrongBodyMd5,
  kWrongKey,
  kUnsigned,
  kUppercaseSignature,
  kUnsortedQuery
};

struct RequestStep {
  SourceLocation where;
  std::string method = "GET";
  std::string path;
  ParamList params;
  std::optional<std::string> body;  // a YAML string verbatim, anything else JSON-encoded
  Signing signing = Signing::kValid;
  std::string app = "default";  // the app it is sent for, by the name clients use
  std::optional<int> node = std::nullopt;
  // auth_timestamp this many seconds from the sender's clock (negative: in the past); the
  // request then leaves just after a whole second, so the server's clock reads the same one.
  std::optional<std::int64_t> timestamp_offset_s = std::nullopt;

  bool operator==(const RequestStep&) const = default;
};

// ---- Expectations -------------------------------------------------------------------------

// Fields left out are not checked; `data` is matched by subset after decoding (matcher.hpp).
struct ExpectStep {
  SourceLocation where;
  std::string client;
  std::string event;
  std::optional<std::string> channel;
  std::optional<Json> data;
  std::optional<std::string> user_id;
  DurationNs within = kExpectWithinDefault;
  // Only frames received after the one this client's latest passing expect consumed: the
  // order of frames on one connection is guaranteed, so a race scenario may check it.
  bool after_previous = false;
  // Top-level fields written `!absent` (channel, user_id): the frame must not have them.
  std::vector<std::string> absent = {};

  bool operator==(const ExpectStep&) const = default;
};

// Nothing matching arrives at client during the span.
struct ExpectNoneStep {
  SourceLocation where;
  std::string client;
  std::optional<std::string> event;
  std::optional<std::string> channel;
  std::optional<Json> data;
  DurationNs span = 0;                   // `for:` in YAML
  bool after_previous = false;           // as in ExpectStep
  std::vector<std::string> absent = {};  // as in ExpectStep

  bool operator==(const ExpectNoneStep&) const = default;
};

struct ExpectCloseStep {
  SourceLocation where;
  std::string client;
  std::optional<int> code;
  DurationNs within = kExpectWithinDefault;

  bool operator==(const ExpectCloseStep&) const = default;
};

// The response to the latest REST step (query, request, trigger, batch_trigger).
struct ExpectResponseStep {
  SourceLocation where;
  int status = 200;
  std::optional<Json> body;  // subset of the JSON body

  bool operator==(const ExpectResponseStep&) const = default;
};

// Every field of a webhook event (docs/protocol.md §8.2) and, as batch_size, the one field of
// its envelope (§8.1) that does not depend on the clock: how many events its POST carried.
struct ExpectWebhookStep {
  SourceLocation where;
  std::string name;  // channel_occupied, member_added, ...
  std::optional<std::string> channel;
  std::optional<std::string> user_id;
  std::optional<std::string> event;  // client_event
  std::optional<Json> data;          // client_event, decoded when a string
  DurationNs within = kExpectWebhookWithinDefault;
  std::optional<std::string> socket_id = {};            // client_event: the sender's
  std::optional<std::int64_t> subscription_count = {};  // subscription_count
  std::optional<std::int64_t> batch_size = {};          // events in the POST that carried it
  std::vector<std::string> absent = {};                 // fields written `!absent`
  // The envelope's time_ms is there and within this much of the POST's arrival (Unix ms).
  std::optional<DurationNs> time_ms_within = {};
  // At this endpoint of the scenario's `webhook_endpoints:`; none: the catch-all endpoint.
  std::optional<std::string> endpoint = {};

  bool operator==(const ExpectWebhookStep&) const = default;
};

struct ExpectNoWebhookStep {
  SourceLocation where;
  std::optional<std::string> name;
  std::optional<std::string> channel;
  std::optional<std::string> user_id;
  DurationNs span = 0;                       // `for:` in YAML
  std::optional<std::string> endpoint = {};  // as in ExpectWebhookStep

  bool operator==(const ExpectNoWebhookStep&) const = default;
};

// What an app that orders the webhook events it accepted by time_ms (delivery order is not
// guaranteed, docs/protocol.md §8.3) believes in the end: of channel_occupied / channel_vacated for
// the channel, or of member_added / member_removed for the channel and user_id, the latest.
// None at all counts as vacated / absent; within one millisecond a removal counts as later.
// Waits up to `within` for the state to hold.
struct ExpectWebhookStateStep {
  enum class State { kOccupied, kVacated, kMember, kAbsent };
  SourceLocation where;
  std::string channel;
  std::optional<std::string> user_id;  // given: member or absent; else occupied or vacated
  State state = State::kOccupied;
  DurationNs within = kExpectWithinDefault;

  bool operator==(const ExpectWebhookStateStep&) const = default;
};

// The server refused the client's subscription to channel, in any of the forms
// docs/protocol.md §3.3 lists: a pusher:subscription_error on the channel (soketi's
// {type, error, status}, with or without status; also what pusher-js raises itself when its
// own auth request is refused), or a pusher:error with no channel or this one (the official
// service: code null; Reverb: 4009). Before it, no subscription_succeeded on the channel.
struct ExpectRefusedStep {
  SourceLocation where;
  std::string client;
  std::string channel;
  DurationNs within = kExpectWithinDefault;

  bool operator==(const ExpectRefusedStep&) const = default;
};

// The pong a WebSocket ping (`send: {ws_ping}`) asks for (docs/protocol.md §1.6): a pong
// control frame, not consumed before, with this payload when given.
struct ExpectPongStep {
  SourceLocation where;
  std::string client;
  std::optional<std::string> payload;  // `data:` in YAML
  DurationNs within = kExpectWithinDefault;

  bool operator==(const ExpectPongStep&) const = default;
};

// ---- Time and faults ----------------------------------------------------------------------

struct AdvanceStep {
  SourceLocation where;
  DurationNs duration = 0;

  bool operator==(const AdvanceStep&) const = default;
};

// The network stops carrying the client's traffic (both ways) until healed; the connection
// stays open at both ends.
struct PartitionStep {
  SourceLocation where;
  std::string client;

  bool operator==(const PartitionStep&) const = default;
};

struct HealStep {
  SourceLocation where;
  std::string client;

  bool operator==(const HealStep&) const = default;
};

// The network kills the client's connection: neither end gets a close frame.
struct DropStep {
  SourceLocation where;
  std::string client;

  bool operator==(const DropStep&) const = default;
};

// From now on, each message takes a delay in [min, max] drawn from the seed.
struct LatencyStep {
  SourceLocation where;
  std::optional<std::string> client;  // none: every client
  DurationNs min = 0;
  DurationNs max = 0;

  bool operator==(const LatencyStep&) const = default;
};

// The webhook receiver fails the next `count` deliveries.
struct WebhookFailuresStep {
  SourceLocation where;
  int count = 1;
  int status = 500;  // 0: no answer at all (as Engine::on_webhook_response takes it)

  bool operator==(const WebhookFailuresStep&) const = default;
};

// The fake app server refuses (403) channel auth requests from now on.
struct AuthRefuseStep {
  SourceLocation where;
  std::optional<std::string> client;   // none: every client
  std::optional<std::string> channel;  // none: every channel

  bool operator==(const AuthRefuseStep&) const = default;
};

// ---- Cluster faults (a scenario with `cluster: { nodes: N }`; nodes numbered from 0) -----------

// The node dies: every connection on it drops abruptly, its state is gone; the survivors
// notice through the shared store's heartbeats (docs/cluster.md).
struct CrashNodeStep {
  SourceLocation where;
  int node = 0;

  bool operator==(const CrashNodeStep&) const = default;
};

// A crashed node starts again, empty.
struct RestartNodeStep {
  SourceLocation where;
  int node = 0;

  bool operator==(const RestartNodeStep&) const = default;
};

// The bus between two nodes stops carrying their pub/sub messages (lost, not held) until healed.
struct PartitionNodesStep {
  SourceLocation where;
  int a = 0;
  int b = 0;

  bool operator==(const PartitionNodesStep&) const = default;
};

struct HealNodesStep {
  SourceLocation where;
  std::optional<std::pair<int, int>> nodes;  // none: every partition between nodes

  bool operator==(const HealNodesStep&) const = default;
};

// The server shuts down gracefully (docs/protocol.md §1.8: every connection closed with 4200).
// Simulation: the engine is told to; live: SIGTERM to the --server-cmd process, or the
// in-process server of --target serve stopped.
struct ShutdownServerStep {
  SourceLocation where;

  bool operator==(const ShutdownServerStep&) const = default;
};

// ---- Composition --------------------------------------------------------------------------

struct Step;

// The steps are issued at the same instant; expectations among them wait together.
struct ConcurrentlyStep {
  SourceLocation where;
  std::vector<Step> steps;

  bool operator==(const ConcurrentlyStep&) const;
};

// Exactly one branch must hold: outcomes that may go more than one way in a race.
struct OneOfStep {
  SourceLocation where;
  std::vector<std::vector<Step>> branches;

  bool operator==(const OneOfStep&) const;
};

using StepAction =
    std::variant<ConnectStep, DisconnectStep, SubscribeStep, UnsubscribeStep, SigninStep, ClientEventStep, SendStep,
                 TriggerStep, BatchTriggerStep, QueryStep, RequestStep, ExpectStep, ExpectNoneStep, ExpectCloseStep,
                 ExpectResponseStep, ExpectWebhookStep, ExpectNoWebhookStep, ExpectWebhookStateStep, ExpectRefusedStep,
                 ExpectPongStep, AdvanceStep, PartitionStep, HealStep, DropStep, LatencyStep, WebhookFailuresStep,
                 AuthRefuseStep, CrashNodeStep, RestartNodeStep, PartitionNodesStep, HealNodesStep, ShutdownServerStep,
                 ConcurrentlyStep, OneOfStep>;

// A step: one of the structs above. Wrapped in a struct (rather than a bare alias) because
// concurrently and one_of hold steps themselves, and a variant cannot name itself.
struct Step {
  StepAction action;

  bool operator==(const Step&) const = default;
};

// The YAML key of the step's kind: "subscribe", "expect_none", "one_of".
std::string_view step_kind(const Step& step);
const SourceLocation& location(const Step& step);
// One line for traces and test failures: `subscribe alice presence-room (auth: valid)`.
std::string describe_step(const Step& step);

// The longest `fault_delay_max:` a scenario may give: the exploration contract's own bound.
inline constexpr DurationNs kFaultDelayMaxLimit = 10 * kNsPerSecond;

// The longest `virtual_time_limit:` a scenario may ask for.
inline constexpr DurationNs kVirtualTimeLimitMax = 2 * 60 * 60 * kNsPerSecond;

struct Scenario {
  SourceLocation where;  // of its id: where reports and duplicate-id errors point
  std::string id;        // area.N, e.g. presence.12: stable across renames
  std::string name;
  Level level = Level::kMust;
  std::string section;           // docs/protocol.md section checked, e.g. "3.4"
  SourceLocation section_where;  // of its `section:` value, where lint points at a bad citation
  std::vector<std::string> tags;
  std::vector<std::string> requires_features;  // `requires:`; targets lacking one skip it
  // Set when the scenario can only run in simulation (partitions, exact timing), with why.
  std::optional<std::string> simulation_only;
  // Set when the scenario must send its channel names and user ids exactly as written on a
  // live target, with why; else each gets a suffix unique to the run (name_isolation.hpp).
  std::optional<std::string> exact_channel_names;
  // `cluster: { nodes: N }`: the scenario runs on N server nodes sharing state (docs/cluster.md);
  // none: on one server, as every other scenario.
  std::optional<int> cluster_nodes;
  // `virtual_time_limit: 40m`: this scenario's time cap instead of the run's (10 minutes), at
  // most kVirtualTimeLimitMax, for checks that need longer (a cache TTL of 30 minutes).
  std::optional<DurationNs> virtual_time_limit;
  // `fault_delay_max: 500ms`: when this scenario is explored, every fault a profile draws is
  // held to it (a partition heals within it, a message waits at most that much longer), for a
  // scenario whose premise is timing (a rejoin within the server's removal delay). None: the
  // profile's own bounds.
  std::optional<DurationNs> fault_delay_max;
  std::vector<Client> clients;    // in declaration order
  std::vector<AppSettings> apps;  // `apps:`, in declaration order
  // `webhook_endpoints:`: the default app's webhook endpoints besides its catch-all one, each
  // with its event filter (docs/protocol.md §8.3), in declaration order.
  std::vector<WebhookEndpoint> webhook_endpoints;
  std::vector<Step> steps;

  bool operator==(const Scenario&) const = default;
  const Client* find_client(std::string_view client_name) const;
};

std::string_view to_string(Level level);
std::string_view to_string(Signing signing);
std::string_view to_string(AuthChoice::Kind kind);
std::string_view to_string(ExpectWebhookStateStep::State state);

}  // namespace pushsim::harness
