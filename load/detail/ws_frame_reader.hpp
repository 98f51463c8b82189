#pragma once
// The client side of WebSocket framing (RFC 6455 §5) for `bench fanout`'s peers: received
// bytes in, whole messages out, with no allocation once the buffers have grown and no copy of
// a frame that arrived whole.
//
// Theory of operation: feed() parses frames straight from the bytes it is given; only a frame
// cut by the end of a read is copied, into `carry_`, and parsed once the rest is fed. A
// fragmented message is joined in `fragments_`. Control frames (close, ping, pong) come out
// as they arrive, even between the fragments of a message. Anything a server must not send
// (a masked frame, reserved bits or opcodes, a control frame over 125 bytes or fragmented, a
// continuation with nothing to continue, a message over the limit) is an error naming the
// frame's header; the reader then stays failed. Text is not checked for UTF-8: the generator
// only looks for its own ASCII stamp, and conformance is the suite's job.
#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace pushsim::load::detail {

enum class WsOpcode : std::uint8_t {
  kContinuation = 0,
  kText = 1,
  kBinary = 2,
  kClose = 8,
  kPing = 9,
  kPong = 10,
};

// A whole message (text or binary) or a control frame. The payload is valid only during the
// on_message call that receives it.
struct WsMessage {
  WsOpcode opcode = WsOpcode::kText;
  std::string_view payload;
};

// One frame's header, parsed.
struct WsFrameHeader {
  enum class Status { kComplete, kNeedMore, kError };
  Status status = Status::kNeedMore;
  bool fin = false;
  WsOpcode opcode = WsOpcode::kText;
  std::size_t header_bytes = 0;
  std::uint64_t payload_bytes = 0;
  std::string error;  // when status is kError
};
WsFrameHeader parse_ws_frame_header(std::string_view bytes, std::uint64_t payload_max_bytes);

class WsFrameReader {
 public:
  explicit WsFrameReader(std::size_t message_max_bytes) : message_max_bytes_(message_max_bytes) {}

  // Parses what `bytes` completes and calls on_message(const WsMessage&) for each message or
  // control frame, in order. Returns the error when the stream breaks the framing rules.
  template <class OnMessage>
  std::optional<std::string> feed(std::string_view bytes, OnMessage&& on_message) {
    if (error_) return error_;
    if (!carry_.empty()) {
      carry_.append(bytes);
      const std::size_t used = parse(carry_, on_message);
      carry_.erase(0, used);
    } else {
      const std::size_t used = parse(bytes, on_message);
      carry_.assign(bytes.substr(used));
    }
    return error_;
  }

  // Bytes held for a frame that has not arrived whole (for tests and limits).
  std::size_t carried_bytes() const { return carry_.size(); }

 private:
  // Returns how many bytes of `input` were whole frames, delivered.
  template <class OnMessage>
  std::size_t parse(std::string_view input, OnMessage& on_message) {
    std::size_t offset = 0;
    while (!error_) {
      const WsFrameHeader header = parse_ws_frame_header(input.substr(offset), message_max_bytes_);
      if (header.status == WsFrameHeader::Status::kNeedMore) break;
      if (header.status == WsFrameHeader::Status::kError) {
        error_ = header.error;
        break;
      }
      const std::size_t available = input.size() - offset - header.header_bytes;
      if (available < header.payload_bytes) break;
      const auto size = static_cast<std::size_t>(header.payload_bytes);
      const std::string_view payload = input.substr(offset + header.header_bytes, size);
      offset += header.header_bytes + size;
      deliver(header, payload, on_message);
    }
    return offset;
  }

  template <class OnMessage>
  void deliver(const WsFrameHeader& header, std::string_view payload, OnMessage& on_message) {
    if (header.opcode == WsOpcode::kContinuation) {
      if (!fragmented_) {
        error_ = "WebSocket framing: a continuation frame with no message to continue";
        return;
      }
      if (fragments_.size() + payload.size() > message_max_bytes_) {
        error_ = "WebSocket framing: a fragmented message over " + std::to_string(message_max_bytes_) + " bytes";
        return;
      }
      fragments_.append(payload);
      if (!header.fin) return;
      fragmented_ = false;
      on_message(WsMessage{fragment_opcode_, fragments_});
      fragments_.clear();
      return;
    }
    const bool control = static_cast<std::uint8_t>(header.opcode) >= 8;
    if (!control && fragmented_) {
      error_ = "WebSocket framing: a new message began before the fragmented one ended";
      return;
    }
    if (control || header.fin) return on_message(WsMessage{header.opcode, payload});
    fragmented_ = true;
    fragment_opcode_ = header.opcode;
    fragments_.assign(payload);
  }

  std::size_t message_max_bytes_;
  std::string carry_;
  std::string fragments_;
  bool fragmented_ = false;
  WsOpcode fragment_opcode_ = WsOpcode::kText;
  std::optional<std::string> error_;
};

}  // namespace pushsim::load::detail
