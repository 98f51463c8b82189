// pushsim serve's own frame writer (net/detail/serve_ws_session.cpp) against a client that
// reads slowly: frames written half-way wait for the socket, and the pong and close frames
// Beast writes must go between whole frames, never inside one. The client here is plain
// POSIX sockets and a strict frame parser, so any interleaving shows as a broken stream.
#include <netinet/in.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <unistd.h>

#include <catch2/catch.hpp>

#include <cstdint>
#include <string>
#include <vector>

#include "support/loopback_socket.hpp"
#include "support/serve_fixture.hpp"

namespace pushsim::test {
namespace {

struct WsFrame {
  int opcode = 0;
  std::string payload;
};

// A blocking client socket with a 5 s receive timeout and a small receive buffer, so that the
// server's writes stop half-way when the client does not read.
class SlowClient {
 public:
  explicit SlowClient(std::uint16_t port) {
    fd_ = connect_loopback(port, 4096);
    timeval timeout{5, 0};
    ::setsockopt(fd_, SOL_SOCKET, SO_RCVTIMEO, &timeout, sizeof timeout);
    send_all(
        "GET /app/app-key?protocol=7&client=test&version=1 HTTP/1.1\r\nHost: 127.0.0.1\r\n"
        "Upgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n"
        "Sec-WebSocket-Version: 13\r\n\r\n");
    while (buffer_.find("\r\n\r\n") == std::string::npos) REQUIRE(read_more());
    REQUIRE(buffer_.starts_with("HTTP/1.1 101"));
    buffer_.erase(0, buffer_.find("\r\n\r\n") + 4);
  }
  ~SlowClient() { ::close(fd_); }
  SlowClient(const SlowClient&) = delete;
  SlowClient& operator=(const SlowClient&) = delete;

  // A masked client frame (RFC 6455 §5.3), payload under 126 bytes.
  void send_frame(int opcode, const std::string& payload) {
    REQUIRE(payload.size() < 126);
    const unsigned char mask[4] = {0x12, 0x34, 0x56, 0x78};
    std::string frame;
    frame += static_cast<char>(0x80 | opcode);
    frame += static_cast<char>(0x80 | payload.size());
    frame.append(reinterpret_cast<const char*>(mask), 4);
    for (std::size_t i = 0; i < payload.size(); ++i) frame += static_cast<char>(payload[i] ^ mask[i % 4]);
    send_all(frame);
  }

  // The next server frame, parsed strictly: FIN set, no mask, no reserved bits, a known opcode.
  // Fails the test on anything else, or when nothing comes for 5 s.
  WsFrame next() {
    while (true) {
      if (buffer_.size() >= 2) {
        const auto b0 = static_cast<unsigned char>(buffer_[0]);
        const auto b1 = static_cast<unsigned char>(buffer_[1]);
        INFO("frame header bytes " << int(b0) << " " << int(b1));
        REQUIRE((b0 & 0xF0) == 0x80);  // FIN, no RSV bits
        REQUIRE((b1 & 0x80) == 0);     // a server never masks
        const int opcode = b0 & 0x0F;
        REQUIRE((opcode == 1 || opcode == 8 || opcode == 9 || opcode == 10));
        std::size_t header = 2;
        std::uint64_t size = b1 & 0x7F;
        if (size == 126) header = 4;
        if (size == 127) header = 10;
        if (buffer_.size() >= header) {
          if (header > 2) {
            size = 0;
            for (std::size_t i = 2; i < header; ++i) size = (size << 8) | static_cast<unsigned char>(buffer_[i]);
          }
          if (buffer_.size() >= header + size) {
            WsFrame frame{opcode, buffer_.substr(header, size)};
            buffer_.erase(0, header + size);
            return frame;
          }
        }
      }
      REQUIRE(read_more());
    }
  }

  // True when the server closed the TCP connection (after any frames still buffered).
  bool at_end() {
    if (!buffer_.empty()) return false;
    char byte = 0;
    return ::recv(fd_, &byte, 1, 0) == 0;
  }

