#include "load/detail/fanout_peer.hpp"

#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>

#include <boost/asio/read_until.hpp>
#include <boost/asio/write.hpp>

#include "load/detail/tcp_acks.hpp"
#include "load/detail/ws_client_wire.hpp"
#include "protocol/frame.hpp"
#include "protocol/json.hpp"

namespace pushsim::load::detail {

namespace asio = boost::asio;
using boost::system::error_code;

namespace {

constexpr std::size_t kUpgradeAnswerMaxBytes = 16 * 1024;

// connection_established carries its data as a JSON string holding an object.
std::optional<std::string> socket_id_of(const Frame& frame) {
  if (!frame.data) return std::nullopt;
  Json data = *frame.data;
  if (data.is_string()) data = Json::parse(data.get<std::string>(), nullptr, false);
  if (!data.is_object() || !data.contains("socket_id") || !data["socket_id"].is_string()) return std::nullopt;
  return data["socket_id"].get<std::string>();
}

std::string shortened(std::string_view text) {
  constexpr std::size_t kShown = 200;
  return text.size() <= kShown ? std::string(text) : std::string(text.substr(0, kShown)) + "...";
}

// "code 4100 (Over capacity)" from a close frame's payload.
std::string close_description(std::string_view payload) {
  if (payload.size() < 2) return "no code";
  const int code = (static_cast<std::uint8_t>(payload[0]) << 8) | static_cast<std::uint8_t>(payload[1]);
  std::string text = "code " + std::to_string(code);
  if (payload.size() > 2) text += " (" + shortened(payload.substr(2)) + ")";
  return text;
}

}  // namespace

FanoutPeer::FanoutPeer(asio::io_context& context, FanoutTally& tally, FanoutPeerSetup setup)
    : socket_(context),
      handshake_timer_(context),
      tally_(tally),
      setup_(std::move(setup)),
      mask_state_(setup_.seed),
      key_(ws_key_of(splitmix64(mask_state_))) {}

void FanoutPeer::start(ReadyHandler on_ready) {
  on_ready_ = std::move(on_ready);
  handshake_timer_.expires_after(setup_.handshake_timeout);
  handshake_timer_.async_wait([self = shared_from_this()](error_code ec) {
    if (ec || self->upgraded_) return;
    self->fail("WebSocket upgrade: no answer within " + std::to_string(self->setup_.handshake_timeout.count()) + " ms");
  });
  socket_.async_connect(setup_.endpoint, [self = shared_from_this()](error_code ec) {
    if (self->ended_) return;
    if (ec) return self->fail("connect: " + ec.message());
    self->on_connected();
  });
}

void FanoutPeer::on_connected() {
  error_code ignored;
  socket_.set_option(asio::ip::tcp::no_delay(true), ignored);
  handshake_ = ws_upgrade_request(setup_.host_header, setup_.target, key_);
  asio::async_write(socket_, asio::buffer(handshake_), [self = shared_from_this()](error_code ec, std::size_t) {
    if (self->ended_) return;
    if (ec) return self->fail("WebSocket upgrade: write: " + ec.message());
    self->handshake_.clear();
    asio::async_read_until(self->socket_, asio::dynamic_buffer(self->handshake_, kUpgradeAnswerMaxBytes), "\r\n\r\n",
                           [self](error_code read_ec, std::size_t head_bytes) {
                             if (self->ended_) return;
                             if (read_ec) return self->fail("WebSocket upgrade: read: " + read_ec.message());
                             self->on_upgrade_answered(head_bytes);
                           });
  });
}

void FanoutPeer::on_upgrade_answered(std::size_t head_bytes) {
  if (auto error = check_ws_upgrade_response(std::string_view(handshake_).substr(0, head_bytes), key_)) {
    return fail("WebSocket upgrade: " + *error);
  }
  handshake_timer_.cancel();
  error_code ec;
  socket_.non_blocking(true, ec);  // the descriptor stays non-blocking once released
  if (!ec) fd_ = socket_.release(ec);
  if (ec) return fail("leaving Asio: " + ec.message());
  if (setup_.delayed_acks && !delay_acks(fd_))
    return fail("TCP_QUICKACK: " + error_code(errno, boost::system::system_category()).message());
  if (!setup_.poller->add(fd_, this))
    return fail("epoll: " + error_code(errno, boost::system::system_category()).message());
  upgraded_ = true;
  // What came with the answer (connection_established, often) is the first thing read.
  const std::string rest = handshake_.substr(head_bytes);
  handshake_ = {};
  receive(rest);
}

void FanoutPeer::on_poll(std::uint32_t events) {
  if (ended_) return;
  if ((events & (EPOLLIN | EPOLLERR | EPOLLHUP)) != 0) read_once();
  if (!ended_ && (events & EPOLLOUT) != 0) flush();
}

// One read: level-triggered polling lists the socket again if it holds more.
void FanoutPeer::read_once() {
  const std::span<char> buffer = setup_.read_buffer;
  const ssize_t size = ::recv(fd_, buffer.data(), buffer.size(), 0);
  if (size > 0) {
    if (setup_.delayed_acks) delay_acks(fd_);  // the timer may have put it back to quick ACKs
    receive(std::string_view(buffer.data(), static_cast<std::size_t>(size)));
  } else if (size == 0) {
    on_read_error(asio::error::eof);
  } else if (errno != EAGAIN && errno != EWOULDBLOCK && errno != EINTR) {
    on_read_error(error_code(errno, boost::system::system_category()));
  }
}

void FanoutPeer::on_read_error(const error_code& ec) {
  if (closing_) return end();
  fail(ec == asio::error::eof ? std::string("the server closed the connection without a WebSocket close")
                              : "read: " + ec.message());
}

bool FanoutPeer::receive(std::string_view bytes) {
  const std::int64_t received_ns = steady_ns();  // one clock read per read, not per frame
  auto error = reader_.feed(bytes, [&](const WsMessage& message) {
    if (!ended_) on_message(message, received_ns);
  });
  if (error && !ended_) fail(*error);
  return !ended_;
}

void FanoutPeer::on_message(const WsMessage& message, std::int64_t received_ns) {
  switch (message.opcode) {
    case WsOpcode::kText: return on_text(message.payload, received_ns);
    case WsOpcode::kPing: return send_frame(WsOpcode::kPong, message.payload);
    case WsOpcode::kClose: return on_close_frame(message.payload);
    default: return;  // pongs and binary messages are not the benchmark's business
  }
}

void FanoutPeer::on_text(std::string_view text, std::int64_t received_ns) {
  if (ready_) {
    // The hot path: a stamped event, counted without parsing the frame.
    if (auto stamp = find_fanout_stamp(text)) return tally_.delivery(*stamp, received_ns, setup_.node);
  }
  on_control_frame(text);
}

void FanoutPeer::on_control_frame(std::string_view text) {
  auto frame = decode_frame(text);
  if (!frame) return tally_.error("undecodable frame from the server: " + shortened(text));
  const std::string& event = frame->event;
  if (event == events::kConnectionEstablished) {
    auto socket_id = socket_id_of(*frame);
    if (!socket_id) return fail("connection_established without a socket_id: " + shortened(text));
    return subscribe(*socket_id);
  }
  if (event == events::kSubscriptionSucceeded) return report_ready(std::nullopt);
  if (event == events::kPing) return send_frame(WsOpcode::kText, R"({"event":"pusher:pong","data":{}})");
  if (event == events::kError || event == events::kSubscriptionError) {
    std::string what = "server said " + shortened(text);
    if (!ready_) return fail(what);
    tally_.error(std::move(what));
  }
  // Anything else (pongs, subscription_count, ...) is not the benchmark's business.
}

void FanoutPeer::on_close_frame(std::string_view payload) {
  if (closing_) return end();  // the answer to our close
  // The server closed first: answer (best effort; the socket closes right after) and say so.
  std::string reply;
  append_ws_client_frame(reply, WsOpcode::kClose, payload.substr(0, std::min<std::size_t>(2, payload.size())),
                         static_cast<std::uint32_t>(splitmix64(mask_state_)));
  [[maybe_unused]] const ssize_t sent = ::send(fd_, reply.data(), reply.size(), MSG_NOSIGNAL);
  fail("the server closed the connection: " + close_description(payload));
}

void FanoutPeer::subscribe(const std::string& socket_id) {
  Json data = {{"channel", setup_.channel}};
  const bool signed_channel = setup_.channel.starts_with("private-") || setup_.channel.starts_with("presence-");
  if (signed_channel) data["auth"] = sign_channel(setup_.app, socket_id, setup_.channel);
  send_frame(WsOpcode::kText, Json{{"event", events::kSubscribe}, {"data", data}}.dump());
}

void FanoutPeer::send_client_event(std::string_view event, const std::string& data) {
  // Built by hand: the data is a plain string, and Json's dump would cost more than the rest.
  std::string frame = R"({"event":")";
  frame += event;
  frame += R"(","channel":")";
  frame += setup_.channel;
  frame += R"(","data":")";
  frame += data;  // fanout_payload() holds no character that JSON would escape
  frame += "\"}";
  send_frame(WsOpcode::kText, frame);
}

