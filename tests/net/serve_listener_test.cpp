// The sockets pushsim serve accepts (net/detail/serve_listener.cpp). The server runs in this
// process, so the accepted socket is one of the test's own descriptors: it is found by its
// addresses and asked for its options directly.
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/socket.h>
#include <unistd.h>

#include <catch2/catch.hpp>

#include <chrono>
#include <cstdint>
#include <filesystem>
#include <optional>
#include <string>
#include <thread>

#include "support/loopback_socket.hpp"
#include "support/serve_fixture.hpp"

namespace pushsim::test {
namespace {

std::uint16_t peer_port(int fd) {
  sockaddr_in address{};
  socklen_t size = sizeof address;
  if (::getpeername(fd, reinterpret_cast<sockaddr*>(&address), &size) != 0 || address.sin_family != AF_INET) return 0;
  return ntohs(address.sin_port);
}

// This process's descriptor of the connection from `client_port` to `server_port`, seen from
// the server's side.
std::optional<int> accepted_socket(std::uint16_t server_port, std::uint16_t client_port) {
  for (const auto& entry : std::filesystem::directory_iterator("/proc/self/fd")) {
    int fd = -1;
    try {
      fd = std::stoi(entry.path().filename().string());
    } catch (const std::exception&) {
      continue;
    }
    if (local_port(fd) == server_port && peer_port(fd) == client_port) return fd;
  }
  return std::nullopt;
}

}  // namespace

TEST_CASE("serve: accepted connections send without Nagle's delay (TCP_NODELAY)", "[serve][listener]") {
  ServeFixture fixture(false);
  const int client = connect_loopback(fixture.server.port());

  // The server accepts on its own threads: wait for the socket to be handed to a session.
  std::optional<int> accepted;
  const auto deadline = soon();
  int no_delay = 0;
  while (std::chrono::steady_clock::now() < deadline) {
    accepted = accepted_socket(fixture.server.port(), local_port(client));
    socklen_t size = sizeof no_delay;
    if (accepted && ::getsockopt(*accepted, IPPROTO_TCP, TCP_NODELAY, &no_delay, &size) == 0 && no_delay != 0) break;
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
  }
  ::close(client);
  REQUIRE(accepted.has_value());
  CHECK(no_delay != 0);
}

}  // namespace pushsim::test