 private:
  void send_all(const std::string& bytes) {
    std::size_t sent = 0;
    while (sent < bytes.size()) {
      const ssize_t n = ::send(fd_, bytes.data() + sent, bytes.size() - sent, MSG_NOSIGNAL);
      REQUIRE(n > 0);
      sent += static_cast<std::size_t>(n);
    }
  }
  bool read_more() {
    char chunk[4096];
    const ssize_t n = ::recv(fd_, chunk, sizeof chunk, 0);
    if (n <= 0) return false;
    buffer_.append(chunk, static_cast<std::size_t>(n));
    return true;
  }

  int fd_ = -1;
  std::string buffer_;
};

std::string text_of(SlowClient& client) {
  WsFrame frame = client.next();
  REQUIRE(frame.opcode == 1);
  return frame.payload;
}

// Triggers `count` events of about 9 KB on "flood" while the client reads nothing.
void flood(ServeFixture& fixture, int count) {
  const std::string data(9000, 'x');
  for (int i = 0; i < count; ++i) {
    auto response =
        fixture.rest->trigger({{"flood"}, "e" + std::to_string(i), data, std::nullopt, std::nullopt}, soon());
    REQUIRE(response.ok());
    REQUIRE(response->status == 200);
  }
}

}  // namespace

TEST_CASE("serve: a ping while frames wait half-written gets its pong between whole frames", "[net][serve]") {
  ServeFixture fixture;
  SlowClient client(fixture.server.port());
  CHECK_THAT(text_of(client), Catch::Contains("pusher:connection_established"));
  client.send_frame(1, R"({"event":"pusher:subscribe","data":{"channel":"flood"}})");
  CHECK_THAT(text_of(client), Catch::Contains("pusher_internal:subscription_succeeded"));

  // 6.3 MB: more than the server's socket can buffer (tcp_wmem's 4 MB at most) and the client's
  // 4 KB, so the server's writes stop half-way through a frame.
  constexpr int kEvents = 700;
  flood(fixture, kEvents);
  client.send_frame(9, "are-you-there");
  int next_event = 0;
  int pongs = 0;
  while (next_event < kEvents) {
    WsFrame frame = client.next();
    if (frame.opcode == 10) {
      CHECK(frame.payload == "are-you-there");
      ++pongs;
      continue;
    }
    REQUIRE(frame.opcode == 1);
    REQUIRE_THAT(frame.payload, Catch::Contains("\"event\":\"e" + std::to_string(next_event) + "\""));
    ++next_event;
  }
  if (pongs == 0) {
    WsFrame frame = client.next();
    CHECK(frame.opcode == 10);
    CHECK(frame.payload == "are-you-there");
  } else {
    CHECK(pongs == 1);
  }
}

TEST_CASE("serve: a client's close while frames wait half-written is answered after a whole frame", "[net][serve]") {
  ServeFixture fixture;
  SlowClient client(fixture.server.port());
  CHECK_THAT(text_of(client), Catch::Contains("pusher:connection_established"));
  client.send_frame(1, R"({"event":"pusher:subscribe","data":{"channel":"flood"}})");
  CHECK_THAT(text_of(client), Catch::Contains("pusher_internal:subscription_succeeded"));

  flood(fixture, 700);
  client.send_frame(8, std::string("\x03\xE8", 2) + "bye");  // 1000
  // Whole text frames in order, then the server's close, then the end of the connection.
  int next_event = 0;
  while (true) {
    WsFrame frame = client.next();
    if (frame.opcode == 8) {
      REQUIRE(frame.payload.size() >= 2);
      CHECK(frame.payload.substr(0, 2) == std::string("\x03\xE8", 2));
      break;
    }
    REQUIRE(frame.opcode == 1);
    REQUIRE_THAT(frame.payload, Catch::Contains("\"event\":\"e" + std::to_string(next_event) + "\""));
    ++next_event;
  }
  CHECK(client.at_end());
}

}  // namespace pushsim::test