void FanoutPeer::send_frame(WsOpcode opcode, std::string_view payload) {
  if (ended_ || close_sent_ || !upgraded_) return;
  append_ws_client_frame(queued_, opcode, payload, static_cast<std::uint32_t>(splitmix64(mask_state_)));
  if (opcode == WsOpcode::kClose) close_sent_ = true;
  if (!watching_writable_) flush();
}

// Everything queued goes in one send; what the socket does not take waits until it is writable.
void FanoutPeer::flush() {
  std::size_t sent = 0;
  while (sent < queued_.size()) {
    const ssize_t size = ::send(fd_, queued_.data() + sent, queued_.size() - sent, MSG_NOSIGNAL);
    if (size >= 0) {
      sent += static_cast<std::size_t>(size);
      continue;
    }
    if (errno == EINTR) continue;
    if (errno == EAGAIN || errno == EWOULDBLOCK) break;
    const error_code ec(errno, boost::system::system_category());
    if (closing_) return end();
    return fail("write: " + ec.message());
  }
  queued_.erase(0, sent);
  const bool pending = !queued_.empty();
  if (pending != watching_writable_) {
    watching_writable_ = pending;
    setup_.poller->watch_writable(fd_, this, pending);
  }
}

void FanoutPeer::close() {
  if (closing_ || ended_) return;
  closing_ = true;
  if (!upgraded_) return end();
  constexpr char kNormalClosure[] = {0x03, static_cast<char>(0xe8)};  // 1000
  send_frame(WsOpcode::kClose, std::string_view(kNormalClosure, sizeof kNormalClosure));
  // The read loop ends when the server's close (or the end of the stream) arrives.
}

void FanoutPeer::drop() {
  on_ready_ = nullptr;  // whoever waited for readiness has stopped waiting
  end();
}

void FanoutPeer::fail(std::string what) {
  if (ended_) return;
  if (!ready_) {
    report_ready(what);
  } else {
    tally_.error(std::move(what));
  }
  end();
}

void FanoutPeer::end() {
  if (ended_) return;
  ended_ = true;
  handshake_timer_.cancel();
  if (fd_ >= 0) {
    setup_.poller->remove(fd_);
    ::close(fd_);
    fd_ = -1;
  } else {
    error_code ignored;
    socket_.close(ignored);
  }
}

void FanoutPeer::report_ready(std::optional<std::string> error) {
  if (!on_ready_) return;
  ready_ = !error.has_value();
  auto handler = std::exchange(on_ready_, nullptr);
  handler(std::move(error));
}

}  // namespace pushsim::load::detail
