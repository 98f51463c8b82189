#include "net/detail/serve_ws_session.hpp"

#include <boost/asio/dispatch.hpp>
#include <boost/asio/post.hpp>
#include <boost/beast/core/buffers_to_string.hpp>
#include <boost/beast/websocket/error.hpp>

#include "net/detail/serve_driver.hpp"

namespace pushsim::detail {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace websocket = beast::websocket;

namespace {
constexpr int kOverCapacity = 4100;  // docs/protocol.md §1.8: temporary, the client backs off
}

WsSession::WsSession(beast::tcp_stream&& stream, ServeDriver& driver, const ServeOptions& options)
    : ws_(std::move(stream)), driver_(driver), options_(options), id_(driver.new_connection_id()) {}

void WsSession::run(beast::http::request<beast::http::string_body> request) {
  target_ = std::string(request.target());
  beast::get_lowest_layer(ws_).expires_never();  // the WebSocket timeouts below take over
  // No idle timeout: liveness is the engine's business (pusher:ping, then 4201).
  ws_.set_option(websocket::stream_base::timeout{options_.handshake_timeout, websocket::stream_base::none(), false});
  ws_.set_option(websocket::stream_base::decorator(
      [](websocket::response_type& response) { response.set(beast::http::field::server, "pushsim"); }));
  ws_.read_message_max(options_.websocket_message_max_bytes);
  ws_.async_accept(request, [self = shared_from_this()](beast::error_code ec) { self->on_accept(ec); });
}

void WsSession::on_accept(beast::error_code ec) {
  if (ec) return;  // the upgrade failed: the engine never heard of this connection
  driver_.opened(shared_from_this(), target_);
  read();
}

void WsSession::read() {
  ws_.async_read(buffer_, [self = shared_from_this()](beast::error_code ec, std::size_t) { self->on_read(ec); });
}

void WsSession::on_read(beast::error_code ec) {
  if (ec) return ended();
  if (ws_.got_text()) {
    driver_.text(id_, beast::buffers_to_string(buffer_.data()));
  } else {
    driver_.binary(id_, buffer_.size());
  }
  buffer_.consume(buffer_.size());
  read();
}

void WsSession::ended() {
  if (ended_) return;
  ended_ = true;
  beast::error_code ignored;
  beast::get_lowest_layer(ws_).socket().close(ignored);
  driver_.closed(id_);
}

void WsSession::send(std::shared_ptr<const std::string> frame) {
  asio::post(ws_.get_executor(),
             [self = shared_from_this(), frame = std::move(frame)]() mutable { self->enqueue(std::move(frame)); });
}

void WsSession::enqueue(std::shared_ptr<const std::string> frame) {
  if (closing_ || ended_ || pending_close_) return;
  queued_bytes_ += frame->size();
  queue_.push_back(std::move(frame));
  if (queued_bytes_ > options_.send_queue_max_bytes) {
    // A reader this slow would hold memory without bound; drop what it has not been sent.
    while (queue_.size() > (writing_ ? 1U : 0U)) {
      queued_bytes_ -= queue_.back()->size();
      queue_.pop_back();
    }
    return start_close(kOverCapacity, "Over capacity: the client reads too slowly");
  }
  if (!writing_) write_next();
}

void WsSession::write_next() {
  if (queue_.empty()) {
    if (pending_close_) {
      auto [code, reason] = *std::exchange(pending_close_, std::nullopt);
      start_close(code, std::move(reason));
    }
    return;
  }
  writing_ = true;
  ws_.text(true);
  // The buffer is the engine's shared frame: no copy per recipient; the queue keeps it alive.
  ws_.async_write(asio::buffer(*queue_.front()), [self = shared_from_this()](beast::error_code ec, std::size_t) {
    self->writing_ = false;
    self->queued_bytes_ -= self->queue_.front()->size();
    self->queue_.pop_front();
    if (ec) return self->ended();
    self->write_next();
  });
}

void WsSession::close(int code, std::string reason) {
  asio::post(ws_.get_executor(), [self = shared_from_this(), code, reason = std::move(reason)]() mutable {
    if (self->closing_ || self->ended_ || self->pending_close_) return;
    self->pending_close_ = std::make_pair(code, std::move(reason));
    if (!self->writing_) self->write_next();
  });
}

void WsSession::start_close(int code, std::string reason) {
  if (closing_ || ended_) return;
  if (writing_) {
    pending_close_ = std::make_pair(code, std::move(reason));
    return;
  }
  closing_ = true;
  websocket::close_reason close;
  close.code = static_cast<std::uint16_t>(code);
  close.reason = reason.substr(0, 120);  // a close frame's payload is at most 125 bytes
  // The read loop ends when the client answers (or the handshake timeout passes).
  ws_.async_close(close, [self = shared_from_this()](beast::error_code ec) {
    if (ec) self->ended();
  });
}

}  // namespace pushsim::detail
