#include "net/webhook_listener.hpp"

#include <array>
#include <utility>

#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/core/tcp_stream.hpp>
#include <boost/beast/http/parser.hpp>
#include <boost/beast/http/read.hpp>
#include <boost/beast/http/write.hpp>

#include "net/detail/beast_http.hpp"
#include "net/real_clock.hpp"

namespace pushsim {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
using tcp = asio::ip::tcp;

namespace {

// Fills verified / error / app_id / time_ms / events from the request.
void inspect(ReceivedWebhook& hook, const std::vector<AppCredentials>& apps) {
  auto key = find_header(hook.headers, "X-Pusher-Key");
  const AppCredentials* app = nullptr;
  for (const auto& candidate : apps) {
    if (key && candidate.key == *key) app = &candidate;
  }
  if (app == nullptr) {
    hook.error =
        make_error(key ? "X-Pusher-Key \"" + std::string(*key) + "\" names no known app" : "no X-Pusher-Key header");
  } else {
    hook.app_id = app->app_id;
    hook.error = verify_webhook(*app, hook.headers, hook.body);
    hook.verified = !hook.error.has_value();
  }
  Json envelope = Json::parse(hook.body, nullptr, false);
  if (!envelope.is_object()) {
    if (!hook.error) hook.error = make_error("body is not a JSON object");
    hook.verified = false;
    return;
  }
  auto time_ms = envelope.find("time_ms");
  if (time_ms != envelope.end() && time_ms->is_number_integer()) hook.time_ms = time_ms->get<std::int64_t>();
  auto events = envelope.find("events");
  if (events != envelope.end() && events->is_array()) hook.events = *events;
}

}  // namespace

struct WebhookListener::Impl : std::enable_shared_from_this<WebhookListener::Impl> {
  Impl(IoLoop& loop_in, WebhookListenerOptions options_in)
      : loop(loop_in), options(std::move(options_in)), acceptor(loop_in.context()) {}

  void accept() {
    acceptor.async_accept([self = shared_from_this()](beast::error_code ec, tcp::socket socket) {
      if (ec) return;  // closed by stop(), or out of descriptors: stop accepting either way
      std::erase_if(self->streams, [](const auto& weak) { return weak.expired(); });
      if (self->streams.size() >= self->options.sessions_max) {
        beast::error_code ignored;
        socket.close(ignored);  // a flood of connections: refuse this one, keep serving the others
      } else {
        self->start_session(std::move(socket));
      }
      self->accept();
    });
  }

  void start_session(tcp::socket socket);
  void record(ReceivedWebhook hook) {
    if (received.size() < options.received_max) {
      received.push_back(std::move(hook));
      return;
    }
    ++unrecorded;
    if (!hook.verified) ++unrecorded_unverified;
  }
  int next_status() {
    if (failures_left == 0) return 200;
    --failures_left;
    return failure_status;
  }

  IoLoop& loop;
  WebhookListenerOptions options;
  tcp::acceptor acceptor;
  std::uint16_t port = 0;
  std::size_t failures_left = 0;
  int failure_status = 500;
  std::vector<ReceivedWebhook> received;
  std::size_t unrecorded = 0;
  std::size_t unrecorded_unverified = 0;
  std::vector<std::weak_ptr<beast::tcp_stream>> streams;  // to close them on stop()
};

namespace {

// One HTTP connection: read a request, record it, answer, repeat while keep-alive.
class ListenerSession : public std::enable_shared_from_this<ListenerSession> {
 public:
  ListenerSession(std::shared_ptr<WebhookListener::Impl> owner, tcp::socket socket)
      : owner_(std::move(owner)), stream_(std::make_shared<beast::tcp_stream>(std::move(socket))) {}

  std::weak_ptr<beast::tcp_stream> stream() const { return stream_; }

  void read() {
    parser_.emplace();
    parser_->body_limit(owner_->options.body_max_bytes);
    stream_->expires_after(owner_->options.read_timeout);
    http::async_read(*stream_, buffer_, *parser_, [self = shared_from_this()](beast::error_code ec, std::size_t) {
      if (ec) return self->close();
      self->on_request();
    });
  }

