#include "protocol/client/client_frames.hpp"

namespace pushsim {
namespace {

std::string json_quoted(std::string_view text) { return dump_json(Json(std::string(text))); }

// Appends `"key":value` to an object body being built, with a comma when needed.
void append_member(std::string& body, std::string_view key, const Json& value) {
  if (body.size() > 1) body += ',';
  body += json_quoted(key);
  body += ':';
  body += dump_json(value);
}

std::string envelope(std::string_view event, const std::string& data_text) {
  return "{\"event\":" + json_quoted(event) + ",\"data\":" + data_text + "}";
}

}  // namespace

std::string dump_json(const Json& value) {
  return value.dump(-1, ' ', /*ensure_ascii=*/false, Json::error_handler_t::replace);
}

std::string encode_subscribe(const std::optional<Json>& auth, const std::optional<Json>& channel_data,
                             std::string_view channel, FrameForm form) {
  std::string data = "{";
  if (auth) append_member(data, "auth", *auth);
  if (form == FrameForm::kCanonical) append_member(data, "channel", Json(std::string(channel)));
  if (channel_data) append_member(data, "channel_data", *channel_data);
  if (form == FrameForm::kPusherJs) append_member(data, "channel", Json(std::string(channel)));
  data += '}';
  return envelope("pusher:subscribe", data);
}

std::string encode_unsubscribe(std::string_view channel) {
  return envelope("pusher:unsubscribe", "{\"channel\":" + json_quoted(channel) + "}");
}

std::string encode_signin(const std::optional<Json>& auth, const std::optional<Json>& user_data) {
  std::string data = "{";
  if (auth) append_member(data, "auth", *auth);
  if (user_data) append_member(data, "user_data", *user_data);
  data += '}';
  return envelope("pusher:signin", data);
}

std::string encode_client_event(std::string_view event, const Json& data, std::string_view channel, FrameForm form) {
  const std::string head = "{\"event\":" + json_quoted(event);
  if (form == FrameForm::kCanonical) {
    return head + ",\"channel\":" + json_quoted(channel) + ",\"data\":" + dump_json(data) + "}";
  }
  return head + ",\"data\":" + dump_json(data) + ",\"channel\":" + json_quoted(channel) + "}";
}

std::string encode_ping() { return envelope("pusher:ping", "{}"); }
std::string encode_pong() { return envelope("pusher:pong", "{}"); }

}  // namespace pushsim
