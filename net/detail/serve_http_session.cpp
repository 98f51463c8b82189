#include "net/detail/serve_http_session.hpp"

#include <boost/asio/dispatch.hpp>
#include <boost/asio/post.hpp>
#include <boost/beast/http/error.hpp>
#include <boost/beast/http/read.hpp>
#include <boost/beast/http/write.hpp>
#include <boost/beast/websocket/rfc6455.hpp>

#include "net/detail/serve_driver.hpp"
#include "net/detail/serve_ws_session.hpp"

namespace pushsim::detail {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
using tcp = asio::ip::tcp;

HttpSession::HttpSession(tcp::socket&& socket, ServeDriver& driver, const ServeOptions& options)
    : stream_(std::move(socket)), driver_(driver), options_(options) {}

void HttpSession::run() {
  // Start on the connection's strand: the socket was accepted onto it.
  asio::dispatch(stream_.get_executor(), [self = shared_from_this()] { self->read(); });
}

void HttpSession::read() {
  parser_.emplace();
  parser_->body_limit(options_.http_body_max_bytes);
  parser_->header_limit(16 * 1024);
  stream_.expires_after(options_.http_read_timeout);
  http::async_read(stream_, buffer_, *parser_,
                   [self = shared_from_this()](beast::error_code ec, std::size_t) { self->on_read(ec); });
}

void HttpSession::on_read(beast::error_code ec) {
  if (ec == http::error::body_limit) {
    request_ = {};
    request_.version(11);
    request_.keep_alive(false);
    return answer(HttpResponse{413, {{"Content-Type", "application/json"}}, R"({"error":"Request body too large"})"});
  }
  if (ec) return close();  // end of stream, timeout, garbage: nothing to answer
  if (beast::websocket::is_upgrade(parser_->get())) {
    auto session = std::make_shared<WsSession>(std::move(stream_), driver_, options_);
    return session->run(parser_->release());
  }
  request_ = parser_->release();
  driver_.http(from_beast(request_), [self = shared_from_this()](HttpResponse response) {
    asio::post(self->stream_.get_executor(),
               [self, response = std::move(response)]() mutable { self->answer(std::move(response)); });
  });
}

void HttpSession::answer(HttpResponse response) {
  response_ = to_beast(response, request_);
  stream_.expires_after(options_.http_read_timeout);
  http::async_write(stream_, response_, [self = shared_from_this()](beast::error_code ec, std::size_t) {
    if (ec || !self->response_.keep_alive()) return self->close();
    self->read();
  });
}

void HttpSession::close() {
  beast::error_code ignored;
  stream_.socket().shutdown(tcp::socket::shutdown_send, ignored);
  stream_.close();
}

}  // namespace pushsim::detail
