// The test helper that hands out loopback ports: they come from below the ephemeral range, so
// no outgoing connection of a test running beside takes one before its listener binds it.
#include <catch2/catch.hpp>

#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <fstream>
#include <sstream>

#include "support/free_port.hpp"

namespace pushsim::test {

TEST_CASE("free port: the ephemeral range's start is read from ip_local_port_range's text") {
  CHECK(ephemeral_range_start("32768\t60999\n") == 32768);
  CHECK(ephemeral_range_start("49152 65535") == 49152);
  // Unreadable or implausible text: the kernel's default.
  CHECK(ephemeral_range_start("") == 32768);
  CHECK(ephemeral_range_start("many") == 32768);
  CHECK(ephemeral_range_start("1024 65535") == 32768);
  CHECK(ephemeral_range_start("70000 80000") == 32768);
}

TEST_CASE("free port: a port below the ephemeral range that a listener can take, another each call") {
  const auto first = free_loopback_port();
  const auto second = free_loopback_port();
  std::ifstream range("/proc/sys/net/ipv4/ip_local_port_range");
  std::stringstream text;
  text << range.rdbuf();
  CHECK(first >= 10000);
  CHECK(first < ephemeral_range_start(text.str()));
  CHECK(second != first);
  boost::asio::io_context context;
  boost::asio::ip::tcp::acceptor listener(context, {boost::asio::ip::make_address("127.0.0.1"), first});
  CHECK(listener.local_endpoint().port() == first);
}

}  // namespace pushsim::test
