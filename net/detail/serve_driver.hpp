#pragma once
// The reference engine behind real sockets. The engine is single-threaded, so it lives on one
// strand: every input (a connection opened, a frame, a close, an HTTP request, a webhook
// answer, the timer) is posted there, and after each one the driver carries out the engine's
// outputs: frames go to the sessions (each frame one shared buffer, whatever the fan-out),
// closes to the sessions, webhook POSTs to an HTTP client. One steady timer is armed at
// engine.next_deadline(). The real clock is read here and handed to the engine as TimeNs.
#include <atomic>
#include <functional>
#include <map>
#include <memory>
#include <string>

#include <boost/asio/io_context.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/strand.hpp>

#include "net/serve_options.hpp"
#include "protocol/random.hpp"
#include "protocol/server/engine.hpp"

namespace pushsim::detail {

class WsSession;

class ServeDriver {
 public:
  ServeDriver(boost::asio::io_context& context, const ServeOptions& options, std::vector<AppConfig> apps,
              std::uint64_t seed);

  // Thread-safe: each posts onto the engine's strand.
  ConnectionId new_connection_id() { return next_id_++; }
  void opened(std::shared_ptr<WsSession> session, std::string target);
  void text(ConnectionId id, std::string text);
  void binary(ConnectionId id, std::size_t size);
  void closed(ConnectionId id);
  void http(HttpRequest request, std::function<void(HttpResponse)> reply);
  // Stops the timer and closes every connection with `code`; later connections get the same.
  void shutdown(int code, std::string reason);

  // Connections open at the WebSocket level (opened and not yet closed).
  std::size_t session_count() const { return live_sessions_; }
  // Called only once no thread runs the io_context: drops the session references.
  void release_sessions() { sessions_.clear(); }

 private:
  void flush();
  void arm_timer();
  void post_webhook(WebhookPost post);

  boost::asio::io_context& context_;
  boost::asio::strand<boost::asio::io_context::executor_type> strand_;
  boost::asio::steady_timer timer_;
  std::chrono::milliseconds webhook_timeout_;
  Rng rng_;
  Engine engine_;
  std::map<ConnectionId, std::shared_ptr<WsSession>> sessions_;
  std::atomic<ConnectionId> next_id_{1};
  std::atomic<std::size_t> live_sessions_{0};
  std::optional<std::pair<int, std::string>> shutdown_close_;
};

}  // namespace pushsim::detail
