#pragma once
// The client side of the Pusher Channels protocol, as a sans-IO state machine that does on
// the wire what pusher-js does (docs/protocol.md §1, §3, §4, §5).
//
// Theory of operation. The driver owns the transport and the clock. It reports the transport
// opening (on_open), each text frame (on_text), the transport closing (on_close) and the
// passing of time (on_tick at next_deadline()); the application side calls the commands
// (subscribe, unsubscribe, send_client_event, signin, ...). Everything the client wants done
// or wants the application to know is queued as a ClientOutput and drained with
// take_outputs(). Nothing here reads a clock, and no unordered container reaches an output.
//
// Channels. The client keeps the set of channels the application wants, in the order they
// were first asked for. Each has a SubscriptionState. On every connection_established all of
// them are subscribed again (pusher-js's subscribeAll), so a disconnect while a subscription
// is pending does resubscribe (pusher-js PR #251). Authorization is asynchronous: a channel
// needing auth emits an AuthRequest and waits in kPendingAuth until on_auth_response; a
// response for a request that is no longer current (the channel was unsubscribed, or the
// connection closed, meanwhile) is stale and dropped. Unsubscribing while the subscribe
// frame awaits its subscription_succeeded only marks the subscription cancelled, as pusher-js
// does: the pusher:unsubscribe goes out when the success arrives, and subscribing again
// before that reinstates it without a second frame. Deliberate difference: pusher-js keeps a
// cancelled channel across a disconnect and resubscribes it; here it is dropped, since the
// application asked to leave.
//
// Liveness. Every received frame restarts the activity timer, of min(options, server's
// activity_timeout). When it expires the client sends pusher:ping; if nothing arrives within
// pong_timeout it closes the transport and reports a disconnect with action reconnect-now.
// A server pusher:ping is answered with pusher:pong.
//
// Refusals. Commands that pusher-js would refuse (or that cannot be sent now) return an
// Error and send nothing. Client events are refused more strictly than pusher-js, per the
// protocol rather than the library: only client-* names, only on private and presence
// channels, only once subscribed (pusher-js sends on public channels and before success).
// send_raw() bypasses every rule, for tests of the server's own checks.
#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

#include "protocol/client/client_outputs.hpp"
#include "protocol/client/close_action.hpp"
#include "protocol/client/connection_state.hpp"
#include "protocol/client/presence_members.hpp"
#include "protocol/frame.hpp"
#include "protocol/json.hpp"
#include "protocol/result.hpp"
#include "protocol/time.hpp"

namespace pushsim {

struct ClientOptions {
  DurationNs activity_timeout = seconds(120);  // pusher-js activityTimeout
  DurationNs pong_timeout = seconds(30);       // pusher-js pongTimeout
};

enum class SubscriptionState {
  kUnsubscribed,  // wanted but not subscribed: not connected yet, or the last attempt failed
  kPendingAuth,   // AuthRequest emitted, awaiting on_auth_response
  kSubscribing,   // pusher:subscribe sent, awaiting subscription_succeeded
  kSubscribed,
};
std::string_view to_string(SubscriptionState state);

// The auth endpoint failed: its HTTP status (0 when there was no answer) and a message.
struct AuthFailure {
  int status = 0;
  std::string message;
};
// The auth endpoint's parsed JSON body ({auth, channel_data?, shared_secret?} for channels,
// {auth, user_data} for sign-in; a discarded or non-object value counts as invalid JSON), or
// a failure.
using AuthResult = std::variant<Json, AuthFailure>;

class ProtocolClient {
 public:
  explicit ProtocolClient(ClientOptions options = {});

  // --- inputs ------------------------------------------------------------------------------
  // The transport opened; the client now awaits pusher:connection_established. Ignored
  // unless disconnected, failed or initialized.
  void on_open(TimeNs now);
  void on_text(TimeNs now, std::string_view text);
  // The transport closed (by the server, or the network). Ignored when not open, so the
  // driver may report the close that follows a CloseTransport.
  void on_close(TimeNs now, int code, std::string_view reason);
  void on_tick(TimeNs now);
  // Answers an AuthRequest. Returns false when the response was stale and dropped.
  bool on_auth_response(TimeNs now, std::uint64_t request_id, const AuthResult& result);
  std::optional<TimeNs> next_deadline() const;
  std::vector<ClientOutput> take_outputs();

