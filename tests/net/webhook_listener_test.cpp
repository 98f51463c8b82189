// The webhook listener's limits against a flood of deliveries: what it keeps, what it counts,
// and the connections it refuses while it goes on serving the others.
#include <catch2/catch.hpp>

#include <array>

#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/read.hpp>
#include <boost/asio/write.hpp>

#include "net/webhook_listener.hpp"
#include "support/rogue_webhooks.hpp"

namespace pushsim::test {

using namespace std::chrono_literals;

namespace {

WebhookListenerOptions listener_options() {
  WebhookListenerOptions options;
  options.apps.push_back(AppCredentials{"app-id", "app-key", "app-secret"});
  return options;
}

}  // namespace

TEST_CASE("webhook listener: past received_max, deliveries are answered and counted but not kept", "[net][webhooks]") {
  IoLoop loop;
  WebhookListenerOptions options = listener_options();
  options.received_max = 5;
  WebhookListener listener(loop, options);
  REQUIRE_FALSE(listener.start().has_value());
  RogueWebhookPoster poster(listener.port(), 20, 2);
  loop.run_until([&] { return poster.answered() == 20; }, deadline_after(5s));
  CHECK(poster.answered() == 20);
  REQUIRE(listener.received().size() == 5);
  CHECK_FALSE(listener.received()[0].verified);
  CHECK(listener.unrecorded() == 15);
  CHECK(listener.unrecorded_unverified() == 15);
}

TEST_CASE("webhook listener: connections beyond sessions_max are closed at once, the others stay", "[net][webhooks]") {
  namespace asio = boost::asio;
  IoLoop loop;
  WebhookListenerOptions options = listener_options();
  options.sessions_max = 2;
  WebhookListener listener(loop, options);
  REQUIRE_FALSE(listener.start().has_value());
  asio::io_context context;
  const asio::ip::tcp::endpoint endpoint(asio::ip::make_address("127.0.0.1"), listener.port());
  std::array<asio::ip::tcp::socket, 3> sockets{asio::ip::tcp::socket(context), asio::ip::tcp::socket(context),
                                               asio::ip::tcp::socket(context)};
  for (auto& socket : sockets) socket.connect(endpoint);
  loop.run_for(200ms);  // the listener accepts all three, in order
  auto state_of = [](asio::ip::tcp::socket& socket) {
    socket.non_blocking(true);
    std::array<char, 1> byte{};
    boost::system::error_code ec;
    socket.read_some(asio::buffer(byte), ec);
    return ec;
  };
  CHECK(state_of(sockets[0]) == asio::error::would_block);
  CHECK(state_of(sockets[1]) == asio::error::would_block);
  CHECK(state_of(sockets[2]) == asio::error::eof);
}

}  // namespace pushsim::test

namespace pushsim::test {

TEST_CASE("webhook listener: a no-answer failure holds the request unanswered, then closes at hold_max",
          "[net][webhooks]") {
  namespace asio = boost::asio;
  IoLoop loop;
  WebhookListenerOptions options = listener_options();
  options.hold_max = 400ms;
  WebhookListener listener(loop, options);
  REQUIRE_FALSE(listener.start().has_value());
  listener.fail_next(1, 0);
  const asio::ip::tcp::endpoint endpoint(asio::ip::make_address("127.0.0.1"), listener.port());
  const std::string request = "POST /webhooks HTTP/1.1\r\nHost: x\r\nContent-Length: 2\r\n\r\n{}";

  // One POST on its own connection; `answer` collects what comes back until the listener closes.
  struct Post {
    explicit Post(IoLoop& loop) : socket(loop.context()) {}
    asio::ip::tcp::socket socket;
    std::array<char, 1024> buffer{};
    std::string answer;
    bool ended = false;
    void read() {
      socket.async_read_some(asio::buffer(buffer), [this](boost::system::error_code ec, std::size_t size) {
        if (ec) {
          ended = true;
          return;
        }
        answer.append(buffer.data(), size);
        read();
      });
    }
  };
  Post held(loop);
  held.socket.connect(endpoint);
  asio::write(held.socket, asio::buffer(request));
  held.read();
  const auto sent_at = std::chrono::steady_clock::now();
  loop.run_until([&] { return held.ended; }, deadline_after(5s));
  CHECK(held.ended);
  CHECK(held.answer.empty());
  CHECK(std::chrono::steady_clock::now() - sent_at >= 350ms);
  REQUIRE(listener.received().size() == 1);
  CHECK(listener.received()[0].answered_status == 0);

  Post next(loop);
  next.socket.connect(endpoint);
  asio::write(next.socket, asio::buffer(request));
  next.read();
  loop.run_until([&] { return next.answer.find("\r\n\r\n") != std::string::npos; }, deadline_after(5s));
  CHECK(next.answer.starts_with("HTTP/1.1 200"));
}

}  // namespace pushsim::test
