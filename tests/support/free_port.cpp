#include "support/free_port.hpp"

#include <unistd.h>

#include <atomic>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <fstream>
#include <sstream>
#include <stdexcept>

namespace pushsim::test {
namespace {

constexpr std::uint16_t kLowestPort = 10000;
constexpr std::uint16_t kDefaultEphemeralStart = 32768;

bool can_listen_on(std::uint16_t port) {
  boost::asio::io_context context;
  boost::asio::ip::tcp::acceptor probe(context);
  boost::system::error_code error;
  probe.open(boost::asio::ip::tcp::v4(), error);
  if (!error) probe.bind({boost::asio::ip::make_address("127.0.0.1"), port}, error);
  if (!error) probe.listen(boost::asio::socket_base::max_listen_connections, error);
  return !error;
}

}  // namespace

std::uint16_t ephemeral_range_start(const std::string& range_text) {
  std::istringstream in(range_text);
  unsigned low = 0;
  if (!(in >> low) || low <= kLowestPort || low > 65535) return kDefaultEphemeralStart;
  return static_cast<std::uint16_t>(low);
}

std::uint16_t free_loopback_port() {
  std::ifstream file("/proc/sys/net/ipv4/ip_local_port_range");
  std::stringstream text;
  text << file.rdbuf();
  const unsigned span = ephemeral_range_start(text.str()) - kLowestPort;
  // Processes started side by side begin at different places (by pid), and calls within one
  // process walk on, so two tests rarely probe the same port at once.
  static std::atomic<unsigned> calls{0};
  const unsigned start = static_cast<unsigned>(::getpid()) * 2654435761U % span;
  const unsigned offset = calls.fetch_add(97);
  for (unsigned i = 0; i < span; ++i) {
    const auto port = static_cast<std::uint16_t>(kLowestPort + (start + offset + i) % span);
    if (can_listen_on(port)) return port;
  }
  throw std::runtime_error("no free loopback port below the ephemeral range");
}

}  // namespace pushsim::test
