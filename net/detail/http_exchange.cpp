#include "net/detail/http_exchange.hpp"

#include <memory>
#include <utility>

#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/ssl/host_name_verification.hpp>
#include <boost/asio/strand.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/core/tcp_stream.hpp>
#include <boost/beast/http/parser.hpp>
#include <boost/beast/http/read.hpp>
#include <boost/beast/http/write.hpp>
#include <boost/beast/ssl/ssl_stream.hpp>

#include "net/detail/beast_http.hpp"
#include "net/detail/tls_context.hpp"

namespace pushsim::detail {

// At namespace scope, as in the other files of net/detail: in a unity batch an alias inside the
// anonymous namespace would shadow theirs.
namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
using tcp = asio::ip::tcp;

namespace {

using PlainStream = beast::tcp_stream;
using TlsStream = beast::ssl_stream<beast::tcp_stream>;

// Theory of operation: a chain of completion handlers, each holding the exchange alive
// through shared_from_this; the tcp_stream's expiry (one absolute deadline for the whole
// exchange) cancels whichever step is pending when time runs out.
template <class Stream>
class Exchange : public std::enable_shared_from_this<Exchange<Stream>> {
 public:
  Exchange(asio::io_context& context, Url url, HttpRequest request, HttpExchangeOptions options,
           HttpCompletion completion)
      : resolver_(asio::make_strand(context)),
        stream_(make_stream(resolver_.get_executor(), options.tls_verify)),
        url_(std::move(url)),
        request_(to_beast(request, url_.host_header())),
        options_(options),
        completion_(std::move(completion)),
        deadline_(std::chrono::steady_clock::now() + options.timeout) {
    parser_.body_limit(options.response_body_max_bytes);
  }

  void start() {
    resolver_.async_resolve(
        url_.host, url_.port,
        [self = this->shared_from_this()](beast::error_code ec, tcp::resolver::results_type results) {
          self->on_resolve(ec, std::move(results));
        });
  }

 private:
  static Stream make_stream(const asio::any_io_executor& executor, bool verify) {
    if constexpr (std::is_same_v<Stream, TlsStream>) {
      return Stream(executor, tls_client_context(verify));
    } else {
      return Stream(executor);
    }
  }

  void on_resolve(beast::error_code ec, tcp::resolver::results_type results) {
    if (ec) return fail("resolve", ec);
    auto& layer = beast::get_lowest_layer(stream_);
    layer.expires_at(deadline_);
    layer.async_connect(results, [self = this->shared_from_this()](beast::error_code connect_ec, const tcp::endpoint&) {
      self->on_connect(connect_ec);
    });
  }

  void on_connect(beast::error_code ec) {
    if (ec) return fail("connect", ec);
    if constexpr (std::is_same_v<Stream, TlsStream>) {
      if (!SSL_set_tlsext_host_name(stream_.native_handle(), url_.host.c_str())) {
        return finish(make_error(describe() + ": TLS: cannot set the server name"));
      }
      if (options_.tls_verify) stream_.set_verify_callback(asio::ssl::host_name_verification(url_.host));
      beast::get_lowest_layer(stream_).expires_at(deadline_);
      stream_.async_handshake(asio::ssl::stream_base::client,
                              [self = this->shared_from_this()](beast::error_code handshake_ec) {
                                if (handshake_ec) return self->fail("TLS handshake", handshake_ec);
                                self->write();
                              });
    } else {
      write();
    }
  }

  void write() {
    beast::get_lowest_layer(stream_).expires_at(deadline_);
    http::async_write(stream_, request_, [self = this->shared_from_this()](beast::error_code ec, std::size_t) {
      if (ec) return self->fail("write", ec);
      self->read();
    });
  }

  void read() {
    beast::get_lowest_layer(stream_).expires_at(deadline_);
    auto on_read = [self = this->shared_from_this()](beast::error_code ec, std::size_t parsed_bytes) {
      // Parsed bytes leave the buffer; what is left there arrived but did not parse yet.
      if (ec) return self->fail("read", ec, parsed_bytes + self->buffer_.size());
      beast::error_code ignored;
      beast::get_lowest_layer(self->stream_).socket().shutdown(tcp::socket::shutdown_both, ignored);
      self->finish(from_beast(self->parser_.get()));
    };
    http::async_read(stream_, buffer_, parser_, std::move(on_read));
  }

  std::string describe() const {
    return request_.method_string().to_string() + " " + url_.scheme + "://" + url_.host_header() +
           std::string(request_.target());
  }

  // `received`: bytes of the response that had arrived, which tells a server that trickles
  // its answer from one that never answers.
  void fail(std::string_view step, beast::error_code ec, std::size_t received = 0) {
    std::string why = ec == beast::error::timeout
                          ? "timed out after " + std::to_string(options_.timeout.count()) + " ms"
                          : ec.message();
    if (received > 0) why += " (" + std::to_string(received) + " bytes of the response had arrived)";
    finish(make_error(describe() + ": " + std::string(step) + ": " + why));
  }

  void finish(Result<HttpResponse> result) {
    if (!completion_) return;
    auto completion = std::exchange(completion_, nullptr);
    completion(std::move(result));
  }

  tcp::resolver resolver_;
  Stream stream_;
  Url url_;
  BeastRequest request_;
  HttpExchangeOptions options_;
  HttpCompletion completion_;
  std::chrono::steady_clock::time_point deadline_;
  beast::flat_buffer buffer_;
  http::response_parser<http::string_body> parser_;
};

}  // namespace

void start_http_exchange(asio::io_context& context, const Url& url, HttpRequest request, HttpExchangeOptions options,
                         HttpCompletion completion) {
  if (url.scheme != "http" && url.scheme != "https") {
    completion(make_error("cannot send an HTTP request to a " + url.scheme + ":// URL"));
    return;
  }
  if (url.tls()) {
    std::make_shared<Exchange<TlsStream>>(context, url, std::move(request), options, std::move(completion))->start();
  } else {
    std::make_shared<Exchange<PlainStream>>(context, url, std::move(request), options, std::move(completion))->start();
  }
}

}  // namespace pushsim::detail
