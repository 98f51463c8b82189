#include "fakes/sim_client.hpp"

#include "fakes/raw_client.hpp"
#include "fakes/world.hpp"
#include "protocol/client/auth_error.hpp"

namespace pushsim::fakes {

SimClient::SimClient(World& world, std::string name, EndpointId endpoint, SimClientOptions options)
    : world_(world),
      name_(std::move(name)),
      endpoint_(endpoint),
      options_(std::move(options)),
      client_(options_.protocol) {
  if (options_.user) world_.auth().add_session(name_, *options_.user);
}

SimClient::~SimClient() = default;

TimeNs SimClient::now() const { return world_.now(); }

// --- commands ------------------------------------------------------------------------------

void SimClient::connect() {
  if (crashed_) return;
  world_.cancel_client_timer(reconnect_timer_, true);
  reconnect_timer_ = {};
  ++connections_opened_;
  link_ = world_.open_connection(*this, options_.target.value_or(pusher_js_target(world_.config().app().key)));
}

std::optional<Error> SimClient::subscribe(std::string_view channel) {
  if (crashed_) return make_error("crashed");
  auto error = client_.subscribe(now(), channel);
  pump(now());
  return error;
}

void SimClient::unsubscribe(std::string_view channel) {
  if (crashed_) return;
  client_.unsubscribe(now(), channel);
  pump(now());
}

std::optional<Error> SimClient::send_client_event(std::string_view channel, std::string_view event, const Json& data) {
  if (crashed_) return make_error("crashed");
  auto error = client_.send_client_event(now(), channel, event, data);
  pump(now());
  return error;
}

void SimClient::signin() {
  if (crashed_) return;
  client_.signin(now());
  pump(now());
}

void SimClient::disconnect() {
  if (crashed_) return;
  world_.cancel_client_timer(reconnect_timer_, true);
  reconnect_timer_ = {};
  client_.disconnect(now());
  pump(now());
}

std::optional<Error> SimClient::send_raw(std::string_view text) {
  if (crashed_) return make_error("crashed");
  auto error = client_.send_raw(now(), text);
  pump(now());
  return error;
}

void SimClient::close(TimeNs at, int code) {
  if (crashed_ || link_ == 0) return;
  if (code == 1000) return disconnect();
  world_.close_to_server(link_, code, "closed by client");
  client_.on_close(at, code, "closed by client");
  pump(at);
}

void SimClient::crash(TimeNs /*now*/) {
  crashed_ = true;
  world_.cancel_client_timer(timer_);
  world_.cancel_client_timer(reconnect_timer_, true);
  timer_ = {};
  reconnect_timer_ = {};
}

// --- transport -------------------------------------------------------------------------------

void SimClient::on_accept(TimeNs at, LinkId link) {
  if (crashed_ || link != link_) return;
  client_.on_open(at);
  pump(at);
}

void SimClient::on_text(TimeNs at, LinkId link, const std::shared_ptr<const std::string>& text) {
  if (crashed_) return;
  received_.push_back(ReceivedFrame{at, link, text});
  if (link != link_) return;  // an abandoned connection's stragglers are recorded, not acted on
  client_.on_text(at, *text);
  pump(at);
}

void SimClient::on_close(TimeNs at, LinkId link, int code, std::string_view reason) {
  if (crashed_ || link != link_) return;
  client_.on_close(at, code, reason);
  pump(at);
}

// --- outputs ---------------------------------------------------------------------------------

void SimClient::pump(TimeNs at) {
  for (ClientOutput& output : client_.take_outputs()) {
    if (auto* send = std::get_if<SendText>(&output)) {
      if (link_ != 0) world_.send_to_server(link_, std::make_shared<const std::string>(std::move(send->text)));
    } else if (auto* auth = std::get_if<AuthRequest>(&output)) {
      request_auth(*auth);
    } else if (auto* close = std::get_if<CloseTransport>(&output)) {
      if (link_ != 0) world_.close_to_server(link_, close->code, std::move(close->reason));
    } else if (auto* event = std::get_if<ClientEvent>(&output)) {
      if (auto* disconnected = std::get_if<ClientDisconnected>(event)) on_disconnected(*disconnected);
      if (options_.record_events) events_.push_back(TimedClientEvent{at, std::move(*event)});
    }
  }
  arm_timer();
}

// Every received frame moves the activity deadline later; an armed timer that is earlier
// stays and, when it fires early, only re-arms (see World::arm_engine_timer).
void SimClient::arm_timer() {
  const std::optional<TimeNs> deadline = client_.next_deadline();
  if (deadline && !crashed_ && world_.scheduler().is_pending(timer_) && timer_at_ <= *deadline) return;
  world_.cancel_client_timer(timer_);
  timer_ = {};
  if (!deadline || crashed_) return;
  timer_at_ = std::max(*deadline, now());
  timer_ = world_.set_client_timer(*this, timer_at_, [this](TimeNs at) {
    timer_ = {};
    const std::optional<TimeNs> due = client_.next_deadline();
    if (!due || *due > at) return arm_timer();
    world_.trace_timer(*this, "tick");
    client_.on_tick(at);
    pump(at);
  });
}

void SimClient::on_disconnected(const ClientDisconnected& disconnected) {
  if (!options_.reconnect || !disconnected.reconnect_delay || crashed_) return;
  world_.cancel_client_timer(reconnect_timer_, true);
  reconnect_timer_ = world_.set_client_timer(
      *this, now() + *disconnected.reconnect_delay,
      [this](TimeNs) {
        reconnect_timer_ = {};
        world_.trace_timer(*this, "reconnect");
        connect();
      },
      /*activity=*/true);
}

void SimClient::request_auth(const AuthRequest& request) {
  HttpRequest http = request.kind == AuthKind::kUser
                         ? AuthServer::user_auth_request(name_, request.socket_id)
                         : AuthServer::channel_auth_request(name_, request.socket_id, request.channel);
  const std::uint64_t id = request.request_id;
  const AuthKind kind = request.kind;
  const std::string path = http.target;
  world_.call_auth(*this, std::move(http), [this, id, kind, path](TimeNs at, std::optional<HttpResponse> response) {
    if (crashed_) return;
    client_.on_auth_response(at, id, auth_result_of(kind, path, response));
    pump(at);
  });
}

std::vector<Frame> SimClient::frames(std::optional<std::string_view> event) const {
  std::vector<Frame> out;
  for (const auto& r : received_) {
    auto frame = decode_frame(*r.text);
    if (!frame) continue;
    if (event && frame->event != *event) continue;
    out.push_back(std::move(*frame));
  }
  return out;
}

}  // namespace pushsim::fakes
