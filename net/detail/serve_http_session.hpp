#pragma once
// One accepted TCP connection of `pushsim serve`: reads an HTTP request and either hands the
// connection to a WebSocket session (an upgrade, on any path: the engine refuses bad ones
// with its own close codes) or has the engine answer it (REST), keeping the connection alive
// for further requests as the client asks.
#include <memory>
#include <optional>

#include <boost/asio/ip/tcp.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/core/tcp_stream.hpp>
#include <boost/beast/http/parser.hpp>
#include <boost/beast/http/string_body.hpp>

#include "net/detail/beast_http.hpp"
#include "net/serve_options.hpp"

namespace pushsim::detail {

class ServeDriver;

class HttpSession : public std::enable_shared_from_this<HttpSession> {
 public:
  HttpSession(boost::asio::ip::tcp::socket&& socket, ServeDriver& driver, const ServeOptions& options);
  void run();

 private:
  void read();
  void on_read(boost::beast::error_code ec);
  void answer(HttpResponse response);
  void close();

  boost::beast::tcp_stream stream_;
  ServeDriver& driver_;
  const ServeOptions& options_;
  boost::beast::flat_buffer buffer_;
  std::optional<boost::beast::http::request_parser<boost::beast::http::string_body>> parser_;
  BeastRequest request_;
  BeastResponse response_;
};

}  // namespace pushsim::detail
