#pragma once
// One HTTP request on a connection of its own, asynchronously: resolve, connect, TLS when the
// URL says https, write, read the response, close. Every step is bounded by one deadline.
// Used by the REST client (which waits on it) and by `pushsim serve` to post webhooks.
#include <chrono>
#include <cstddef>
#include <functional>

#include <boost/asio/io_context.hpp>

#include "net/url.hpp"
#include "protocol/http.hpp"
#include "protocol/result.hpp"

namespace pushsim::detail {

struct HttpExchangeOptions {
  std::chrono::milliseconds timeout{10'000};
  bool tls_verify = true;
  std::size_t response_body_max_bytes = 8 * 1024 * 1024;
};

// Called exactly once, on a thread running the io_context: the response (any status), or an
// error naming the step that failed ("connect", "TLS handshake", "read", ...).
using HttpCompletion = std::function<void(Result<HttpResponse>)>;

// request.target is sent as is (path plus query); the Host header comes from the URL.
void start_http_exchange(boost::asio::io_context& context, const Url& url, HttpRequest request,
                         HttpExchangeOptions options, HttpCompletion completion);

}  // namespace pushsim::detail
