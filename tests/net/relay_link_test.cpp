// The fault-injecting relay between a client and a server: delays keep order, a held direction
// keeps its bytes and lets them go in order, a reset reaches both peers as a TCP reset, and
// every wait has a bound. The peers here are plain sockets speaking WebSocket framing by hand,
// plus one real LiveConnection against pushsim serve.
#include <catch2/catch.hpp>

#include <array>
#include <memory>
#include <string>

#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/write.hpp>

#include "net/relay_link.hpp"
#include "support/serve_fixture.hpp"

namespace pushsim::test {
namespace {

namespace asio = boost::asio;
using tcp = asio::ip::tcp;

const std::string kUpgrade = "GET /app/k HTTP/1.1\r\nHost: x\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n\r\n";

// A masked text frame whose payload is `text`.
std::string client_frame(const std::string& text) {
  std::string out;
  out += static_cast<char>(0x81);
  out += static_cast<char>(0x80 | text.size());
  out += std::string(4, '\0');  // a zero mask leaves the payload readable
  out += text;
  return out;
}

// One end of a TCP connection on the test's loop: keeps reading, records what came and how it ended.
struct Peer {
  explicit Peer(IoLoop& loop) : socket(loop.context()) {}

  void read() {
    socket.async_read_some(asio::buffer(buffer), [this](boost::system::error_code ec, std::size_t size) {
      if (ec) {
        ended = ec;
        return;
      }
      if (received.empty()) first_at = std::chrono::steady_clock::now();
      received.append(buffer.data(), size);
      read();
    });
  }
  void send(const std::string& bytes) { asio::write(socket, asio::buffer(bytes)); }

  tcp::socket socket;
  std::array<char, 4096> buffer{};
  std::string received;
  std::optional<boost::system::error_code> ended;
  SteadyTime first_at{};
};

// A server socket, a relay link in front of it, and a client connected through the link.
struct Rig {
  explicit Rig(RelayLinkOptions options = {})
      : acceptor(loop.context(), tcp::endpoint(asio::ip::make_address("127.0.0.1"), 0)), server(loop), client(loop) {
    options.upstream_port = acceptor.local_endpoint().port();
    link = std::make_unique<RelayLink>(loop, options);
    REQUIRE_FALSE(link->start().has_value());
    acceptor.async_accept(server.socket, [this](boost::system::error_code ec) {
      if (!ec) server.read();
    });
    client.socket.connect(tcp::endpoint(asio::ip::make_address("127.0.0.1"), link->port()));
    client.read();
    REQUIRE(loop.run_until([&] { return link->open() && server.socket.is_open(); }, soon()));
  }