 private:
  void on_request() {
    const detail::BeastRequest& request = parser_->get();
    HttpRequest plain = detail::from_beast(request);
    ReceivedWebhook hook;
    hook.at = real_now();
    hook.method = plain.method;
    hook.target = plain.target;
    hook.headers = std::move(plain.headers);
    hook.body = std::move(plain.body);
    inspect(hook, owner_->options.apps);
    hook.answered_status = owner_->next_status();
    if (hook.answered_status == 0) {
      owner_->record(std::move(hook));
      return hold_unanswered();
    }
    HttpResponse answer{hook.answered_status, {{"Content-Type", "application/json"}}, "{}"};
    owner_->record(std::move(hook));

    response_ = detail::to_beast(answer, request);
    http::async_write(*stream_, response_, [self = shared_from_this()](beast::error_code ec, std::size_t) {
      if (ec || !self->response_.keep_alive()) return self->close();
      self->read();
    });
  }

  // Reads on (the sender may close, or send nothing) but never answers; the stream's timeout
  // closes it at hold_max at the latest.
  void hold_unanswered() {
    stream_->expires_after(owner_->options.hold_max);
    stream_->async_read_some(asio::buffer(hold_buffer_),
                             [self = shared_from_this()](beast::error_code ec, std::size_t) {
                               if (ec) return self->close();
                               self->hold_unanswered_more();
                             });
  }
  void hold_unanswered_more() {
    stream_->async_read_some(asio::buffer(hold_buffer_),
                             [self = shared_from_this()](beast::error_code ec, std::size_t) {
                               if (ec) return self->close();
                               self->hold_unanswered_more();
                             });
  }

  void close() {
    beast::error_code ignored;
    stream_->socket().shutdown(tcp::socket::shutdown_both, ignored);
    stream_->close();
  }

  std::shared_ptr<WebhookListener::Impl> owner_;
  std::shared_ptr<beast::tcp_stream> stream_;
  beast::flat_buffer buffer_;
  std::optional<http::request_parser<http::string_body>> parser_;
  detail::BeastResponse response_;
  std::array<char, 512> hold_buffer_{};
};

}  // namespace

void WebhookListener::Impl::start_session(tcp::socket socket) {
  auto session = std::make_shared<ListenerSession>(shared_from_this(), std::move(socket));
  streams.push_back(session->stream());
  session->read();
}

WebhookListener::WebhookListener(IoLoop& loop, WebhookListenerOptions options)
    : impl_(std::make_shared<Impl>(loop, std::move(options))) {}

WebhookListener::~WebhookListener() { stop(); }

std::optional<Error> WebhookListener::start() {
  beast::error_code ec;
  auto address = asio::ip::make_address(impl_->options.host, ec);
  if (ec) return make_error("webhook listener: bad address \"" + impl_->options.host + "\": " + ec.message());
  tcp::endpoint endpoint{address, impl_->options.port};
  tcp::acceptor& acceptor = impl_->acceptor;
  acceptor.open(endpoint.protocol(), ec);
  if (!ec) acceptor.set_option(asio::socket_base::reuse_address(true), ec);
  if (!ec) acceptor.bind(endpoint, ec);
  if (!ec) acceptor.listen(asio::socket_base::max_listen_connections, ec);
  if (ec) {
    return make_error("webhook listener: cannot listen on " + impl_->options.host + ":" +
                      std::to_string(impl_->options.port) + ": " + ec.message());
  }
  impl_->port = acceptor.local_endpoint().port();
  impl_->accept();
  return std::nullopt;
}

void WebhookListener::stop() {
  beast::error_code ignored;
  impl_->acceptor.close(ignored);
  for (auto& weak : impl_->streams) {
    if (auto stream = weak.lock()) stream->socket().close(ignored);
  }
  impl_->streams.clear();
}

std::uint16_t WebhookListener::port() const { return impl_->port; }

std::string WebhookListener::url() const {
  return "http://" + impl_->options.host + ":" + std::to_string(impl_->port) + "/webhooks";
}

void WebhookListener::fail_next(std::size_t count, int status) {
  impl_->failures_left = count;
  impl_->failure_status = status;
}

const std::vector<ReceivedWebhook>& WebhookListener::received() const { return impl_->received; }
std::size_t WebhookListener::unrecorded() const { return impl_->unrecorded; }
std::size_t WebhookListener::unrecorded_unverified() const { return impl_->unrecorded_unverified; }

std::vector<Json> WebhookListener::verified_events() const {
  std::vector<Json> out;
  for (const auto& hook : impl_->received) {
    if (!hook.verified) continue;
    for (const auto& event : hook.events) out.push_back(event);
  }
  return out;
}

}  // namespace pushsim
