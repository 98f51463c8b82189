#include "fakes/raw_client.hpp"

#include "fakes/world.hpp"
#include "protocol/client/client_frames.hpp"

namespace pushsim::fakes {

std::string pusher_js_target(std::string_view app_key) {
  return "/app/" + std::string(app_key) + "?protocol=7&client=js&version=8.4.0&flash=false";
}

RawClient::RawClient(World& world, std::string name, EndpointId endpoint)
    : world_(world), name_(std::move(name)), endpoint_(endpoint) {}

LinkId RawClient::connect() { return connect(pusher_js_target(world_.config().app().key)); }

LinkId RawClient::connect(std::string target) {
  if (crashed_) return 0;
  link_ = world_.open_connection(*this, std::move(target));
  accepted_ = false;
  closed_ = false;
  socket_id_.reset();
  close_code_.reset();
  return link_;
}

std::shared_ptr<const std::string> RawClient::send(std::string text) {
  if (crashed_ || link_ == 0 || closed_) return nullptr;
  auto shared = std::make_shared<const std::string>(std::move(text));
  world_.send_to_server(link_, shared);
  return shared;
}

bool RawClient::send_binary(std::string bytes) {
  if (crashed_ || link_ == 0 || closed_) return false;
  world_.send_binary_to_server(link_, std::make_shared<const std::string>(std::move(bytes)));
  return true;
}

bool RawClient::send_ping(std::string payload) {
  if (crashed_ || link_ == 0 || closed_) return false;
  world_.ping_server(link_, std::move(payload));
  return true;
}

void RawClient::on_pong(TimeNs now, LinkId /*link*/, const std::string& payload) {
  if (crashed_) return;
  pongs_.push_back(Pong{now, payload});
}

void RawClient::subscribe(const std::string& channel, const std::string& auth,
                          const std::optional<std::string>& channel_data) {
  send(encode_subscribe(Json(auth), channel_data ? std::optional<Json>(*channel_data) : std::nullopt, channel,
                        FrameForm::kCanonical));
}

void RawClient::close(TimeNs /*now*/, int code) {
  if (crashed_ || link_ == 0 || closed_) return;
  world_.close_to_server(link_, code, "client closed");
  closed_ = true;
  close_code_ = code;
}

void RawClient::crash(TimeNs /*now*/) { crashed_ = true; }

void RawClient::on_accept(TimeNs /*now*/, LinkId link) {
  if (crashed_ || link != link_) return;
  accepted_ = true;
}

void RawClient::on_text(TimeNs now, LinkId link, const std::shared_ptr<const std::string>& text) {
  if (crashed_) return;
  received_.push_back(ReceivedFrame{now, link, text});
  if (link != link_) return;
  // Only protocol frames need a look; the encoder puts "event" first, so a prefix test
  // keeps the common case (a published event) free of JSON parsing.
  if (!text->starts_with(R"({"event":"pusher:)")) return;
  auto frame = decode_frame(*text);
  if (!frame) return;
  if (frame->event == events::kPing && answer_pings) {
    send(encode_pong());
  } else if (frame->event == events::kConnectionEstablished) {
    const Json data = frame->decoded_data();
    if (data.is_object() && data.contains("socket_id") && data["socket_id"].is_string()) {
      socket_id_ = data["socket_id"].get<std::string>();
    }
  }
}

void RawClient::on_close(TimeNs /*now*/, LinkId link, int code, std::string_view /*reason*/) {
  if (crashed_ || link != link_) return;
  closed_ = true;
  close_code_ = code;
}

std::vector<Frame> RawClient::frames(std::optional<std::string_view> event) const {
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
