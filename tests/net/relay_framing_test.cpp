// How the relay cuts a stream into messages: the upgrade's header block, then whole WebSocket
// frames, whatever the chunks they arrive in; anything else in the chunks it arrived in.
#include <catch2/catch.hpp>

#include <string>
#include <vector>

#include "net/relay_framing.hpp"

namespace pushsim::test {
namespace {

const std::string kRequest = "GET /app/k HTTP/1.1\r\nHost: x\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n\r\n";
const std::string kResponse = "HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\n\r\n";

// An unmasked (server) or masked (client) text frame with a payload of `size` bytes of `fill`.
std::string frame(std::size_t size, char fill, bool masked) {
  std::string out;
  out += static_cast<char>(0x81);
  const char mask_bit = masked ? static_cast<char>(0x80) : 0;
  if (size < 126) {
    out += static_cast<char>(mask_bit | static_cast<char>(size));
  } else if (size <= 0xffff) {
    out += static_cast<char>(mask_bit | 126);
    out += static_cast<char>(size >> 8);
    out += static_cast<char>(size & 0xff);
  } else {
    out += static_cast<char>(mask_bit | 127);
    for (int shift = 56; shift >= 0; shift -= 8) out += static_cast<char>((size >> shift) & 0xff);
  }
  if (masked) out += std::string("\x01\x02\x03\x04", 4);
  out += std::string(size, fill);
  return out;
}

std::vector<std::string> feed_whole(RelayFraming& framing, const std::string& bytes) {
  return framing.feed(bytes.data(), bytes.size());
}

std::vector<std::string> feed_bytewise(RelayFraming& framing, const std::string& bytes) {
  std::vector<std::string> out;
  for (char c : bytes) {
    for (auto& message : framing.feed(&c, 1)) out.push_back(std::move(message));
  }
  return out;
}

}  // namespace

TEST_CASE("relay framing: header block then whole frames, fed whole or byte by byte", "[net][relay]") {
  const std::vector<std::string> frames{frame(5, 'a', true), frame(300, 'b', true), frame(70'000, 'c', true),
                                        frame(0, 'd', true)};
  std::string stream = kRequest;
  for (const auto& f : frames) stream += f;
  std::vector<std::string> expected{kRequest};
  expected.insert(expected.end(), frames.begin(), frames.end());

  RelayFraming whole(false);
  CHECK(feed_whole(whole, stream) == expected);
  CHECK(whole.mode() == RelayFraming::Mode::kFrames);
  RelayFraming bytewise(false);
  CHECK(feed_bytewise(bytewise, stream) == expected);
  CHECK(bytewise.buffered() == 0);
}

TEST_CASE("relay framing: trailing bytes of a frame stay buffered until it is whole", "[net][relay]") {
  RelayFraming framing(true);
  const std::string first = frame(10, 'x', false);
  const std::string second = frame(200, 'y', false);
  const std::string stream = kResponse + first + second.substr(0, 50);
  CHECK(feed_whole(framing, stream) == std::vector<std::string>{kResponse, first});
  CHECK(framing.buffered() == 50);
  const std::string rest = second.substr(50);
  CHECK(feed_whole(framing, rest) == std::vector<std::string>{second});
  CHECK(framing.buffered() == 0);
}

TEST_CASE("relay framing: an answer other than 101 and what follows it go as chunks", "[net][relay]") {
  RelayFraming framing(true);
  const std::string refusal = "HTTP/1.1 404 Not Found\r\nContent-Length: 3\r\n\r\n";
  const auto messages = feed_whole(framing, refusal + "abc");
  CHECK(messages == std::vector<std::string>{refusal, "abc"});
  CHECK(framing.mode() == RelayFraming::Mode::kChunks);
  CHECK(feed_whole(framing, "\x81\x05he") == std::vector<std::string>{"\x81\x05he"});
}

TEST_CASE("relay framing: a header block past its limit switches to chunks", "[net][relay]") {
  RelayFraming framing(false);
  const std::string garbage(RelayFraming::kHeaderMax + 1, 'g');
  const auto messages = feed_whole(framing, garbage);
  REQUIRE(messages.size() == 1);
  CHECK(messages[0].size() == garbage.size());
  CHECK(framing.mode() == RelayFraming::Mode::kChunks);
}

}  // namespace pushsim::test
