// Connection lifecycle, handshake and liveness timers of the protocol client. Frames on an
// established connection are in protocol_client_receive.cpp, subscriptions and the auth
// round trips in protocol_client_channels.cpp.
#include "protocol/client/protocol_client.hpp"

#include <algorithm>
#include <utility>

#include "protocol/channel_name.hpp"
#include "protocol/client/client_frames.hpp"

namespace pushsim {
namespace {

// The activity_timeout a server advertised, in whole seconds for the Connected event. Huge
// or fractional values are clamped and truncated rather than overflowing.
std::int64_t whole_seconds(const Json& value) {
  constexpr std::int64_t kMax = 1'000'000'000'000'000;
  if (value.is_number_unsigned())
    return static_cast<std::int64_t>(std::min<std::uint64_t>(value.get<std::uint64_t>(), kMax));
  if (value.is_number_integer()) return value.get<std::int64_t>();
  return static_cast<std::int64_t>(std::min(value.get<double>(), static_cast<double>(kMax)));
}

// min(client option, server value): the server's value is seconds and may be fractional.
DurationNs effective_activity_timeout(DurationNs option, const Json& server_value) {
  double server_ns = server_value.get<double>() * static_cast<double>(kNsPerSecond);
  if (server_ns >= static_cast<double>(option)) return option;
  return std::max<DurationNs>(1, static_cast<DurationNs>(server_ns));
}

}  // namespace

std::string_view to_string(SubscriptionState state) {
  switch (state) {
    case SubscriptionState::kUnsubscribed: return "unsubscribed";
    case SubscriptionState::kPendingAuth: return "pending-auth";
    case SubscriptionState::kSubscribing: return "subscribing";
    case SubscriptionState::kSubscribed: return "subscribed";
  }
  return "unknown";
}

ProtocolClient::ProtocolClient(ClientOptions options) : options_(options) {}

void ProtocolClient::on_open(TimeNs /*now*/) { transition(ConnectionInput::kOpen); }

void ProtocolClient::on_text(TimeNs now, std::string_view text) {
  // Frames that arrive with no transport open are a driver's stray delivery: nothing to do.
  if (state_ != ConnectionState::kConnecting && state_ != ConnectionState::kConnected) return;
  auto frame = decode_frame(text);
  if (state_ == ConnectionState::kConnecting) {
    if (!frame) {
      emit(ClientError{ClientErrorKind::kGarbage, std::nullopt, frame.error().message, std::string(text)});
      handshake_failed("invalid handshake: " + frame.error().message);
      return;
    }
    handle_handshake_frame(now, *frame, text);
    return;
  }
  // Any frame, even garbage, proves the server is alive (docs/protocol.md §1.6).
  pong_deadline_.reset();
  activity_deadline_ = now + *activity_timeout_;
  if (!frame) {
    emit(ClientError{ClientErrorKind::kGarbage, std::nullopt, frame.error().message, std::string(text)});
    return;
  }
  handle_frame(now, *frame, text);
}

void ProtocolClient::on_close(TimeNs /*now*/, int code, std::string_view reason) {
  if (state_ != ConnectionState::kConnecting && state_ != ConnectionState::kConnected) return;
  CloseAction action = close_action(code);
  // A close during the handshake with no advice of its own backs off (pusher-js handshake).
  if (state_ == ConnectionState::kConnecting && action == CloseAction::kNone) action = CloseAction::kBackoff;
  auto input = action == CloseAction::kRefused ? ConnectionInput::kRefused : ConnectionInput::kClosed;
  drop_connection(code, std::string(reason), action, reconnect_delay(action), input);
}

void ProtocolClient::on_tick(TimeNs now) {
  if (state_ != ConnectionState::kConnected) return;
  if (pong_deadline_ && now >= *pong_deadline_) {
    outputs_.emplace_back(CloseTransport{1000, "pong timeout"});
    drop_connection(1000, "pong timeout", CloseAction::kReconnectNow, DurationNs{0}, ConnectionInput::kClosed);
    return;
  }
  if (activity_deadline_ && now >= *activity_deadline_) {
    send(encode_ping());
    activity_deadline_.reset();
    pong_deadline_ = now + options_.pong_timeout;
  }
}

std::optional<TimeNs> ProtocolClient::next_deadline() const {
  if (pong_deadline_ && activity_deadline_) return std::min(*pong_deadline_, *activity_deadline_);
  if (pong_deadline_) return pong_deadline_;
  return activity_deadline_;
}

std::vector<ClientOutput> ProtocolClient::take_outputs() { return std::exchange(outputs_, {}); }

std::optional<Error> ProtocolClient::send_ping(TimeNs now) {
  if (state_ != ConnectionState::kConnected) return make_error("cannot ping: not connected");
  send(encode_ping());
  activity_deadline_.reset();
  pong_deadline_ = now + options_.pong_timeout;
  return std::nullopt;
}

std::optional<Error> ProtocolClient::send_raw(TimeNs /*now*/, std::string_view text) {
  if (state_ != ConnectionState::kConnecting && state_ != ConnectionState::kConnected) {
    return make_error("cannot send: no open transport");
  }
  send(std::string(text));
  return std::nullopt;
}

void ProtocolClient::disconnect(TimeNs /*now*/) {
  if (state_ != ConnectionState::kConnecting && state_ != ConnectionState::kConnected) return;
  outputs_.emplace_back(CloseTransport{1000, "disconnect requested"});
  drop_connection(1000, "disconnect requested", CloseAction::kNone, std::nullopt, ConnectionInput::kClosed);
}

// --- private -----------------------------------------------------------------------------

bool ProtocolClient::transition(ConnectionInput input) {
  auto next = next_connection_state(state_, input);
  if (!next) return false;
  ConnectionState from = std::exchange(state_, *next);
  emit(StateChanged{from, *next});
  return true;
}

void ProtocolClient::handle_handshake_frame(TimeNs now, const Frame& frame, std::string_view text) {
  if (frame.event == events::kConnectionEstablished) {
    on_established(now, frame, text);
    return;
  }
  if (frame.event != events::kError) {
    std::string reason = "invalid handshake: expected pusher:connection_established, got " + frame.event;
    emit(ClientError{ClientErrorKind::kProtocol, std::nullopt, reason, std::string(text)});
    handshake_failed(reason);
    return;
  }
  // A pusher:error instead of the handshake: its code decides, as a close code would.
  // Without a code, or with one that advises nothing, pusher-js neither closes nor connects.
  ClientError error = server_error_event(frame, text);
  emit(error);
  if (!error.code) return;
  CloseAction action = close_action(*error.code);
  if (action == CloseAction::kNone) return;
  outputs_.emplace_back(CloseTransport{1000, "handshake error " + std::to_string(*error.code)});
  auto input = action == CloseAction::kRefused ? ConnectionInput::kRefused : ConnectionInput::kClosed;
  drop_connection(*error.code, std::move(error.message), action, reconnect_delay(action), input);
}

void ProtocolClient::on_established(TimeNs now, const Frame& frame, std::string_view text) {
  Json data = frame.decoded_data();
  if (!data.is_object()) {
    std::string reason = "invalid handshake: connection_established data is not an object";
    emit(ClientError{ClientErrorKind::kProtocol, std::nullopt, reason, std::string(text)});
    handshake_failed(reason);
    return;
  }
  auto timeout = data.find("activity_timeout");
  if (timeout == data.end() || !timeout->is_number() || !(timeout->get<double>() > 0)) {
    std::string reason = "no activity timeout specified in handshake";  // pusher-js refuses these too
    emit(ClientError{ClientErrorKind::kProtocol, std::nullopt, reason, std::string(text)});
    handshake_failed(reason);
    return;
  }
  auto id = data.find("socket_id");
  std::string socket_id;
  if (id != data.end()) socket_id = id->is_string() ? id->get<std::string>() : dump_json(*id);

  transition(ConnectionInput::kEstablished);
  socket_id_ = socket_id;
  activity_timeout_ = effective_activity_timeout(options_.activity_timeout, *timeout);
  activity_deadline_ = now + *activity_timeout_;
  pong_deadline_.reset();
  emit(ClientConnected{socket_id, whole_seconds(*timeout)});
  // pusher-js takes any socket_id; we go on too, but say so, for it breaks exclusion (§1.5).
  if (!is_valid_socket_id(socket_id))
    protocol_error("socket_id \"" + socket_id + "\" is not of the form \\d+.\\d+", text);
  after_connected();
}

void ProtocolClient::handshake_failed(std::string reason) {
  outputs_.emplace_back(CloseTransport{1000, reason});
  drop_connection(1000, std::move(reason), CloseAction::kBackoff, reconnect_delay(CloseAction::kBackoff),
                  ConnectionInput::kClosed);
}

void ProtocolClient::after_connected() {
  // As pusher-js: the sign-in listener runs on the state change, before subscribeAll.
  if (signin_requested_) request_signin();
  std::vector<std::pair<std::uint64_t, std::string>> order;
  for (const auto& [name, channel] : channels_) {
    if (!channel.user_channel && channel.state == SubscriptionState::kUnsubscribed)
      order.emplace_back(channel.order, name);
  }
  std::sort(order.begin(), order.end());
  for (const auto& [rank, name] : order) start_subscription(name, channels_.find(name)->second);
}

void ProtocolClient::drop_connection(int code, std::string reason, CloseAction action, std::optional<DurationNs> delay,
                                     ConnectionInput input) {
  transition(input);
  socket_id_.reset();
  activity_timeout_.reset();
  activity_deadline_.reset();
  pong_deadline_.reset();
  // Every auth round trip in flight belongs to the old socket_id: their answers are stale.
  pending_auth_.clear();
  signin_request_id_ = 0;
  user_data_.reset();
  for (auto it = channels_.begin(); it != channels_.end();) {
    Channel& channel = it->second;
    if (channel.cancelled || channel.user_channel) {
      it = channels_.erase(it);
      continue;
    }
    channel.state = SubscriptionState::kUnsubscribed;
    channel.auth_request_id = 0;
    if (channel.members) channel.members->reset();
    ++it;
  }
  emit(ClientDisconnected{code, std::move(reason), action, delay});
}

void ProtocolClient::send(std::string text) { outputs_.emplace_back(SendText{std::move(text)}); }

void ProtocolClient::emit(ClientEvent event) { outputs_.emplace_back(std::move(event)); }

}  // namespace pushsim
