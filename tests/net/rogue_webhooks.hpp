#pragma once
// Test helper: a rogue that posts webhooks whose signature does not verify to a webhook
// listener on loopback, from a thread of its own: `count` of them (a flood when large) over
// `parallel` keep-alive connections. Connections are retried every 20 ms until the listener
// is up, since it starts with the scenario's target, after the rogue.
#include <atomic>
#include <chrono>
#include <cstdint>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/core/tcp_stream.hpp>
#include <boost/beast/http.hpp>

#include "net/io_loop.hpp"

namespace pushsim::test {

class RogueWebhookPoster {
 public:
  RogueWebhookPoster(std::uint16_t port, std::size_t count, std::size_t parallel)
      : endpoint_(boost::asio::ip::make_address("127.0.0.1"), port), count_(count) {
    for (std::size_t i = 0; i < parallel; ++i) lanes_.push_back(std::make_shared<Lane>(loop_));
    for (auto& lane : lanes_) connect(lane);
    thread_ = std::thread([this] {
      const auto end = deadline_after(std::chrono::seconds(60));
      while (!stop_ && std::chrono::steady_clock::now() < end) {
        loop_.run_until([this] { return stop_.load(); }, deadline_after(std::chrono::milliseconds(20)));
      }
    });
  }
  ~RogueWebhookPoster() {
    stop_ = true;
    thread_.join();
  }
  RogueWebhookPoster(const RogueWebhookPoster&) = delete;
  RogueWebhookPoster& operator=(const RogueWebhookPoster&) = delete;

  // Deliveries the listener answered so far.
  std::size_t answered() const { return answered_.load(); }

 private:
  using tcp = boost::asio::ip::tcp;

  struct Lane {
    explicit Lane(IoLoop& loop) : stream(loop.context()), timer(loop.context()) {}
    boost::beast::tcp_stream stream;
    boost::asio::steady_timer timer;
    boost::beast::flat_buffer buffer;
    boost::beast::http::request<boost::beast::http::string_body> request;
    boost::beast::http::response<boost::beast::http::string_body> response;
  };

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
    lane->stream.async_connect(endpoint_, [this, lane](boost::beast::error_code ec) {
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
    if (started_ >= count_) return;
    ++started_;
    lane->request = bad_delivery();
    http::async_write(lane->stream, lane->request, [this, lane](boost::beast::error_code ec, std::size_t) {
      if (ec) return reconnect(lane);
      lane->response = {};
      http::async_read(lane->stream, lane->buffer, lane->response,
                       [this, lane](boost::beast::error_code read_ec, std::size_t) {
                         if (read_ec) return reconnect(lane);
                         ++answered_;
                         post(lane);
                       });
    });
  }

  // The listener closed the connection (it refuses those beyond its limit): a new one.
  void reconnect(const std::shared_ptr<Lane>& lane) {
    --started_;
    lane->stream.close();
    lane->buffer.clear();
    connect(lane);
  }

  IoLoop loop_;
  tcp::endpoint endpoint_;
  std::size_t count_;
  std::size_t started_ = 0;  // only touched on the loop's thread
  std::vector<std::shared_ptr<Lane>> lanes_;
  std::atomic<std::size_t> answered_{0};
  std::atomic<bool> stop_{false};
  std::thread thread_;
};

}  // namespace pushsim::test
