#include "load/detail/fanout_peer.hpp"

#include <boost/beast/core/buffers_to_string.hpp>
#include <boost/beast/websocket/error.hpp>

#include "protocol/frame.hpp"
#include "protocol/json.hpp"

namespace pushsim::load::detail {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace websocket = beast::websocket;

namespace {

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

}  // namespace

FanoutPeer::FanoutPeer(asio::io_context& context, FanoutTally& tally, FanoutPeerSetup setup)
    : ws_(context), tally_(tally), setup_(std::move(setup)) {}

void FanoutPeer::start(ReadyHandler on_ready) {
  on_ready_ = std::move(on_ready);
  auto& tcp = beast::get_lowest_layer(ws_);
  tcp.expires_after(setup_.handshake_timeout);
  tcp.async_connect(setup_.endpoint, [self = shared_from_this()](beast::error_code ec) {
    if (ec) return self->fail("connect: " + ec.message());
    self->on_connected();
  });
}

void FanoutPeer::on_connected() {
  beast::get_lowest_layer(ws_).expires_never();  // the WebSocket's own timeouts take over
  beast::get_lowest_layer(ws_).socket().set_option(asio::ip::tcp::no_delay(true));
  // No idle timeout: during a long run a subscriber of a quiet channel hears only pings.
  ws_.set_option(websocket::stream_base::timeout{setup_.handshake_timeout, websocket::stream_base::none(), false});
  ws_.read_message_max(1024 * 1024);
  ws_.async_handshake(setup_.host_header, setup_.target, [self = shared_from_this()](beast::error_code ec) {
    if (ec) return self->fail("WebSocket upgrade: " + ec.message());
    self->on_handshake();
  });
}

void FanoutPeer::on_handshake() { read(); }

void FanoutPeer::read() {
  ws_.async_read(buffer_, [self = shared_from_this()](beast::error_code ec, std::size_t) {
    if (ec) {
      if (self->closing_ || ec == websocket::error::closed) return self->end();
      return self->fail("read: " + ec.message());
    }
    self->on_message();
    self->buffer_.consume(self->buffer_.size());
    self->read();
  });
}

void FanoutPeer::on_message() {
  const auto data = buffer_.cdata();
  const std::string_view text(static_cast<const char*>(data.data()), data.size());
  if (ready_) {
    // The hot path: a stamped event, counted without parsing the frame.
    if (auto stamp = find_fanout_stamp(text)) return tally_.delivery(*stamp, steady_ns());
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
  if (event == events::kPing) return write(R"({"event":"pusher:pong","data":{}})");
  if (event == events::kError || event == events::kSubscriptionError) {
    std::string what = "server said " + shortened(text);
    if (!ready_) return fail(what);
    tally_.error(std::move(what));
  }
  // Anything else (pongs, subscription_count, ...) is not the benchmark's business.
}

void FanoutPeer::subscribe(const std::string& socket_id) {
  Json data = {{"channel", setup_.channel}};
  const bool signed_channel = setup_.channel.starts_with("private-") || setup_.channel.starts_with("presence-");
  if (signed_channel) data["auth"] = sign_channel(setup_.app, socket_id, setup_.channel);
  write(Json{{"event", events::kSubscribe}, {"data", data}}.dump());
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
  write(std::move(frame));
}

void FanoutPeer::write(std::string text) {
  if (closing_ || ended_) return;
  writes_.push_back(std::move(text));
  if (!writing_) write_next();
}

void FanoutPeer::write_next() {
  if (writes_.empty() || closing_ || ended_) return;
  writing_ = true;
  ws_.text(true);
  ws_.async_write(asio::buffer(writes_.front()), [self = shared_from_this()](beast::error_code ec, std::size_t) {
    self->writing_ = false;
    self->writes_.pop_front();
    if (ec) return self->fail("write: " + ec.message());
    self->write_next();
  });
}

void FanoutPeer::close() {
  if (closing_ || ended_) return;
  closing_ = true;
  if (!ws_.is_open()) return end();
  ws_.async_close(websocket::close_code::normal, [self = shared_from_this()](beast::error_code ec) {
    if (ec) self->end();  // else the read loop ends when the server's close arrives
  });
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
  beast::error_code ignored;
  beast::get_lowest_layer(ws_).socket().close(ignored);
}

void FanoutPeer::report_ready(std::optional<std::string> error) {
  if (!on_ready_) return;
  ready_ = !error.has_value();
  auto handler = std::exchange(on_ready_, nullptr);
  handler(std::move(error));
}

}  // namespace pushsim::load::detail
