#pragma once
// What a WebSocket client writes and checks (RFC 6455 §4.1, §5.3): the upgrade request, the
// server's answer to it, and masked frames. Pure functions over strings, for FanoutPeer; the
// frames a server sends are read by WsFrameReader.
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "load/detail/ws_frame_reader.hpp"

namespace pushsim::load::detail {

// Appends one final (FIN) frame, masked with `mask_key` as a client must.
void append_ws_client_frame(std::string& out, WsOpcode opcode, std::string_view payload, std::uint32_t mask_key);

// A Sec-WebSocket-Key: 16 bytes drawn from `seed`, in base64.
std::string ws_key_of(std::uint64_t seed);
// The Sec-WebSocket-Accept a server must answer to `key`.
std::string ws_accept_of(std::string_view key);

std::string ws_upgrade_request(std::string_view host_header, std::string_view target, std::string_view key);
// The head of the server's answer (status line and headers, up to the blank line): nullopt
// when it is a 101 with the Sec-WebSocket-Accept that `key` calls for, else what is wrong.
std::optional<std::string> check_ws_upgrade_response(std::string_view head, std::string_view key);

// splitmix64: masking keys and WebSocket keys for the generator. Not secret: masking protects
// intermediaries from a hostile page's payloads, and the generator's payloads are its own.
inline std::uint64_t splitmix64(std::uint64_t& state) {
  std::uint64_t z = (state += 0x9e3779b97f4a7c15ULL);
  z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
  z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
  return z ^ (z >> 31);
}

}  // namespace pushsim::load::detail
