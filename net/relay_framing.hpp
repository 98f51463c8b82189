#pragma once
// Cuts one direction of a relayed WebSocket connection into the messages the relay delays
// one by one: first the HTTP upgrade request (or response) up to its blank line, then whole
// WebSocket frames, read from their headers (RFC 6455 §5.2: 2 bytes, then a 16- or 64-bit
// length, then a 4-byte mask when masked). Payloads are never looked at, so permessage-deflate
// and masking make no difference.
//
// A stream that is not a WebSocket upgrade (an answer other than 101, a request without an
// Upgrade header, TLS, garbage, a header block past kHeaderMax) is cut into the byte chunks
// it arrived in instead: the relay then delays chunks rather than frames, still in order.
#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

namespace pushsim {

class RelayFraming {
 public:
  enum class Mode { kHttpHeader, kFrames, kChunks };
  static constexpr std::size_t kHeaderMax = 64 * 1024;

  // `response`: this direction carries the server's answer (a 101 lets frames follow).
  explicit RelayFraming(bool response) : response_(response) {}

  // Appends received bytes; returns the messages completed by them, in order. Bytes of an
  // incomplete message stay buffered until the rest arrives.
  std::vector<std::string> feed(const char* data, std::size_t size);
  // The bytes of an incomplete message (none in chunk mode).
  std::size_t buffered() const { return pending_.size(); }
  Mode mode() const { return mode_; }

 private:
  // The length of the whole frame starting at pending_[0], or 0 while its header is incomplete.
  std::uint64_t frame_length() const;

  bool response_;
  Mode mode_ = Mode::kHttpHeader;
  std::string pending_;
};

}  // namespace pushsim
