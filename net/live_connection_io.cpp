// LiveConnection's socket plumbing: resolve, connect, TLS, WebSocket upgrade, the read loop,
// the write queue (one write in flight), the close handshake and the client's timer.
#include <boost/asio/ssl/host_name_verification.hpp>
#include <boost/beast/core/buffers_to_string.hpp>
#include <boost/beast/version.hpp>
#include <boost/beast/websocket/error.hpp>
#include <boost/beast/websocket/ssl.hpp>

#include "net/detail/live_connection_impl.hpp"
#include "net/detail/tls_context.hpp"

namespace pushsim {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace websocket = beast::websocket;
using tcp = asio::ip::tcp;

namespace {

// Calls f with whichever WebSocket stream is in use; there is one whenever stage is past idle.
template <class Variant, class F>
void with_ws(Variant& ws, F&& f) {
  std::visit(
      [&](auto& stream) {
        if constexpr (!std::is_same_v<std::decay_t<decltype(stream)>, std::monostate>) f(*stream);
      },
      ws);
}

}  // namespace

beast::tcp_stream& LiveConnection::Impl::tcp() {
  beast::tcp_stream* out = nullptr;
  with_ws(ws, [&](auto& stream) { out = &beast::get_lowest_layer(stream); });
  return *out;
}

std::string LiveConnection::Impl::peer() const { return url.host_header(); }

std::optional<Error> LiveConnection::Impl::start_transport() {
  auto parsed = parse_url(options.url);
  if (!parsed) return parsed.error();
  if (parsed->scheme != "ws" && parsed->scheme != "wss") return make_error("WebSocket URL must be ws:// or wss://");
  url = std::move(*parsed);
  ++generation;
  read_buffer.clear();
  write_queue.clear();
  writing = false;
  ping_queue.clear();
  pinging = false;
  pong_callback = false;
  pending_close.reset();
  end_reason.reset();
  our_close_reason.reset();
  close_code.reset();
  close_reason.clear();
  if (url.tls()) {
    ws = std::make_unique<TlsWs>(loop.context(), detail::tls_client_context(options.tls_verify));
  } else {
    ws = std::make_unique<PlainWs>(loop.context());
  }
  stage = LiveStage::kResolving;
  resolver.async_resolve(
      url.host, url.port,
      [self = shared_from_this(), gen = generation](beast::error_code ec, tcp::resolver::results_type results) {
        if (gen != self->generation) return;
        if (ec) return self->abort("cannot resolve " + self->url.host + ": " + ec.message());
        self->on_resolved(gen, std::move(results));
      });
  return std::nullopt;
}

void LiveConnection::Impl::on_resolved(std::uint64_t gen, tcp::resolver::results_type results) {
  stage = LiveStage::kConnecting;
  tcp().async_connect(results, [self = shared_from_this(), gen](beast::error_code ec, const tcp::endpoint&) {
    if (gen != self->generation) return;
    if (ec) return self->abort("cannot connect to " + self->peer() + ": " + ec.message());
    self->on_connected(gen);
  });
}

void LiveConnection::Impl::on_connected(std::uint64_t gen) {
  auto* tls = std::get_if<std::unique_ptr<TlsWs>>(&ws);
  if (tls == nullptr) return upgrade(gen);
  auto& ssl = (*tls)->next_layer();
  if (!SSL_set_tlsext_host_name(ssl.native_handle(), url.host.c_str())) return abort("TLS: cannot set the server name");
  if (options.tls_verify) ssl.set_verify_callback(asio::ssl::host_name_verification(url.host));
  stage = LiveStage::kTlsHandshake;
  ssl.async_handshake(asio::ssl::stream_base::client, [self = shared_from_this(), gen](beast::error_code ec) {
    if (gen != self->generation) return;
    if (ec) return self->abort("TLS handshake with " + self->peer() + " failed: " + ec.message());
    self->upgrade(gen);
  });
}

void LiveConnection::Impl::upgrade(std::uint64_t gen) {
  stage = LiveStage::kUpgrading;
  std::string prefix = url.target.substr(0, url.target.find('?'));
  while (!prefix.empty() && prefix.back() == '/') prefix.pop_back();
  std::string target = prefix + "/app/" + options.app_key + "?protocol=" + std::to_string(options.protocol) +
                       "&client=" + options.client_name + "&version=" + options.client_version;
  if (options.target_override) target = *options.target_override;
  with_ws(ws, [&](auto& stream) {
    // The upgrade is bounded by the caller's deadline; the close handshake by this timeout.
    websocket::stream_base::timeout timeouts{std::chrono::seconds(5), websocket::stream_base::none(), false};
    stream.set_option(timeouts);
    stream.read_message_max(options.frame_max_bytes);
    stream.set_option(websocket::stream_base::decorator([this](websocket::request_type& request) {
      request.set(beast::http::field::user_agent, options.client_name + "/" + options.client_version);
    }));
    stream.async_handshake(
        upgrade_response, url.host_header(), target, [self = shared_from_this(), gen](beast::error_code ec) {
          if (gen != self->generation) return;
          if (ec == websocket::error::upgrade_declined) {
            return self->abort("WebSocket upgrade refused by " + self->peer() + ": HTTP " +
                               std::to_string(self->upgrade_response.result_int()) + " " +
                               std::string(self->upgrade_response.reason()));
          }
          if (ec) return self->abort("WebSocket upgrade with " + self->peer() + " failed: " + ec.message());
          self->on_upgraded(gen);
        });
  });
}

void LiveConnection::Impl::on_upgraded(std::uint64_t /*gen*/) {
  stage = LiveStage::kOpen;
  client.on_open(real_now());
  read();
  flush_writes();
  pump();
}

void LiveConnection::Impl::read() {
  with_ws(ws, [&](auto& stream) {
    stream.async_read(read_buffer, [self = shared_from_this(), gen = generation](beast::error_code ec, std::size_t) {
      if (gen != self->generation) return;
      self->on_read(gen, ec);
    });
  });
}

void LiveConnection::Impl::on_read(std::uint64_t /*gen*/, beast::error_code ec) {
  if (ec) return on_read_failed(ec);
  TimeNs now = real_now();
  bool text = true;
  with_ws(ws, [&](auto& stream) { text = stream.got_text(); });
  std::string payload = beast::buffers_to_string(read_buffer.data());
  read_buffer.consume(read_buffer.size());
  if (options.frames_max != 0 && frames.size() >= options.frames_max) {
    return abort("server flooded the connection: more than " + std::to_string(options.frames_max) +
                 " frames received; dropped it");
  }
  if (text) {
    frames.push_back({now, payload});
    client.on_text(now, payload);
  } else {
    record_error("binary frame of " + std::to_string(payload.size()) +
                 " bytes received: the protocol uses text frames only");
  }
  pump();
  if (stage == LiveStage::kOpen || stage == LiveStage::kClosing) read();
}

void LiveConnection::Impl::on_read_failed(beast::error_code ec) {
  if (stage == LiveStage::kClosed) return;  // our own abort cancelled the read
  // Beast's close operation reads the server's reply itself and cancels our read; the close
  // handler finishes the transport.
  if (stage == LiveStage::kClosing && ec == asio::error::operation_aborted) return;
  if (ec == websocket::error::closed) return closed_by_frame();
  // The server sent its close frame, then ended TCP before our reply could complete the
  // handshake (a server exiting): closed with its code all the same.
  bool close_frame_seen = false;
  with_ws(ws, [&](auto& stream) { close_frame_seen = stream.reason().code != websocket::close_code::none; });
  if (close_frame_seen && ec != asio::error::operation_aborted) return closed_by_frame();
  if (ec == websocket::error::message_too_big || ec == websocket::error::buffer_overflow) {
    return abort("server sent a message larger than the " + std::to_string(options.frame_max_bytes) + "-byte limit");
  }
  if (ec == asio::error::eof || ec == asio::error::connection_reset || ec == beast::error::timeout ||
      ec == asio::ssl::error::stream_truncated) {
    std::string where = read_buffer.size() > 0 ? " in the middle of a message (" + std::to_string(read_buffer.size()) +
                                                     " payload bytes received)"
                                               : "";
    return abort("server closed the TCP connection without a WebSocket close frame" + where + " (" + ec.message() +
                 ")");
  }
  abort("reading from " + peer() + " failed: " + ec.message());
}

void LiveConnection::Impl::closed_by_frame() {
  with_ws(ws, [&](auto& stream) {
    close_code = static_cast<int>(stream.reason().code);
    close_reason = std::string(stream.reason().reason.c_str());
  });
  stage = LiveStage::kClosed;
  transport_ended(*close_code, close_reason);
}

void LiveConnection::Impl::ping_next() {
  if (pinging || ping_queue.empty() || stage != LiveStage::kOpen) return;
  pinging = true;
  if (!pong_callback) {
    // Installed with the first ping only: a control callback makes Beast take one more turn of
    // the loop per control frame, which a connection that never pings need not pay.
    pong_callback = true;
    with_ws(ws, [this](auto& stream) {
      // Called inside the read loop, which holds the Impl alive.
      stream.control_callback([this](websocket::frame_type kind, beast::string_view payload) {
        if (kind == websocket::frame_type::pong) pongs.push_back(ReceivedFrame{real_now(), std::string(payload)});
      });
    });
  }
  websocket::ping_data payload;
  // c_str(): a const char*, so that the (pointer, count) overload is the one chosen, not the
  // templated (string-like, position) one a char* would pick.
  const std::string& text = ping_queue.front();
  payload.assign(text.c_str(), text.size());
  ping_queue.pop_front();
  with_ws(ws, [&](auto& stream) {
    stream.async_ping(payload, [self = shared_from_this(), gen = generation](beast::error_code ec) {
      if (gen != self->generation) return;
      self->pinging = false;
      if (!ec) self->ping_next();
    });
  });
}

void LiveConnection::Impl::write(std::string text) {
  write_queue.push_back(std::move(text));
  flush_writes();
}

void LiveConnection::Impl::flush_writes() {
  if (writing || stage != LiveStage::kOpen) return;
  if (write_queue.empty()) {
    if (pending_close) send_close();
    return;
  }
  writing = true;
  ++writes_started;
  arm_write_stall_timer();
  with_ws(ws, [&](auto& stream) {
    stream.text(true);
    stream.async_write(asio::buffer(write_queue.front()),
                       [self = shared_from_this(), gen = generation](beast::error_code ec, std::size_t) {
                         if (gen != self->generation) return;
                         self->writing = false;
                         self->write_stall_timer.cancel();
                         if (ec) return self->abort("writing to " + self->peer() + " failed: " + ec.message());
                         self->write_queue.pop_front();
                         self->flush_writes();
                       });
  });
}

void LiveConnection::Impl::arm_write_stall_timer() {
  if (options.write_stall_max.count() <= 0) return;
  write_stall_timer.expires_after(options.write_stall_max);
  auto on_expiry = [self = shared_from_this(), gen = generation, write = writes_started](beast::error_code ec) {
    if (ec || gen != self->generation || !self->writing || write != self->writes_started) return;
    std::size_t queued = 0;
    for (const auto& text : self->write_queue) queued += text.size();
    self->abort("the server stopped reading: a write to " + self->peer() + " has not completed in " +
                std::to_string(self->options.write_stall_max.count()) + " ms (" + std::to_string(queued) +
                " bytes waiting to be sent)");
  };
  write_stall_timer.async_wait(std::move(on_expiry));
}

void LiveConnection::Impl::request_close(int code, std::string reason) {
  if (stage != LiveStage::kOpen) return;
  pending_close = std::make_pair(code, std::move(reason));
  flush_writes();
}

void LiveConnection::Impl::send_close() {
  auto [code, reason] = *std::exchange(pending_close, std::nullopt);
  stage = LiveStage::kClosing;
  our_close_reason = reason;
  websocket::close_reason close;
  close.code = static_cast<std::uint16_t>(code);
  close.reason = reason.substr(0, 120);  // a close frame's payload is at most 125 bytes
  with_ws(ws, [&](auto& stream) {
    // Completes when the server's close reply arrives (or the close handshake times out).
    stream.async_close(close, [self = shared_from_this(), gen = generation](beast::error_code ec) {
      if (gen != self->generation || self->stage == LiveStage::kClosed) return;
      if (ec) return self->abort(std::nullopt);
      self->closed_by_frame();
    });
  });
}

void LiveConnection::Impl::abort(std::optional<std::string> why) {
  if (stage == LiveStage::kIdle || stage == LiveStage::kClosed) return;
  bool was_closing = stage == LiveStage::kClosing;
  stage = LiveStage::kClosed;
  beast::error_code ignored;
  resolver.cancel();
  timer.cancel();
  with_ws(ws, [&](auto& stream) { beast::get_lowest_layer(stream).socket().close(ignored); });
  if (why) {
    record_error(*why);
    end_reason = *why;
  }
  // 1006: the WebSocket code for "closed without a close frame"; a close we started ends quietly.
  transport_ended(was_closing && !why ? 1000 : 1006, why.value_or("connection dropped"));
}

void LiveConnection::Impl::arm_timer() {
  auto deadline = client.next_deadline();
  timer.cancel();
  if (!deadline || stage != LiveStage::kOpen) return;
  timer.expires_after(std::chrono::nanoseconds(std::max<DurationNs>(0, *deadline - real_now())));
  timer.async_wait([self = shared_from_this(), gen = generation](beast::error_code ec) {
    if (ec || gen != self->generation || self->stage != LiveStage::kOpen) return;
    self->client.on_tick(real_now());
    self->pump();
  });
}

}  // namespace pushsim
