// LiveConnection's public calls, its waits, and the pump that carries out what the
// ProtocolClient asks for. Socket plumbing is in live_connection_io.cpp.
#include "net/live_connection.hpp"

#include <utility>

#include "net/detail/live_connection_impl.hpp"

namespace pushsim {

namespace {

constexpr std::size_t kQuotedFrameMax = 200;  // how much of a bad frame an error message quotes

std::string quote(std::string_view text) {
  if (text.size() <= kQuotedFrameMax) return std::string(text);
  return std::string(text.substr(0, kQuotedFrameMax)) + "... (" + std::to_string(text.size()) + " bytes)";
}

std::string ms_between(SteadyTime from, SteadyTime to) {
  return std::to_string(std::chrono::round<std::chrono::milliseconds>(to - from).count()) + " ms";
}

// What a connect that ran out of time was waiting for, by the stage it reached.
std::string awaited(LiveStage stage, const std::string& peer) {
  switch (stage) {
    case LiveStage::kResolving: return "name resolution of " + peer;
    case LiveStage::kConnecting: return "a TCP connection to " + peer;
    case LiveStage::kTlsHandshake: return "the TLS handshake with " + peer;
    case LiveStage::kUpgrading: return "an answer to the WebSocket upgrade request from " + peer;
    default: return "pusher:connection_established from " + peer + " (the WebSocket is open)";
  }
}

}  // namespace

std::string_view to_string(LiveStage stage) {
  switch (stage) {
    case LiveStage::kIdle: return "idle";
    case LiveStage::kResolving: return "resolving";
    case LiveStage::kConnecting: return "connecting";
    case LiveStage::kTlsHandshake: return "tls-handshake";
    case LiveStage::kUpgrading: return "upgrading";
    case LiveStage::kOpen: return "open";
    case LiveStage::kClosing: return "closing";
    case LiveStage::kClosed: return "closed";
  }
  return "unknown";
}

// --- Impl: the protocol side ---------------------------------------------------------------

LiveConnection::Impl::Impl(IoLoop& loop_in, LiveConnectionOptions options_in, Authorizer authorizer_in)
    : loop(loop_in),
      options(std::move(options_in)),
      authorizer(std::move(authorizer_in)),
      client(options.client),
      resolver(loop_in.context()),
      timer(loop_in.context()),
      write_stall_timer(loop_in.context()) {}

void LiveConnection::Impl::pump() {
  // Answering an auth request makes the client emit more outputs; loop until it is quiet.
  for (auto outputs = client.take_outputs(); !outputs.empty(); outputs = client.take_outputs()) {
    for (auto& output : outputs) {
      TimeNs now = real_now();
      if (auto* send = std::get_if<SendText>(&output)) {
        write(std::move(send->text));
      } else if (auto* auth = std::get_if<AuthRequest>(&output)) {
        AuthResult result = authorizer ? authorizer(*auth) : AuthResult{AuthFailure{0, "no authorizer configured"}};
        client.on_auth_response(now, auth->request_id, result);
      } else if (auto* close = std::get_if<CloseTransport>(&output)) {
        request_close(close_code_override.value_or(close->code), close->reason);
      } else if (auto* event = std::get_if<ClientEvent>(&output)) {
        if (auto* error = std::get_if<ClientError>(event); error && error->kind != ClientErrorKind::kServer) {
          record_error(std::string(to_string(error->kind)) + " frame: " + error->message + ": " +
                       quote(error->frame_text));
        }
        events.push_back({now, std::move(*event)});
      }
    }
  }
  arm_timer();
}

void LiveConnection::Impl::record_error(std::string message) { errors.push_back(make_error(std::move(message))); }

void LiveConnection::Impl::transport_ended(int code, const std::string& reason) {
  timer.cancel();
  write_stall_timer.cancel();
  client.on_close(real_now(), code, reason);
  pump();
}

std::string LiveConnection::Impl::server_errors_since(std::size_t from) const {
  std::string out;
  for (std::size_t i = from; i < events.size(); ++i) {
    const auto* error = std::get_if<ClientError>(&events[i].event);
    if (error == nullptr || error->kind != ClientErrorKind::kServer) continue;
    out += "server sent pusher:error " + (error->code ? std::to_string(*error->code) : std::string("(no code)")) +
           " \"" + error->message + "\"; ";
  }
  return out;
}

std::string LiveConnection::Impl::end_description() const {
  if (end_reason) return *end_reason;
  if (our_close_reason) return "the client closed the WebSocket (" + *our_close_reason + ")";
  if (close_code) {
    return "server closed the WebSocket with code " + std::to_string(*close_code) +
           (close_reason.empty() ? "" : " (" + close_reason + ")");
  }
  if (!errors.empty()) return errors.back().message;
  return "connection closed";
}

// --- LiveConnection ----------------------------------------------------------------------------

LiveConnection::LiveConnection(IoLoop& loop, LiveConnectionOptions options, Authorizer authorizer)
    : impl_(std::make_shared<Impl>(loop, std::move(options), std::move(authorizer))) {}

LiveConnection::~LiveConnection() { drop(); }

std::optional<Error> LiveConnection::connect(SteadyTime deadline) {
  Impl& impl = *impl_;
  if (impl.stage != LiveStage::kIdle && impl.stage != LiveStage::kClosed) return make_error("already connected");
  SteadyTime started = std::chrono::steady_clock::now();
  std::size_t errors_before = impl.errors.size();
  std::size_t events_before = impl.events.size();
  if (auto error = impl.start_transport()) return error;
  // The handshake is over when the client connected, gave up (garbage, a refusal: it then
  // asks for a close, which a broken server may never answer), or the transport ended.
  auto handshake_over = [&] {
    ConnectionState state = impl.client.state();
    return state == ConnectionState::kConnected || state == ConnectionState::kDisconnected ||
           state == ConnectionState::kFailed || impl.stage == LiveStage::kClosed;
  };
  impl.loop.run_until(handshake_over, deadline);
  if (impl.client.state() == ConnectionState::kConnected) return std::nullopt;
  if (handshake_over()) {
    // Let a close the client asked for complete, briefly: a broken server may never answer it.
    auto close_deadline = std::min(deadline, deadline_after(std::chrono::milliseconds(200)));
    impl.loop.run_until([&] { return impl.stage == LiveStage::kClosed; }, close_deadline);
    impl.abort(std::nullopt);
    // The first error of this attempt says what went wrong; later ones are its consequences.
    if (impl.errors.size() > errors_before) return make_error("connect failed: " + impl.errors[errors_before].message);
    return make_error("connect failed: " + impl.server_errors_since(events_before) + impl.end_description());
  }
  std::string message =
      "connect timed out after " + ms_between(started, deadline) + " waiting for " + awaited(impl.stage, impl.peer());
  impl.abort(message);
  return make_error(message);
}

std::optional<Error> LiveConnection::close(SteadyTime deadline, int code) {
  Impl& impl = *impl_;
  if (impl.stage == LiveStage::kIdle || impl.stage == LiveStage::kClosed) return std::nullopt;
  if (impl.stage != LiveStage::kOpen && impl.stage != LiveStage::kClosing) {
    impl.abort(std::nullopt);
    return std::nullopt;
  }
  impl.client.disconnect(real_now());
  impl.close_code_override = code;
  impl.pump();
  impl.close_code_override.reset();
  if (impl.loop.run_until([&] { return impl.stage == LiveStage::kClosed; }, deadline)) return std::nullopt;
  impl.abort("no WebSocket close reply from " + impl.peer() + " before the deadline");
  return impl.errors.back();
}

void LiveConnection::drop() { impl_->abort(std::nullopt); }

std::optional<Error> LiveConnection::subscribe(std::string_view channel) {
  auto error = impl_->client.subscribe(real_now(), channel);
  impl_->pump();
  return error;
}

void LiveConnection::unsubscribe(std::string_view channel) {
  impl_->client.unsubscribe(real_now(), channel);
  impl_->pump();
}

std::optional<Error> LiveConnection::send_client_event(std::string_view channel, std::string_view event,
                                                       const Json& data) {
  auto error = impl_->client.send_client_event(real_now(), channel, event, data);
  impl_->pump();
  return error;
}

void LiveConnection::signin() {
  impl_->client.signin(real_now());
  impl_->pump();
}

std::optional<Error> LiveConnection::send_ping() {
  auto error = impl_->client.send_ping(real_now());
  impl_->pump();
  return error;
}

std::optional<Error> LiveConnection::send_ws_ping(std::string_view payload) {
  if (payload.size() > 125) return make_error("a WebSocket ping carries at most 125 bytes (RFC 6455 §5.5)");
  if (impl_->stage != LiveStage::kOpen) return make_error("no open connection to ping on");
  impl_->ping_queue.emplace_back(payload);
  impl_->ping_next();
  return std::nullopt;
}

std::optional<Error> LiveConnection::send_raw(std::string_view text) {
  auto error = impl_->client.send_raw(real_now(), text);
  impl_->pump();
  return error;
}

std::optional<Error> LiveConnection::wait_for(const std::function<bool()>& done, SteadyTime deadline,
                                              std::string_view what) {
  Impl& impl = *impl_;
  SteadyTime started = std::chrono::steady_clock::now();
  impl.loop.run_until([&] { return done() || impl.stage == LiveStage::kClosed; }, deadline);
  if (done()) return std::nullopt;
  if (impl.stage == LiveStage::kClosed) {
    return make_error("connection ended before " + std::string(what) + ": " + impl.end_description());
  }
  std::string message = "timed out after " + ms_between(started, deadline) + " waiting for " + std::string(what);
  if (!impl.errors.empty()) message += " (last problem: " + impl.errors.back().message + ")";
  return make_error(std::move(message));
}

Result<Frame> LiveConnection::wait_for_frame(const std::function<bool(const Frame&)>& match, SteadyTime deadline,
                                             std::string_view what, std::size_t from) {
  std::optional<Frame> found;
  std::size_t scanned = from;
  auto done = [&] {
    const auto& frames = impl_->frames;
    for (; !found && scanned < frames.size(); ++scanned) {
      auto frame = decode_frame(frames[scanned].text);
      if (frame && match(*frame)) found = std::move(*frame);
    }
    return found.has_value();
  };
  if (auto error = wait_for(done, deadline, what)) return *error;
  return std::move(*found);
}

std::optional<Error> LiveConnection::wait_closed(SteadyTime deadline) {
  Impl& impl = *impl_;
  if (impl.loop.run_until([&] { return impl.stage == LiveStage::kClosed || impl.stage == LiveStage::kIdle; },
                          deadline)) {
    return std::nullopt;
  }
  return make_error("timed out waiting for the connection to close");
}

const ProtocolClient& LiveConnection::client() const { return impl_->client; }
LiveStage LiveConnection::stage() const { return impl_->stage; }
std::optional<std::string> LiveConnection::socket_id() const { return impl_->client.socket_id(); }
const std::vector<ReceivedFrame>& LiveConnection::frames() const { return impl_->frames; }
const std::vector<ReceivedFrame>& LiveConnection::pongs() const { return impl_->pongs; }
const std::vector<TimedClientEvent>& LiveConnection::events() const { return impl_->events; }
const std::vector<Error>& LiveConnection::errors() const { return impl_->errors; }
std::optional<int> LiveConnection::close_code() const { return impl_->close_code; }
std::string LiveConnection::close_reason() const { return impl_->close_reason; }

std::vector<Frame> LiveConnection::frames_where(const std::function<bool(const Frame&)>& match,
                                                std::size_t from) const {
  std::vector<Frame> out;
  const auto& frames = impl_->frames;
  for (std::size_t i = from; i < frames.size(); ++i) {
    auto frame = decode_frame(frames[i].text);
    if (frame && match(*frame)) out.push_back(std::move(*frame));
  }
  return out;
}

}  // namespace pushsim
