#include "protocol/client/connection_state.hpp"

namespace pushsim {

const std::vector<ConnectionTransition>& connection_transitions() {
  using S = ConnectionState;
  using I = ConnectionInput;
  static const std::vector<ConnectionTransition> table{
      {S::kInitialized, I::kOpen, S::kConnecting},    {S::kConnecting, I::kEstablished, S::kConnected},
      {S::kConnecting, I::kClosed, S::kDisconnected}, {S::kConnecting, I::kRefused, S::kFailed},
      {S::kConnected, I::kClosed, S::kDisconnected},  {S::kConnected, I::kRefused, S::kFailed},
      {S::kDisconnected, I::kOpen, S::kConnecting},   {S::kFailed, I::kOpen, S::kConnecting},
  };
  return table;
}

std::optional<ConnectionState> next_connection_state(ConnectionState from, ConnectionInput input) {
  for (const auto& transition : connection_transitions()) {
    if (transition.from == from && transition.input == input) return transition.to;
  }
  return std::nullopt;
}

std::string_view to_string(ConnectionState state) {
  switch (state) {
    case ConnectionState::kInitialized: return "initialized";
    case ConnectionState::kConnecting: return "connecting";
    case ConnectionState::kConnected: return "connected";
    case ConnectionState::kDisconnected: return "disconnected";
    case ConnectionState::kFailed: return "failed";
  }
  return "unknown";
}

std::string_view to_string(ConnectionInput input) {
  switch (input) {
    case ConnectionInput::kOpen: return "open";
    case ConnectionInput::kEstablished: return "established";
    case ConnectionInput::kClosed: return "closed";
    case ConnectionInput::kRefused: return "refused";
  }
  return "unknown";
}

}  // namespace pushsim
