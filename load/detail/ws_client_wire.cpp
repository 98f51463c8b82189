#include "load/detail/ws_client_wire.hpp"

#include <openssl/evp.h>

#include <algorithm>
#include <array>
#include <cctype>

namespace pushsim::load::detail {
namespace {

constexpr std::string_view kAcceptGuid = "258EAFA5-E914-47DA-95CA-C5AB0DC85B11";

std::string base64(const unsigned char* bytes, std::size_t size) {
  std::string out(4 * ((size + 2) / 3) + 1, '\0');
  const int written = EVP_EncodeBlock(reinterpret_cast<unsigned char*>(out.data()), bytes, static_cast<int>(size));
  out.resize(static_cast<std::size_t>(written));
  return out;
}

bool iequals(std::string_view a, std::string_view b) {
  return a.size() == b.size() && std::equal(a.begin(), a.end(), b.begin(), [](char x, char y) {
           return std::tolower(static_cast<unsigned char>(x)) == std::tolower(static_cast<unsigned char>(y));
         });
}

std::string_view trimmed(std::string_view text) {
  while (!text.empty() && (text.front() == ' ' || text.front() == '\t')) text.remove_prefix(1);
  while (!text.empty() && (text.back() == ' ' || text.back() == '\t' || text.back() == '\r')) text.remove_suffix(1);
  return text;
}

std::string first_line(std::string_view head) {
  const std::string_view line = head.substr(0, head.find("\r\n"));
  return std::string(line.substr(0, 200));
}

}  // namespace

void append_ws_client_frame(std::string& out, WsOpcode opcode, std::string_view payload, std::uint32_t mask_key) {
  constexpr std::uint8_t kFinBit = 0x80;
  constexpr std::uint8_t kMaskBit = 0x80;
  out.push_back(static_cast<char>(kFinBit | static_cast<std::uint8_t>(opcode)));
  const std::size_t size = payload.size();
  if (size < 126) {
    out.push_back(static_cast<char>(kMaskBit | size));
  } else if (size <= 0xffff) {
    out.push_back(static_cast<char>(kMaskBit | 126));
    out.push_back(static_cast<char>(size >> 8));
    out.push_back(static_cast<char>(size & 0xff));
  } else {
    out.push_back(static_cast<char>(kMaskBit | 127));
    for (int shift = 56; shift >= 0; shift -= 8)
      out.push_back(static_cast<char>((std::uint64_t{size} >> shift) & 0xff));
  }
  const std::array<char, 4> mask = {static_cast<char>(mask_key >> 24), static_cast<char>((mask_key >> 16) & 0xff),
                                    static_cast<char>((mask_key >> 8) & 0xff), static_cast<char>(mask_key & 0xff)};
  out.append(mask.data(), mask.size());
  const std::size_t at = out.size();
  out.append(payload);
  for (std::size_t i = 0; i < size; ++i) out[at + i] = static_cast<char>(out[at + i] ^ mask[i % 4]);
}

std::string ws_key_of(std::uint64_t seed) {
  std::array<unsigned char, 16> bytes{};
  std::uint64_t state = seed;
  for (std::size_t half = 0; half < 2; ++half) {
    const std::uint64_t word = splitmix64(state);
    for (std::size_t i = 0; i < 8; ++i) bytes[half * 8 + i] = static_cast<unsigned char>(word >> (8 * i));
  }
  return base64(bytes.data(), bytes.size());
}

std::string ws_accept_of(std::string_view key) {
  std::string text(key);
  text += kAcceptGuid;
  std::array<unsigned char, EVP_MAX_MD_SIZE> digest{};
  unsigned int size = 0;
  EVP_Digest(text.data(), text.size(), digest.data(), &size, EVP_sha1(), nullptr);
  return base64(digest.data(), size);
}

std::string ws_upgrade_request(std::string_view host_header, std::string_view target, std::string_view key) {
  std::string request = "GET ";
  request += target;
  request += " HTTP/1.1\r\nHost: ";
  request += host_header;
  request += "\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Key: ";
  request += key;
  request += "\r\nSec-WebSocket-Version: 13\r\nUser-Agent: pushsim-bench\r\n\r\n";
  return request;
}

std::optional<std::string> check_ws_upgrade_response(std::string_view head, std::string_view key) {
  const std::string status = first_line(head);
  // "HTTP/1.1 101 Switching Protocols": the code is the second word.
  const std::size_t space = status.find(' ');
  if (!status.starts_with("HTTP/1.") || space == std::string::npos || status.compare(space + 1, 3, "101") != 0) {
    return "the server did not switch protocols: " + status;
  }
  std::optional<std::string_view> accept;
  std::size_t line_start = head.find("\r\n");
  while (line_start != std::string_view::npos && line_start + 2 < head.size()) {
    line_start += 2;
    const std::size_t line_end = head.find("\r\n", line_start);
    const std::string_view line =
        head.substr(line_start, line_end == std::string_view::npos ? std::string_view::npos : line_end - line_start);
    const std::size_t colon = line.find(':');
    if (colon != std::string_view::npos && iequals(trimmed(line.substr(0, colon)), "Sec-WebSocket-Accept")) {
      accept = trimmed(line.substr(colon + 1));
    }
    line_start = line_end;
  }
  if (!accept) return "the server's 101 has no Sec-WebSocket-Accept";
  if (*accept != ws_accept_of(key)) {
    return "the server's Sec-WebSocket-Accept " + std::string(accept->substr(0, 64)) + " does not answer the key";
  }
  return std::nullopt;
}

}  // namespace pushsim::load::detail
