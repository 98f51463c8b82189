#pragma once
// Helpers for the protocol client tests: a client driven to `connected`, and filters over
// its outputs so that each test can assert the exact frames sent and events seen.
#include <string>
#include <string_view>
#include <type_traits>
#include <variant>
#include <vector>

#include "protocol/client/protocol_client.hpp"

namespace pushsim::test {

inline constexpr TimeNs kT0 = kSimulationEpoch;
inline constexpr std::string_view kEstablished =
    R"({"event":"pusher:connection_established","data":"{\"socket_id\":\"123.456\",\"activity_timeout\":120}"})";

// A client that has received kEstablished at kT0, with its outputs drained.
inline ProtocolClient connected_client(ClientOptions options = {}) {
  ProtocolClient client(options);
  client.on_open(kT0);
  client.on_text(kT0, kEstablished);
  client.take_outputs();
  return client;
}

inline std::vector<std::string> sent(const std::vector<ClientOutput>& outputs) {
  std::vector<std::string> texts;
  for (const auto& output : outputs) {
    if (const auto* send = std::get_if<SendText>(&output)) texts.push_back(send->text);
  }
  return texts;
}

template <class T>
std::vector<T> only(const std::vector<ClientOutput>& outputs) {
  std::vector<T> found;
  for (const auto& output : outputs) {
    if constexpr (std::is_same_v<T, SendText> || std::is_same_v<T, AuthRequest> || std::is_same_v<T, CloseTransport>) {
      if (const auto* value = std::get_if<T>(&output)) found.push_back(*value);
    } else if (const auto* event = std::get_if<ClientEvent>(&output)) {
      if (const auto* value = std::get_if<T>(event)) found.push_back(*value);
    }
  }
  return found;
}

inline std::vector<std::string> described(const std::vector<ClientOutput>& outputs) {
  std::vector<std::string> lines;
  for (const auto& output : outputs) lines.push_back(describe(output));
  return lines;
}

// The AuthRequest among the outputs; there must be exactly one.
inline AuthRequest single_auth_request(const std::vector<ClientOutput>& outputs) {
  auto requests = only<AuthRequest>(outputs);
  if (requests.size() != 1) return AuthRequest{};
  return requests.front();
}

}  // namespace pushsim::test
