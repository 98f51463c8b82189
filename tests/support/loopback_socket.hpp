#pragma once
// Test helper: plain POSIX TCP sockets on loopback, for tests that look below the clients the
// project has (socket options, half-read streams). Failures end the calling test (REQUIRE).
#include <cstdint>

namespace pushsim::test {

// A blocking socket connected to 127.0.0.1:port; the caller closes it. With
// receive_buffer_bytes > 0, SO_RCVBUF is set before connecting, so that the window the socket
// advertises is small from its first segment on.
int connect_loopback(std::uint16_t port, int receive_buffer_bytes = 0);

// The local port of an IPv4 socket, 0 for anything else.
std::uint16_t local_port(int fd);

}  // namespace pushsim::test
