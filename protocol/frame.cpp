#include "protocol/frame.hpp"

#include <utility>

namespace pushsim {
namespace {
// Strings from peers may hold invalid UTF-8; dumping must never throw, so such bytes become
// U+FFFD on the way out. (Decoding already refused them: this guards values we build.)
std::string dump(const Json& value) { return value.dump(-1, ' ', false, Json::error_handler_t::replace); }
}  // namespace

Json Frame::decoded_data() const {
  if (!data) return nullptr;
  if (!data->is_string()) return *data;
  const auto& text = data->get_ref<const std::string&>();
  Json parsed = Json::parse(text, nullptr, /*allow_exceptions=*/false);
  if (parsed.is_discarded()) return *data;
  return parsed;
}

Frame Frame::with_string_data(std::string event, std::optional<std::string> channel, const Json& payload) {
  return Frame{std::move(event), std::move(channel), Json(dump(payload)), std::nullopt};
}

Frame Frame::with_object_data(std::string event, std::optional<std::string> channel, Json payload) {
  return Frame{std::move(event), std::move(channel), std::move(payload), std::nullopt};
}

static std::string kind_of(const Json& value) {
  switch (value.type()) {
    case Json::value_t::null: return "null";
    case Json::value_t::boolean: return "a boolean";
    case Json::value_t::string: return "a string";
    case Json::value_t::array: return "an array";
    case Json::value_t::object: return "an object";
    case Json::value_t::discarded: return "invalid";
    default: return "a number";
  }
}

static Result<std::optional<std::string>> optional_string(const Json& object, const char* key) {
  auto it = object.find(key);
  if (it == object.end() || it->is_null()) return std::optional<std::string>{};
  if (!it->is_string()) {
    return make_error(std::string("\"") + key + "\" must be a string, got " + kind_of(*it));
  }
  return std::optional<std::string>{it->get<std::string>()};
}

Result<Frame> decode_frame(std::string_view text) {
  Json parsed = Json::parse(text.begin(), text.end(), nullptr, /*allow_exceptions=*/false);
  if (parsed.is_discarded()) return make_error("frame is not valid JSON");
  if (!parsed.is_object()) return make_error("frame must be a JSON object, got " + kind_of(parsed));

  auto event = parsed.find("event");
  if (event == parsed.end()) return make_error("frame has no \"event\" field");
  if (!event->is_string()) return make_error("\"event\" must be a string, got " + kind_of(*event));

  Frame frame;
  frame.event = event->get<std::string>();
  auto channel = optional_string(parsed, "channel");
  if (!channel) return channel.error();
  frame.channel = std::move(channel).value();
  auto user_id = optional_string(parsed, "user_id");
  if (!user_id) return user_id.error();
  frame.user_id = std::move(user_id).value();
  if (auto data = parsed.find("data"); data != parsed.end()) frame.data = std::move(*data);
  return frame;
}

std::string encode_frame(const Frame& frame) {
  std::string out = "{\"event\":";
  out += dump(Json(frame.event));
  if (frame.channel) {
    out += ",\"channel\":";
    out += dump(Json(*frame.channel));
  }
  if (frame.data) {
    out += ",\"data\":";
    out += dump(*frame.data);
  }
  if (frame.user_id) {
    out += ",\"user_id\":";
    out += dump(Json(*frame.user_id));
  }
  out += '}';
  return out;
}

std::string describe_frame(const Frame& frame) {
  // Appended piece by piece: g++ 12 at -O3 warns (-Wrestrict, falsely) on `" #" + str`.
  std::string out = frame.event;
  if (frame.channel) out.append(" #").append(*frame.channel);
  if (frame.user_id) out.append(" user=").append(*frame.user_id);
  if (frame.data) out.append(" ").append(dump(*frame.data));
  return out;
}

}  // namespace pushsim
