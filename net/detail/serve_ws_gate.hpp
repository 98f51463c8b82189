#pragma once
// The layer under a `pushsim serve` WebSocket stream that makes one writer per connection.
// The session writes its text frames itself (a hand-built header and the shared payload,
// several frames per writev) straight to the socket; Beast still writes the handshake answer,
// pongs and close frames through this layer's async_write_some. The two must never mix bytes
// on the wire: while the session has raw bytes in flight (a frame half written, waiting for the
// socket to drain) a Beast write waits at a gate, and while Beast writes, the session does not.
// The session sets raw_busy(), opens the gate when it stops at a frame boundary, and hears
// through on_beast_idle when a Beast write is over. Everything runs on the session's strand.
#include <chrono>
#include <cstddef>
#include <functional>
#include <memory>
#include <utility>

#include <boost/asio/async_result.hpp>
#include <boost/asio/buffer.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/beast/core/role.hpp>
#include <boost/beast/core/tcp_stream.hpp>
#include <boost/beast/websocket/teardown.hpp>

namespace pushsim::detail {

class WsWriteGate {
 public:
  using next_layer_type = boost::beast::tcp_stream;
  using executor_type = next_layer_type::executor_type;

  explicit WsWriteGate(next_layer_type&& stream) : next_(std::move(stream)), gate_(next_.get_executor()) {}

  executor_type get_executor() noexcept { return next_.get_executor(); }
  next_layer_type& next_layer() noexcept { return next_; }
  const next_layer_type& next_layer() const noexcept { return next_; }

  // Keeps the owner alive while a Beast write it started is in flight; called on its end when
  // no other Beast write follows, so the owner may resume its raw frames.
  void set_owner(std::weak_ptr<void> owner, std::function<void()> on_beast_idle) {
    owner_ = std::move(owner);
    on_beast_idle_ = std::move(on_beast_idle);
  }
  // The broken variant kNoWebSocketPong: Beast's automatic pongs are swallowed here (reported
  // written, never sent), the one place a pong can be stopped, since Beast always answers.
  void set_swallow_pongs(bool on) { swallow_pongs_ = on; }
  // False while Beast writes: the owner must not write then.
  bool raw_may_write() const { return beast_writes_ == 0; }
  // A Beast write waits for the owner to stop at a frame boundary (set_raw_busy(false)).
  bool beast_waiting() const { return beast_waiting_; }
  // While set, Beast writes wait; clearing it lets a waiting one go.
  void set_raw_busy(bool busy) {
    raw_busy_ = busy;
    if (!busy && beast_waiting_) gate_.cancel();
  }

  template <class MutableBufferSequence, class ReadHandler>
  auto async_read_some(const MutableBufferSequence& buffers, ReadHandler&& handler) {
    return next_.async_read_some(buffers, std::forward<ReadHandler>(handler));
  }

  template <class ConstBufferSequence, class WriteHandler>
  auto async_write_some(const ConstBufferSequence& buffers, WriteHandler&& handler) {
    return boost::asio::async_initiate<WriteHandler, void(boost::beast::error_code, std::size_t)>(
        [this](auto&& completion, const ConstBufferSequence& to_write) {
          this->start_beast_write(to_write, std::forward<decltype(completion)>(completion));
        },
        handler, buffers);
  }

 private:
  // A whole pong frame from the server: FIN + opcode 0xA, unmasked, as Beast writes it in one go.
  template <class ConstBufferSequence>
  static bool is_pong_frame(const ConstBufferSequence& buffers) {
    for (auto it = boost::asio::buffer_sequence_begin(buffers); it != boost::asio::buffer_sequence_end(buffers); ++it) {
      const boost::asio::const_buffer piece = *it;
      if (piece.size() == 0) continue;
      return *static_cast<const unsigned char*>(piece.data()) == 0x8A;
    }
    return false;
  }

  template <class ConstBufferSequence, class Handler>
  void start_beast_write(const ConstBufferSequence& buffers, Handler&& handler) {
    if (swallow_pongs_ && is_pong_frame(buffers)) {
      const std::size_t size = boost::asio::buffer_size(buffers);
      boost::asio::post(next_.get_executor(), [handler = std::forward<Handler>(handler), size]() mutable {
        std::move(handler)(boost::beast::error_code{}, size);
      });
      return;
    }
    if (raw_busy_) {
      beast_waiting_ = true;
      gate_.expires_at(std::chrono::steady_clock::time_point::max());
      gate_.async_wait([this, buffers, handler = std::forward<Handler>(handler)](boost::beast::error_code) mutable {
        beast_waiting_ = false;
        start_beast_write(buffers, std::move(handler));
      });
      return;
    }
    ++beast_writes_;
    next_.async_write_some(buffers, [this, keep = owner_.lock(), handler = std::forward<Handler>(handler)](
                                        boost::beast::error_code ec, std::size_t written) mutable {
      --beast_writes_;
      std::move(handler)(ec, written);
      // A Beast write of several pieces starts the next one inside its handler.
      if (beast_writes_ == 0 && !beast_waiting_ && on_beast_idle_) on_beast_idle_();
    });
  }

  next_layer_type next_;
  boost::asio::steady_timer gate_;
  std::weak_ptr<void> owner_;
  std::function<void()> on_beast_idle_;
  int beast_writes_ = 0;
  bool beast_waiting_ = false;
  bool raw_busy_ = false;
  bool swallow_pongs_ = false;
};

// Beast's websocket close ends the TCP connection through these (found by argument lookup).
inline void teardown(boost::beast::role_type role, WsWriteGate& stream, boost::beast::error_code& ec) {
  using boost::beast::websocket::teardown;
  teardown(role, stream.next_layer().socket(), ec);
}

template <class TeardownHandler>
void async_teardown(boost::beast::role_type role, WsWriteGate& stream, TeardownHandler&& handler) {
  using boost::beast::websocket::async_teardown;
  async_teardown(role, stream.next_layer().socket(), std::forward<TeardownHandler>(handler));
}

}  // namespace pushsim::detail
