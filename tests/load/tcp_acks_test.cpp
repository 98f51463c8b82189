#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <catch2/catch.hpp>

#include "load/detail/tcp_acks.hpp"
#include "support/loopback_socket.hpp"

namespace pushsim::load::detail {
namespace {

using test::connect_loopback;
using test::local_port;

// A connected loopback TCP pair: [0] the client's end, [1] the accepted one.
struct TcpPair {
  int fds[2] = {-1, -1};
  TcpPair() {
    const int listener = ::socket(AF_INET, SOCK_STREAM, 0);
    REQUIRE(listener >= 0);
    sockaddr_in address{};
    address.sin_family = AF_INET;
    address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    REQUIRE(::bind(listener, reinterpret_cast<sockaddr*>(&address), sizeof address) == 0);
    REQUIRE(::listen(listener, 1) == 0);
    fds[0] = connect_loopback(local_port(listener));
    fds[1] = ::accept(listener, nullptr, nullptr);
    ::close(listener);
    REQUIRE(fds[1] >= 0);
  }
  ~TcpPair() {
    ::close(fds[0]);
    ::close(fds[1]);
  }
};

}  // namespace

TEST_CASE("tcp acks: a connection acknowledges at once until told to delay", "[load][acks]") {
  TcpPair pair;
  CHECK_FALSE(delays_acks(pair.fds[0]));
  REQUIRE(delay_acks(pair.fds[0]));
  CHECK(delays_acks(pair.fds[0]));
  CHECK_FALSE(delays_acks(pair.fds[1]));  // the other end is untouched

  // Data read does not undo it by itself (the delayed-ACK timer does, which is why the
  // generator sets it after every read).
  REQUIRE(::send(pair.fds[1], "x", 1, 0) == 1);
  char byte = 0;
  REQUIRE(::recv(pair.fds[0], &byte, 1, 0) == 1);
  REQUIRE(delay_acks(pair.fds[0]));
  CHECK(delays_acks(pair.fds[0]));
}

TEST_CASE("tcp acks: a descriptor that is no TCP socket says so", "[load][acks]") {
  int fds[2];
  REQUIRE(::socketpair(AF_UNIX, SOCK_STREAM, 0, fds) == 0);
  CHECK_FALSE(delay_acks(fds[0]));
  CHECK_FALSE(delays_acks(fds[0]));
  ::close(fds[0]);
  ::close(fds[1]);
}

}  // namespace pushsim::load::detail
