#include "protocol/server/server_frames.hpp"

#include "protocol/frame.hpp"

namespace pushsim::server_frames {
namespace {

// Json::dump, except that invalid UTF-8 becomes U+FFFD instead of an exception (as in
// encode_frame): publish() may be handed bytes that never went through a JSON parser.
std::string dump(const Json& value) { return value.dump(-1, ' ', false, Json::error_handler_t::replace); }

std::string make(std::string_view event, std::optional<std::string_view> channel, std::optional<Json> data,
                 std::optional<std::string> user_id = std::nullopt) {
  Frame frame;
  frame.event = std::string(event);
  if (channel) frame.channel = std::string(*channel);
  frame.data = std::move(data);
  frame.user_id = std::move(user_id);
  return encode_frame(frame);
}

Json as_string_data(const Json& payload) { return Json(dump(payload)); }

// Appends text as a JSON string when it is printable ASCII, escaping only '"' and '\\' (all
// that such text needs); false, with `out` unchanged, for anything else (control characters,
// non-ASCII), which goes through Json's dump and its UTF-8 checks instead. This is the
// publish path: event data is usually JSON text, and Json's byte-by-byte dump of a 10 KB
// event costs more than handing it to a thousand subscribers.
bool append_plain_json_string(std::string& out, std::string_view text) {
  const std::size_t start = out.size();
  out.reserve(start + text.size() + text.size() / 8 + 2);
  out += '"';
  for (const char c : text) {
    const auto byte = static_cast<unsigned char>(c);
    if (byte < 0x20 || byte >= 0x7f) {
      out.resize(start);
      return false;
    }
    if (c == '"' || c == '\\') out += '\\';
    out += c;
  }
  out += '"';
  return true;
}

}  // namespace

std::string connection_established(std::string_view socket_id, int activity_timeout_s) {
  // Built by hand: Json would sort activity_timeout before socket_id.
  std::string data = "{\"socket_id\":" + dump(Json(std::string(socket_id))) +
                     ",\"activity_timeout\":" + std::to_string(activity_timeout_s) + "}";
  return make(events::kConnectionEstablished, std::nullopt, Json(std::move(data)));
}

std::string error(std::optional<int> code, std::string_view message) {
  Json data = Json::object();
  data["code"] = code ? Json(*code) : Json(nullptr);
  data["message"] = std::string(message);
  return make(events::kError, std::nullopt, std::move(data));
}

std::string subscription_error(std::string_view channel, std::string_view type, std::string_view error, int status) {
  Json data = Json::object();
  data["type"] = std::string(type);
  data["error"] = std::string(error);
  data["status"] = status;
  return make(events::kSubscriptionError, std::string(channel), std::move(data));
}

std::string ping() { return make(events::kPing, std::nullopt, Json("{}")); }

std::string pong() { return make(events::kPong, std::nullopt, Json("{}")); }

std::string subscription_succeeded(std::string_view channel, bool with_data) {
  std::optional<Json> data;
  if (with_data) data = Json("{}");
  return make(events::kSubscriptionSucceeded, channel, std::move(data));
}

std::string presence_subscription_succeeded(std::string_view channel, const std::vector<PresenceMember>& members) {
  Json hash = Json::object();
  Json ids = Json::array();
  for (const auto& member : members) {
    hash[member.user_id] = member.user_info;
    ids.push_back(member.user_id);
  }
  Json presence = {{"count", members.size()}, {"hash", std::move(hash)}, {"ids", std::move(ids)}};
  return make(events::kSubscriptionSucceeded, channel, as_string_data(Json{{"presence", std::move(presence)}}));
}

std::string member_added(std::string_view channel, const PresenceMember& member, bool object_data) {
  Json data = {{"user_id", member.user_id}};
  if (!member.user_info.is_null()) data["user_info"] = member.user_info;
  return make(events::kMemberAdded, channel, object_data ? data : as_string_data(data));
}

std::string member_removed(std::string_view channel, std::string_view user_id) {
  return make(events::kMemberRemoved, channel, as_string_data(Json{{"user_id", std::string(user_id)}}));
}

std::string subscription_count(std::string_view channel, std::size_t count) {
  return make(events::kSubscriptionCount, channel, as_string_data(Json{{"subscription_count", count}}));
}

std::string cache_miss(std::string_view channel) { return make(events::kCacheMiss, channel, std::nullopt); }

std::string channel_event(std::string_view channel, std::string_view event, std::string_view data) {
  // The frame without data, then the data string appended by hand when it is plain text.
  std::string frame = make(event, channel, std::nullopt);
  frame.pop_back();  // the closing brace
  frame += ",\"data\":";
  if (!append_plain_json_string(frame, data)) return make(event, channel, Json(std::string(data)));
  frame += '}';
  return frame;
}

std::string client_event(std::string_view channel, std::string_view event, const std::optional<Json>& data,
                         const std::optional<std::string>& user_id) {
  return make(event, channel, data, user_id);
}

std::string signin_success(std::string_view user_data) {
  return make(events::kSigninSuccess, std::nullopt, Json{{"user_data", std::string(user_data)}});
}

std::string watchlist_events(const std::vector<WatchlistEvent>& events) {
  Json list = Json::array();
  for (const auto& entry : events) list.push_back(Json{{"name", entry.name}, {"user_ids", entry.user_ids}});
  return make(events::kWatchlistEvents, std::nullopt, Json{{"events", std::move(list)}});
}

}  // namespace pushsim::server_frames
