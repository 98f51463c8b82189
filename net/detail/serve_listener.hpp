#pragma once
// The listening socket of `pushsim serve`: each accepted connection goes to one of the driver's
// shard strands (round-robin) with an HttpSession, which tells WebSocket upgrades from REST
// requests.
#include <memory>

#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/steady_timer.hpp>

#include "net/serve_options.hpp"
#include "protocol/result.hpp"

namespace pushsim::detail {

class ServeDriver;

class ServeListener : public std::enable_shared_from_this<ServeListener> {
 public:
  ServeListener(boost::asio::io_context& context, ServeDriver& driver, const ServeOptions& options);
  // Binds and listens now, so that the caller learns the port (or the failure) at once.
  std::optional<Error> listen();
  void start();  // begins accepting
  void stop();   // thread-safe
  std::uint16_t port() const { return port_; }

 private:
  void accept();

  ServeDriver& driver_;
  const ServeOptions& options_;
  boost::asio::ip::tcp::acceptor acceptor_;
  boost::asio::steady_timer retry_timer_;
  std::uint16_t port_ = 0;
};

}  // namespace pushsim::detail
