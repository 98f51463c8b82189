#pragma once
// What the protocol client hands back to its driver (drained with take_outputs()):
// - I/O requests: SendText (a text frame to write), AuthRequest (ask the app's auth endpoint;
//   answer with ProtocolClient::on_auth_response), CloseTransport (close the socket);
// - ClientEvent: what an application using pusher-js would be told.
// Plain values with ==, and describe() for traces and test diffs.
#include <cstdint>
#include <optional>
#include <string>
#include <variant>

#include "protocol/client/close_action.hpp"
#include "protocol/client/connection_state.hpp"
#include "protocol/client/presence_members.hpp"
#include "protocol/frame.hpp"
#include "protocol/json.hpp"
#include "protocol/time.hpp"

namespace pushsim {

// --- I/O requests --------------------------------------------------------------------------
struct SendText {
  std::string text;
  bool operator==(const SendText&) const = default;
};

enum class AuthKind { kChannel, kUser };

// Channel authorization (kChannel: private, presence, encrypted) or user authentication for
// sign-in (kUser, channel empty). The driver asks the app's endpoint with these values.
struct AuthRequest {
  std::uint64_t request_id = 0;
  AuthKind kind = AuthKind::kChannel;
  std::string channel;
  std::string socket_id;
  bool operator==(const AuthRequest&) const = default;
};

struct CloseTransport {
  int code = 1000;
  std::string reason;
  bool operator==(const CloseTransport&) const = default;
};

// --- what the application sees -------------------------------------------------------------
struct StateChanged {
  ConnectionState from = ConnectionState::kInitialized;
  ConnectionState to = ConnectionState::kInitialized;
  bool operator==(const StateChanged&) const = default;
};

struct ClientConnected {
  std::string socket_id;
  std::int64_t activity_timeout_s = 0;  // as the server advertised it
  bool operator==(const ClientConnected&) const = default;
};

struct ClientDisconnected {
  int code = 1000;  // the close code (ours when the client closed)
  std::string reason;
  CloseAction action = CloseAction::kNone;
  std::optional<DurationNs> reconnect_delay;  // when pusher-js would reconnect; nullopt: never
  bool operator==(const ClientDisconnected&) const = default;
};

struct SubscriptionSucceeded {
  std::string channel;
  Json data;                               // decoded, as pusher-js passes it on
  std::optional<PresenceMembers> members;  // presence channels
  bool operator==(const SubscriptionSucceeded&) const = default;
};

// Local (the auth round trip failed: {"type":"AuthError","error":…,"status":…}) or relayed
// from a server's pusher:subscription_error frame (its decoded data).
struct SubscriptionError {
  std::string channel;
  Json data;
  bool local = true;
  bool operator==(const SubscriptionError&) const = default;
};

struct PresenceMemberAdded {
  std::string channel;
  MemberInfo member;
  bool operator==(const PresenceMemberAdded&) const = default;
};

struct PresenceMemberRemoved {
  std::string channel;
  MemberInfo member;
  bool operator==(const PresenceMemberRemoved&) const = default;
};

// Every received frame no other event stands for (pings and pongs aside): channel events (including client events,
// with user_id), pusher:cache_miss, events on channels we are not subscribed to, unknown
// connection-level events. The frame is as decoded, data in its wire form.
struct ClientMessage {
  Frame frame;
  bool operator==(const ClientMessage&) const = default;
};

enum class ClientErrorKind {
  kServer,    // a pusher:error frame
  kGarbage,   // a frame that is not a valid envelope (not JSON, not an object, no event...)
  kProtocol,  // a valid envelope the client cannot use (bad handshake, malformed presence data...)
};

struct ClientError {
  ClientErrorKind kind = ClientErrorKind::kServer;
  std::optional<int> code;  // pusher:error's code; null or absent there gives nullopt
  std::string message;
  std::string frame_text;  // the received frame, verbatim
  bool operator==(const ClientError&) const = default;
};

struct SigninSucceeded {
  Json user_data;  // parsed; has a non-empty string "id"
  bool operator==(const SigninSucceeded&) const = default;
};

// The user-authentication round trip failed ({"type":"AuthError","error":…,"status":…}).
// pusher-js only logs this; it is an event here so that scenarios can wait for it.
struct SigninFailed {
  Json data;
  bool operator==(const SigninFailed&) const = default;
};

using ClientEvent =
    std::variant<StateChanged, ClientConnected, ClientDisconnected, SubscriptionSucceeded, SubscriptionError,
                 PresenceMemberAdded, PresenceMemberRemoved, ClientMessage, ClientError, SigninSucceeded, SigninFailed>;

using ClientOutput = std::variant<SendText, AuthRequest, CloseTransport, ClientEvent>;

std::string_view to_string(AuthKind kind);
std::string_view to_string(ClientErrorKind kind);
// One line, e.g. `send {"event":"pusher:ping","data":{}}` or `event connected 1.2 120s`.
std::string describe(const ClientEvent& event);
std::string describe(const ClientOutput& output);

}  // namespace pushsim
