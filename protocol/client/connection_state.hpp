#pragma once
// Connection states of the protocol client and every transition between them, in one table
// (connection_state.cpp) so that a diagram can be generated from it.
//
//   initialized --open--> connecting --established--> connected
//   connecting / connected --closed / local_close--> disconnected
//   connecting / connected --refused--> failed
//   disconnected / failed --open--> connecting
//
// pusher-js also has `unavailable` (no connection after 10 s); that is the driver's business
// here, since the client never opens transports itself. pusher-js goes to `disconnected`
// when refused; we say `failed` so that a driver sees at once that reconnecting unchanged is
// pointless (the Disconnected event carries the close action as well).
#include <optional>
#include <string_view>
#include <vector>

namespace pushsim {

enum class ConnectionState { kInitialized, kConnecting, kConnected, kDisconnected, kFailed };

enum class ConnectionInput {
  kOpen,         // the driver opened a transport
  kEstablished,  // pusher:connection_established accepted
  kClosed,       // the transport closed, or the client closed it (pong timeout, handshake error)
  kRefused,      // closed with a code whose action is `refused`
};

struct ConnectionTransition {
  ConnectionState from;
  ConnectionInput input;
  ConnectionState to;
};

// The whole table, in a fixed order (for diagrams and tests).
const std::vector<ConnectionTransition>& connection_transitions();
// The state `input` leads to from `from`, or nullopt when the input is not valid there.
std::optional<ConnectionState> next_connection_state(ConnectionState from, ConnectionInput input);

std::string_view to_string(ConnectionState state);
std::string_view to_string(ConnectionInput input);

}  // namespace pushsim
