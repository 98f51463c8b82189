#pragma once
// One WebSocket connection of `pushsim serve`, on its own strand. Frames the engine sends wait
// in a queue of shared buffers with exactly one write in flight; a close asked for by the
// engine goes out after the frames queued before it. Reads go to the driver until the
// connection ends, which the driver hears about exactly once.
#include <deque>
#include <memory>
#include <optional>
#include <string>

#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/core/tcp_stream.hpp>
#include <boost/beast/http/message.hpp>
#include <boost/beast/http/string_body.hpp>
#include <boost/beast/websocket/stream.hpp>

#include "net/serve_options.hpp"
#include "protocol/server/engine.hpp"

namespace pushsim::detail {

class ServeDriver;

class WsSession : public std::enable_shared_from_this<WsSession> {
 public:
  WsSession(boost::beast::tcp_stream&& stream, ServeDriver& driver, const ServeOptions& options);

  // Completes the upgrade for this request, then reports the connection to the driver.
  void run(boost::beast::http::request<boost::beast::http::string_body> request);
  // Thread-safe.
  void send(std::shared_ptr<const std::string> frame);
  void close(int code, std::string reason);
  ConnectionId id() const { return id_; }
  // The strand this session runs on (one of the driver's shards).
  boost::asio::any_io_executor executor() { return ws_.get_executor(); }
  // send() for a caller already on executor(): queues the frame without a post.
  void enqueue(std::shared_ptr<const std::string> frame);

 private:
  void on_accept(boost::beast::error_code ec);
  void read();
  void on_read(boost::beast::error_code ec);
  void write_next();
  void start_close(int code, std::string reason);
  void ended();

  boost::beast::websocket::stream<boost::beast::tcp_stream> ws_;
  ServeDriver& driver_;
  const ServeOptions& options_;
  ConnectionId id_;
  std::string target_;
  boost::beast::flat_buffer buffer_;
  std::deque<std::shared_ptr<const std::string>> queue_;
  std::size_t queued_bytes_ = 0;
  bool writing_ = false;
  bool closing_ = false;
  bool ended_ = false;
  std::optional<std::pair<int, std::string>> pending_close_;
};

}  // namespace pushsim::detail
