#include "net/relay_framing.hpp"

#include <algorithm>
#include <cctype>
#include <string_view>

namespace pushsim {
namespace {

std::string lower(std::string_view text) {
  std::string out(text);
  std::transform(out.begin(), out.end(), out.begin(), [](unsigned char c) { return std::tolower(c); });
  return out;
}

// Whether frames follow this header block: a 101 answer, or a request asking to upgrade.
bool upgrades(std::string_view header, bool response) {
  if (response) {
    const auto line_end = header.find("\r\n");
    const std::string_view status_line = header.substr(0, line_end);
    return status_line.find(" 101") != std::string_view::npos;
  }
  return lower(header).find("upgrade: websocket") != std::string::npos;
}

}  // namespace

std::uint64_t RelayFraming::frame_length() const {
  if (pending_.size() < 2) return 0;
  const auto byte = [this](std::size_t i) { return static_cast<std::uint8_t>(pending_[i]); };
  const bool masked = (byte(1) & 0x80) != 0;
  const std::uint64_t short_length = byte(1) & 0x7f;
  std::size_t header = 2;
  std::uint64_t payload = short_length;
  if (short_length == 126) {
    header += 2;
    if (pending_.size() < header) return 0;
    payload = (static_cast<std::uint64_t>(byte(2)) << 8) | byte(3);
  } else if (short_length == 127) {
    header += 8;
    if (pending_.size() < header) return 0;
    payload = 0;
    for (std::size_t i = 2; i < 10; ++i) payload = (payload << 8) | byte(i);
  }
  if (masked) header += 4;
  return header + payload;
}

std::vector<std::string> RelayFraming::feed(const char* data, std::size_t size) {
  std::vector<std::string> out;
  if (mode_ == Mode::kChunks) {
    if (size > 0) out.emplace_back(data, size);
    return out;
  }
  pending_.append(data, size);
  if (mode_ == Mode::kHttpHeader) {
    const auto end = pending_.find("\r\n\r\n");
    if (end == std::string::npos) {
      if (pending_.size() > kHeaderMax) {
        mode_ = Mode::kChunks;
        out.push_back(std::move(pending_));
        pending_.clear();
      }
      return out;
    }
    std::string header = pending_.substr(0, end + 4);
    pending_.erase(0, end + 4);
    mode_ = upgrades(header, response_) ? Mode::kFrames : Mode::kChunks;
    out.push_back(std::move(header));
    if (mode_ == Mode::kChunks) {
      if (!pending_.empty()) out.push_back(std::move(pending_));
      pending_.clear();
      return out;
    }
  }
  // A frame is released only whole, so a 10 MB frame waits for its last byte: the relay's
  // held-bytes limit bounds that.
  for (;;) {
    const std::uint64_t length = frame_length();
    if (length == 0 || pending_.size() < length) break;
    out.push_back(pending_.substr(0, length));
    pending_.erase(0, length);
  }
  return out;
}

}  // namespace pushsim