  // --- commands ----------------------------------------------------------------------------
  // Refuses '#' names, which pusher-js reserves for itself. Subscribing to a channel already
  // wanted is a no-op (sub-sub = sub).
  std::optional<Error> subscribe(TimeNs now, std::string_view channel);
  // Unsubscribing from a channel not wanted is a no-op.
  void unsubscribe(TimeNs now, std::string_view channel);
  std::optional<Error> send_client_event(TimeNs now, std::string_view channel, std::string_view event,
                                         const Json& data);
  // Asks for user authentication now if connected, else on the next connection; again after
  // every reconnect. A second call is a no-op.
  void signin(TimeNs now);
  // Sends pusher:ping and, as pusher-js does when it pings, expects traffic within pong_timeout.
  std::optional<Error> send_ping(TimeNs now);
  // Sends text verbatim on an open transport (connecting or connected).
  std::optional<Error> send_raw(TimeNs now, std::string_view text);
  // Closes the transport on the application's request (code 1000); no reconnect advised.
  void disconnect(TimeNs now);

  // --- observation -------------------------------------------------------------------------
  ConnectionState state() const { return state_; }
  const std::optional<std::string>& socket_id() const { return socket_id_; }
  // min(options, server's activity_timeout) while connected.
  std::optional<DurationNs> activity_timeout() const { return activity_timeout_; }
  SubscriptionState subscription_state(std::string_view channel) const;
  // True while an unsubscribe waits for the pending subscription_succeeded.
  bool subscription_cancelled(std::string_view channel) const;
  // Wanted channels in the order they were first asked for (sign-in's own channel included).
  std::vector<std::string> channels() const;
  // Presence channels only.
  const PresenceMembers* members(std::string_view channel) const;
  // Encrypted channels: the shared_secret of the last successful authorization.
  std::optional<std::string> shared_secret(std::string_view channel) const;
  // Set by pusher:signin_success, cleared by a disconnect.
  const std::optional<Json>& user_data() const { return user_data_; }

 private:
  struct Channel {
    SubscriptionState state = SubscriptionState::kUnsubscribed;
    bool cancelled = false;
    bool user_channel = false;          // #server-to-user-<id>, owned by sign-in
    std::uint64_t order = 0;            // first asked for; resubscription order
    std::uint64_t auth_request_id = 0;  // while kPendingAuth
    std::optional<PresenceMembers> members;
    std::optional<std::string> shared_secret;
  };
  struct PendingAuth {
    AuthKind kind = AuthKind::kChannel;
    std::string channel;
  };

  // protocol_client.cpp: connection lifecycle and timers.
  bool transition(ConnectionInput input);
  void on_established(TimeNs now, const Frame& frame, std::string_view text);
  void handshake_failed(std::string reason);
  void handle_handshake_frame(TimeNs now, const Frame& frame, std::string_view text);
  void drop_connection(int code, std::string reason, CloseAction action, std::optional<DurationNs> delay,
                       ConnectionInput input);
  void after_connected();
  void send(std::string text);
  void emit(ClientEvent event);

  // protocol_client_receive.cpp: frames on an established connection.
  void handle_frame(TimeNs now, const Frame& frame, std::string_view text);
  static ClientError server_error_event(const Frame& frame, std::string_view text);
  void handle_subscription_succeeded(const Frame& frame, std::string_view text);
  void handle_subscription_error(const Frame& frame);
  void handle_member_event(const Frame& frame, std::string_view text);
  void handle_signin_success(const Frame& frame, std::string_view text);
  void protocol_error(std::string message, std::string_view text);
  Channel* find_channel(const std::optional<std::string>& name);

  // protocol_client_channels.cpp: subscriptions and authorization.
  void start_subscription(const std::string& name, Channel& channel);
  void apply_channel_auth(const std::string& name, Channel& channel, const AuthResult& result);
  void fail_channel_auth(const std::string& name, Channel& channel, Json data);
  void request_signin();
  void apply_user_auth(const AuthResult& result);
  void subscribe_user_channel(const std::string& user_id);
  void drop_user_channel(std::string_view keep);
  std::uint64_t new_auth_request(AuthKind kind, const std::string& channel);

  ClientOptions options_;
  ConnectionState state_ = ConnectionState::kInitialized;
  std::optional<std::string> socket_id_;
  std::optional<DurationNs> activity_timeout_;
  std::optional<TimeNs> activity_deadline_;  // send pusher:ping then
  std::optional<TimeNs> pong_deadline_;      // give up then

  std::map<std::string, Channel, std::less<>> channels_;
  std::uint64_t next_channel_order_ = 1;
  std::map<std::uint64_t, PendingAuth> pending_auth_;
  std::uint64_t next_request_id_ = 1;

  bool signin_requested_ = false;
  std::uint64_t signin_request_id_ = 0;
  std::optional<Json> user_data_;

  std::vector<ClientOutput> outputs_;
};

}  // namespace pushsim
