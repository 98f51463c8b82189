#include "support/rogue_webhooks.hpp"

#include <atomic>
#include <chrono>
#include <string>
#include <thread>
#include <vector>

#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/core/tcp_stream.hpp>
#include <boost/beast/http.hpp>

#include "net/io_loop.hpp"
#include "support/loop_thread.hpp"

namespace pushsim::test {

struct RogueWebhookPoster::Impl {
  using tcp = boost::asio::ip::tcp;

  struct Lane {
    explicit Lane(IoLoop& loop) : stream(loop.context()), timer(loop.context()) {}
    boost::beast::tcp_stream stream;
    boost::asio::steady_timer timer;
    boost::beast::flat_buffer buffer;
    boost::beast::http::request<boost::beast::http::string_body> request;
    boost::beast::http::response<boost::beast::http::string_body> response;
  };

  Impl(std::uint16_t port, std::size_t count_in, std::size_t parallel)
      : endpoint(boost::asio::ip::make_address("127.0.0.1"), port), count(count_in) {
    for (std::size_t i = 0; i < parallel; ++i) lanes.push_back(std::make_shared<Lane>(loop));
    for (auto& lane : lanes) connect(lane);
    thread = std::thread([this] { run_until_stopped(loop, stop); });
  }
  ~Impl() {
    stop = true;
    thread.join();
  }

  static boost::beast::http::request<boost::beast::http::string_body> bad_delivery() {
    namespace http = boost::beast::http;
    http::request<http::string_body> request{http::verb::post, "/webhooks", 11};
    request.set(http::field::host, "127.0.0.1");
    request.set(http::field::content_type, "application/json");
    request.set("X-Pusher-Key", "app-key");
    request.set("X-Pusher-Signature", std::string(64, '0'));  // hex of the right length, the wrong value
    request.body() = R"({"time_ms":1,"events":[{"name":"channel_occupied","channel":"news"}]})";
    request.keep_alive(true);
    request.prepare_payload();
    return request;
  }

  void connect(const std::shared_ptr<Lane>& lane) {
    lane->stream.async_connect(endpoint, [this, lane](boost::beast::error_code ec) {
      if (!ec) return post(lane);
      lane->stream.close();
      lane->timer.expires_after(std::chrono::milliseconds(20));
      lane->timer.async_wait([this, lane](boost::beast::error_code wait_ec) {
        if (!wait_ec) connect(lane);
      });
    });
  }

  void post(const std::shared_ptr<Lane>& lane) {
    namespace http = boost::beast::http;
    if (started >= count) return;
    ++started;
    lane->request = bad_delivery();
    http::async_write(lane->stream, lane->request, [this, lane](boost::beast::error_code ec, std::size_t) {
      if (ec) return reconnect(lane);
      lane->response = {};
      http::async_read(lane->stream, lane->buffer, lane->response,
                       [this, lane](boost::beast::error_code read_ec, std::size_t) {
                         if (read_ec) return reconnect(lane);
                         ++answered;
                         post(lane);
                       });
    });
  }

  // The listener closed the connection (it refuses those beyond its limit): a new one.
  void reconnect(const std::shared_ptr<Lane>& lane) {
    --started;
    lane->stream.close();
    lane->buffer.clear();
    connect(lane);
  }

  IoLoop loop;
  tcp::endpoint endpoint;
  std::size_t count;
  std::size_t started = 0;  // only touched on the loop's thread
  std::vector<std::shared_ptr<Lane>> lanes;
  std::atomic<std::size_t> answered{0};
  std::atomic<bool> stop{false};
  std::thread thread;
};

RogueWebhookPoster::RogueWebhookPoster(std::uint16_t port, std::size_t count, std::size_t parallel)
    : impl_(std::make_unique<Impl>(port, count, parallel)) {}
RogueWebhookPoster::~RogueWebhookPoster() = default;

std::size_t RogueWebhookPoster::answered() const { return impl_->answered.load(); }

}  // namespace pushsim::test
