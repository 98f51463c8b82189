#include "load/detail/ws_frame_reader.hpp"

#include <cstdio>

namespace pushsim::load::detail {
namespace {

constexpr std::uint8_t kFinBit = 0x80;
constexpr std::uint8_t kReservedBits = 0x70;
constexpr std::uint8_t kOpcodeBits = 0x0f;
constexpr std::uint8_t kMaskBit = 0x80;
constexpr std::uint8_t kLengthBits = 0x7f;
constexpr std::uint8_t kLength16 = 126;
constexpr std::uint8_t kLength64 = 127;
constexpr std::uint64_t kControlPayloadMax = 125;

// The header's first two bytes in hex, to name the frame in an error.
std::string header_hex(std::string_view bytes) {
  char text[16];
  std::snprintf(text, sizeof text, "%02x %02x", static_cast<unsigned>(static_cast<std::uint8_t>(bytes[0])),
                static_cast<unsigned>(static_cast<std::uint8_t>(bytes[1])));
  return text;
}

WsFrameHeader broken(std::string_view bytes, const std::string& what) {
  WsFrameHeader header;
  header.status = WsFrameHeader::Status::kError;
  header.error = "WebSocket framing: " + what + " (frame header " + header_hex(bytes) + ")";
  return header;
}

bool known_opcode(std::uint8_t opcode) { return opcode <= 2 || (opcode >= 8 && opcode <= 10); }

std::uint64_t big_endian(std::string_view bytes, std::size_t from, std::size_t count) {
  std::uint64_t value = 0;
  for (std::size_t i = 0; i < count; ++i) value = (value << 8) | static_cast<std::uint8_t>(bytes[from + i]);
  return value;
}

}  // namespace

WsFrameHeader parse_ws_frame_header(std::string_view bytes, std::uint64_t payload_max_bytes) {
  WsFrameHeader header;
  if (bytes.size() < 2) return header;  // kNeedMore
  const auto first = static_cast<std::uint8_t>(bytes[0]);
  const auto second = static_cast<std::uint8_t>(bytes[1]);
  const std::uint8_t opcode = first & kOpcodeBits;
  if ((first & kReservedBits) != 0) return broken(bytes, "reserved bits set, and no extension was agreed");
  if (!known_opcode(opcode)) return broken(bytes, "reserved opcode " + std::to_string(opcode));
  if ((second & kMaskBit) != 0) return broken(bytes, "a masked frame from the server");
  header.fin = (first & kFinBit) != 0;
  header.opcode = static_cast<WsOpcode>(opcode);
  const std::uint8_t length = second & kLengthBits;
  const bool control = opcode >= 8;
  if (control && (length > kControlPayloadMax || !header.fin)) {
    return broken(bytes, "a control frame fragmented or over 125 bytes");
  }
  std::size_t extra = 0;
  if (length == kLength16) extra = 2;
  if (length == kLength64) extra = 8;
  if (bytes.size() < 2 + extra) return header;  // kNeedMore
  header.payload_bytes = extra == 0 ? length : big_endian(bytes, 2, extra);
  if (header.payload_bytes > payload_max_bytes) {
    return broken(bytes, "a frame of " + std::to_string(header.payload_bytes) + " bytes, over the limit of " +
                             std::to_string(payload_max_bytes));
  }
  header.header_bytes = 2 + extra;
  header.status = WsFrameHeader::Status::kComplete;
  return header;
}

}  // namespace pushsim::load::detail
