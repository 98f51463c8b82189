#include "net/detail/serve_listener.hpp"

#include <boost/asio/post.hpp>
#include <boost/asio/strand.hpp>

#include "net/detail/serve_driver.hpp"
#include "net/detail/serve_http_session.hpp"

namespace pushsim::detail {

namespace asio = boost::asio;
using tcp = asio::ip::tcp;

ServeListener::ServeListener(asio::io_context& context, ServeDriver& driver, const ServeOptions& options)
    : driver_(driver),
      options_(options),
      acceptor_(asio::make_strand(context)),
      retry_timer_(acceptor_.get_executor()) {}

std::optional<Error> ServeListener::listen() {
  boost::system::error_code ec;
  auto address = asio::ip::make_address(options_.host, ec);
  if (ec) return make_error("serve: bad host address \"" + options_.host + "\": " + ec.message());
  tcp::endpoint endpoint{address, options_.port};
  acceptor_.open(endpoint.protocol(), ec);
  if (!ec) acceptor_.set_option(asio::socket_base::reuse_address(true), ec);
  if (!ec) acceptor_.bind(endpoint, ec);
  if (!ec) acceptor_.listen(asio::socket_base::max_listen_connections, ec);
  if (ec) {
    return make_error("serve: cannot listen on " + options_.host + ":" + std::to_string(options_.port) + ": " +
                      ec.message());
  }
  port_ = acceptor_.local_endpoint().port();
  return std::nullopt;
}

void ServeListener::start() { accept(); }

void ServeListener::accept() {
  acceptor_.async_accept(driver_.next_shard(),
                         [self = shared_from_this()](boost::system::error_code ec, tcp::socket socket) {
                           if (ec == asio::error::operation_aborted || !self->acceptor_.is_open()) return;
                           if (!ec) {
                             // Frames go out as they are written: with Nagle on, a frame waits for
                             // the acknowledgement of the one before, and against a client that
                             // delays its ACKs (most stacks do, by up to 40-200 ms) every small
                             // frame after the first stalls that long.
                             boost::system::error_code ignored;
                             socket.set_option(tcp::no_delay(true), ignored);
                             std::make_shared<HttpSession>(std::move(socket), self->driver_, self->options_)->run();
                             return self->accept();
                           }
                           // Out of descriptors, say: retrying at once would spin, so pause before accepting again.
                           self->retry_timer_.expires_after(std::chrono::milliseconds(50));
                           self->retry_timer_.async_wait([self](boost::system::error_code wait_ec) {
                             if (!wait_ec) self->accept();
                           });
                         });
}

void ServeListener::stop() {
  asio::post(acceptor_.get_executor(), [self = shared_from_this()] {
    boost::system::error_code ignored;
    self->acceptor_.close(ignored);
    self->retry_timer_.cancel();
  });
}

}  // namespace pushsim::detail
