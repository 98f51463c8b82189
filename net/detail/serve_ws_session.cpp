#include "net/detail/serve_ws_session.hpp"

#include <algorithm>
#include <span>

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

std::size_t ws_text_frame_header(std::size_t payload_size, std::array<unsigned char, 10>& header) {
  header[0] = 0x81;  // FIN, text
  if (payload_size < 126) {
    header[1] = static_cast<unsigned char>(payload_size);
    return 2;
  }
  if (payload_size <= 0xFFFF) {
    header[1] = 126;
    header[2] = static_cast<unsigned char>(payload_size >> 8);
    header[3] = static_cast<unsigned char>(payload_size);
    return 4;
  }
  header[1] = 127;
  const auto size = static_cast<std::uint64_t>(payload_size);
  for (int i = 0; i < 8; ++i) header[2 + i] = static_cast<unsigned char>(size >> (56 - 8 * i));
  return 10;
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
  // No permessage-deflate (Beast's default): the frames written here are never compressed.
  ws_.read_message_max(options_.websocket_message_max_bytes);
  // Beast answers pings with pongs by itself (RFC 6455 §5.5.2), except in this broken variant.
  ws_.next_layer().set_swallow_pongs(options_.engine.defects.has(Defect::kNoWebSocketPong));
  ws_.async_accept(request, [self = shared_from_this()](beast::error_code ec) { self->on_accept(ec); });
}

void WsSession::on_accept(beast::error_code ec) {
  if (ec) return;  // the upgrade failed: the engine never heard of this connection
  accepted_ = true;
  beast::error_code ignored;
  // Raw writes take what the socket takes now and never block the strand.
  beast::get_lowest_layer(ws_).socket().non_blocking(true, ignored);
  ws_.next_layer().set_owner(weak_from_this(), [this] {
    if (!writing_) write_frames();
  });
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
  ws_.next_layer().set_raw_busy(false);  // a Beast write waiting at the gate fails on the closed socket
  driver_.closed(id_);
}

void WsSession::send(std::shared_ptr<const std::string> frame) {
  asio::post(ws_.get_executor(),
             [self = shared_from_this(), frame = std::move(frame)]() mutable { self->enqueue(std::move(frame)); });
}

void WsSession::enqueue(std::shared_ptr<const std::string> frame) {
  if (push(std::move(frame))) flush();
}

bool WsSession::push(std::shared_ptr<const std::string> frame) {
  if (closing_ || ended_ || pending_close_) return false;
  if (count_ == ring_.size()) {
    std::vector<OutFrame> grown(std::max<std::size_t>(16, 2 * ring_.size()));
    for (std::size_t i = 0; i < count_; ++i) grown[i] = std::move(ring_[(head_ + i) % ring_.size()]);
    ring_ = std::move(grown);
    head_ = 0;
  }
  OutFrame& slot = ring_[(head_ + count_) % ring_.size()];
  slot.header_size = ws_text_frame_header(frame->size(), slot.header);
  queued_bytes_ += frame->size();
  slot.payload = std::move(frame);
  ++count_;
  if (queued_bytes_ > options_.send_queue_max_bytes) {
    // A reader this slow would hold memory without bound; drop what it has not been sent.
    const std::size_t keep = front_written_ > 0 ? 1 : 0;
    while (count_ > keep) {
      OutFrame& last = ring_[(head_ + count_ - 1) % ring_.size()];
      queued_bytes_ -= last.payload->size();
      last.payload.reset();
      --count_;
    }
    start_close(kOverCapacity, "Over capacity: the client reads too slowly");
    return false;
  }
  if (writing_ || dirty_) return false;  // a write in progress, or a flush promised, takes it
  dirty_ = true;
  return true;
}

void WsSession::flush() {
  dirty_ = false;
  if (!writing_) write_frames();
}

void WsSession::pop_front() {
  OutFrame& front = ring_[head_];
  queued_bytes_ -= front.payload->size();
  front.payload.reset();
  head_ = (head_ + 1) % ring_.size();
  --count_;
  front_written_ = 0;
}

void WsSession::write_frames() {
  WsWriteGate& gate = ws_.next_layer();
  auto& socket = beast::get_lowest_layer(ws_).socket();
  while (count_ > 0 && accepted_ && !ended_) {
    // Beast read the client's close and answers it: only the rest of a frame begun may go first.
    const bool beast_closing = !ws_.is_open();
    // Beast writes (a pong, a close) go between whole frames, never inside one; and while Beast
    // writes, nothing else does (it only started at a frame boundary).
    if ((front_written_ == 0 && (beast_closing || gate.beast_waiting())) || !gate.raw_may_write()) {
      gate.set_raw_busy(false);
      return;  // on_beast_idle calls again
    }
    std::size_t pieces = 0;
    std::size_t wanted = 0;
    const std::size_t frames = beast_closing ? 1 : count_;
    for (std::size_t i = 0; i < frames && pieces + 2 <= gather_.size(); ++i) {
      const OutFrame& frame = ring_[(head_ + i) % ring_.size()];
      std::size_t skip = i == 0 ? front_written_ : 0;
      if (skip < frame.header_size) {
        gather_[pieces++] = asio::buffer(frame.header.data() + skip, frame.header_size - skip);
        wanted += frame.header_size - skip;
        skip = 0;
      } else {
        skip -= frame.header_size;
      }
      gather_[pieces++] = asio::buffer(frame.payload->data() + skip, frame.payload->size() - skip);
      wanted += frame.payload->size() - skip;
    }
    beast::error_code ec;
    std::size_t written = socket.write_some(std::span<const asio::const_buffer>(gather_.data(), pieces), ec);
    if (ec == asio::error::would_block || ec == asio::error::try_again) {
      written = 0;
    } else if (ec) {
      return ended();
    }
    for (std::size_t left = written; left > 0;) {
      const OutFrame& front = ring_[head_];
      const std::size_t rest = front.header_size + front.payload->size() - front_written_;
      if (left < rest) {
        front_written_ += left;
        break;
      }
      left -= rest;
      pop_front();
    }
    if (written < wanted) return wait_writable();
  }
  gate.set_raw_busy(false);
  if (count_ == 0 && pending_close_ && !ended_) {
    auto [code, reason] = *std::exchange(pending_close_, std::nullopt);
    start_close(code, std::move(reason));
  }
}

void WsSession::wait_writable() {
  writing_ = true;
  // Half a frame on the wire: Beast must not write until the rest is.
  ws_.next_layer().set_raw_busy(front_written_ > 0);
  beast::get_lowest_layer(ws_).socket().async_wait(asio::socket_base::wait_write,
                                                   [self = shared_from_this()](beast::error_code ec) {
                                                     self->writing_ = false;
                                                     if (ec) return self->ended();
                                                     self->write_frames();
                                                   });
}

void WsSession::close(int code, std::string reason) {
  asio::post(ws_.get_executor(), [self = shared_from_this(), code, reason = std::move(reason)]() mutable {
    if (self->closing_ || self->ended_ || self->pending_close_) return;
    self->pending_close_ = std::make_pair(code, std::move(reason));
    if (!self->writing_ && !self->dirty_) self->write_frames();
  });
}

void WsSession::drop() {
  asio::post(ws_.get_executor(), [self = shared_from_this()] { self->ended(); });
}

void WsSession::start_close(int code, std::string reason) {
  if (closing_ || ended_) return;
  if (writing_ || count_ > 0) {
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