  IoLoop loop;
  tcp::acceptor acceptor;
  Peer server;
  Peer client;
  std::unique_ptr<RelayLink> link;
};

}  // namespace

TEST_CASE("relay: with no faults, bytes pass both ways unchanged", "[net][relay]") {
  Rig rig;
  std::string sent = kUpgrade + client_frame("one") + client_frame("two");
  rig.client.send(sent);
  REQUIRE(rig.loop.run_until([&] { return rig.server.received.size() == sent.size(); }, soon()));
  CHECK(rig.server.received == sent);
  const std::string answer = "HTTP/1.1 101 Switching Protocols\r\n\r\n\x81\x02hi";
  rig.server.send(answer);
  REQUIRE(rig.loop.run_until([&] { return rig.client.received.size() == answer.size(); }, soon()));
  CHECK(rig.client.received == answer);
  CHECK(rig.link->counts(RelayDirection::kToServer).messages == 3);
  CHECK(rig.link->counts(RelayDirection::kToClient).messages == 2);
}

TEST_CASE("relay: delayed frames keep their order and wait at least the smallest delay", "[net][relay]") {
  RelayLinkOptions options;
  options.seed = 42;
  Rig rig(options);
  rig.link->set_latency(RelayDirection::kToServer, ms(30), ms(120));
  std::string sent = kUpgrade;
  for (int i = 0; i < 40; ++i) sent += client_frame("m" + std::to_string(i));
  const auto sent_at = std::chrono::steady_clock::now();
  rig.client.send(sent);
  REQUIRE(rig.loop.run_until([&] { return rig.server.received.size() == sent.size(); }, soon()));
  CHECK(rig.server.received == sent);
  CHECK(rig.server.first_at - sent_at >= std::chrono::milliseconds(30));
  CHECK(rig.link->counts(RelayDirection::kToServer).messages == 41);
}

TEST_CASE("relay: a held direction keeps its bytes, then releases them in order", "[net][relay]") {
  Rig rig;
  rig.link->hold(RelayDirection::kToServer);
  rig.link->hold(RelayDirection::kToClient);
  std::string sent = kUpgrade;
  for (int i = 0; i < 10; ++i) sent += client_frame("held" + std::to_string(i));
  rig.client.send(sent);
  rig.server.send("HTTP/1.1 101 Switching Protocols\r\n\r\n");
  rig.loop.run_for(std::chrono::milliseconds(300));
  CHECK(rig.server.received.empty());
  CHECK(rig.client.received.empty());
  CHECK(rig.link->counts(RelayDirection::kToServer).waiting == 11);
  rig.link->release(RelayDirection::kToServer);
  REQUIRE(rig.loop.run_until([&] { return rig.server.received.size() == sent.size(); }, soon()));
  CHECK(rig.server.received == sent);
  CHECK(rig.client.received.empty());  // the other direction is still held
  rig.link->release(RelayDirection::kToClient);
  REQUIRE(rig.loop.run_until([&] { return !rig.client.received.empty(); }, soon()));
  CHECK_FALSE(rig.link->closed());
}

TEST_CASE("relay: a reset reaches both peers as a TCP reset, with nothing held passed on", "[net][relay]") {
  Rig rig;
  rig.link->hold(RelayDirection::kToServer);
  rig.client.send(kUpgrade);
  rig.loop.run_for(std::chrono::milliseconds(50));
  rig.link->reset();
  REQUIRE(rig.loop.run_until([&] { return rig.server.ended && rig.client.ended; }, soon()));
  CHECK(*rig.server.ended == asio::error::connection_reset);
  CHECK(*rig.client.ended == asio::error::connection_reset);
  CHECK(rig.server.received.empty());
  CHECK(rig.link->closed());
  CHECK(rig.link->errors().empty());  // a reset on request is not an error
}

TEST_CASE("relay: a clean close at one end is passed on after what was waiting", "[net][relay]") {
  Rig rig;
  rig.link->set_latency(RelayDirection::kToServer, ms(50), ms(50));
  rig.client.send(kUpgrade + client_frame("last"));
  rig.client.socket.shutdown(tcp::socket::shutdown_send);
  REQUIRE(rig.loop.run_until([&] { return rig.server.ended.has_value(); }, soon()));
  CHECK(*rig.server.ended == asio::error::eof);
  CHECK(rig.server.received == kUpgrade + client_frame("last"));
}

TEST_CASE("relay: no client within accept_max ends the link with an error", "[net][relay]") {
  IoLoop loop;
  RelayLinkOptions options;
  options.name = "alice";
  options.upstream_port = 1;
  options.accept_max = std::chrono::milliseconds(100);
  RelayLink link(loop, options);
  REQUIRE_FALSE(link.start().has_value());
  REQUIRE(loop.run_until([&] { return link.closed(); }, soon()));
  REQUIRE(link.errors().size() == 1);
  CHECK_THAT(link.errors()[0].message, Catch::Contains("relay for alice: no client connected within 100 ms"));
}

TEST_CASE("relay: an upstream that refuses resets the client and says so", "[net][relay]") {
  IoLoop loop;
  std::uint16_t closed_port = 0;
  {
    tcp::acceptor probe(loop.context(), tcp::endpoint(asio::ip::make_address("127.0.0.1"), 0));
    closed_port = probe.local_endpoint().port();
  }
  RelayLinkOptions options;
  options.upstream_port = closed_port;
  RelayLink link(loop, options);
  REQUIRE_FALSE(link.start().has_value());
  Peer client(loop);
  client.socket.connect(tcp::endpoint(asio::ip::make_address("127.0.0.1"), link.port()));
  client.read();
  REQUIRE(loop.run_until([&] { return client.ended.has_value(); }, soon()));
  CHECK(*client.ended == asio::error::connection_reset);
  REQUIRE(link.errors().size() == 1);
  CHECK_THAT(link.errors()[0].message, Catch::Contains("cannot connect to 127.0.0.1:"));
}

TEST_CASE("relay: more held than held_bytes_max resets the link with an error", "[net][relay]") {
  RelayLinkOptions options;
  options.held_bytes_max = 1000;
  Rig rig(options);
  rig.link->hold(RelayDirection::kToServer);
  rig.client.send(kUpgrade + std::string(2000, 'x'));
  REQUIRE(rig.loop.run_until([&] { return rig.link->closed(); }, soon()));
  REQUIRE(rig.link->errors().size() == 1);
  CHECK_THAT(rig.link->errors()[0].message, Catch::Contains("more than the limit of 1000"));
  REQUIRE(rig.loop.run_until([&] { return rig.server.ended.has_value(); }, soon()));
  CHECK(rig.server.received.empty());
}

TEST_CASE("relay: a server that stops reading resets the link after write_stall_max", "[net][relay]") {
  RelayLinkOptions options;
  options.write_stall_max = std::chrono::milliseconds(300);
  options.held_bytes_max = 256 * 1024 * 1024;
  IoLoop loop;
  tcp::acceptor acceptor(loop.context(), tcp::endpoint(asio::ip::make_address("127.0.0.1"), 0));
  options.upstream_port = acceptor.local_endpoint().port();
  RelayLink link(loop, options);
  REQUIRE_FALSE(link.start().has_value());
  tcp::socket server(loop.context());  // accepted, never read
  acceptor.async_accept(server, [](boost::system::error_code) {});
  // The client side is a plain blocking writer on its own context, so that it never waits on the loop.
  asio::io_context writer_context;
  tcp::socket client(writer_context);
  client.connect(tcp::endpoint(asio::ip::make_address("127.0.0.1"), link.port()));
  client.non_blocking(true);
  const std::string chunk(64 * 1024, 'z');
  const auto until = soon();
  while (!link.closed() && std::chrono::steady_clock::now() < until) {
    boost::system::error_code ignored;
    client.write_some(asio::buffer(chunk), ignored);
    loop.run_for(std::chrono::milliseconds(5));
  }
  REQUIRE(link.closed());
  REQUIRE_FALSE(link.errors().empty());
  CHECK_THAT(link.errors()[0].message, Catch::Contains("client to server has not completed in 300 ms"));
}

TEST_CASE("relay: a live client reaches pushsim serve through it, with latency", "[net][relay]") {
  ServeFixture fixture(false);
  RelayLinkOptions options;
  options.upstream_port = fixture.server.port();
  RelayLink link(fixture.loop, options);
  REQUIRE_FALSE(link.start().has_value());
  link.set_latency(RelayDirection::kToClient, ms(5), ms(20));
  LiveConnectionOptions live;
  live.url = "ws://127.0.0.1:" + std::to_string(link.port());
  live.app_key = serve_test_app().key;
  LiveConnection connection(fixture.loop, live);
  REQUIRE_FALSE(connection.connect(soon()).has_value());
  CHECK(connection.socket_id().has_value());
  ServeFixture::subscribe(connection, "through-relay");
  link.reset();
  REQUIRE_FALSE(connection.wait_closed(soon()).has_value());
  CHECK_FALSE(connection.close_code().has_value());  // no close frame: an abrupt loss
}

}  // namespace pushsim::test
