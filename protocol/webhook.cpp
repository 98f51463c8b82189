#include "protocol/webhook.hpp"

#include <algorithm>

namespace pushsim {
namespace {

// Strings we put in a body may come from a peer (a channel name, a user id); an invalid
// UTF-8 byte must not throw out of a public function, so it is replaced rather than refused.
std::string dump_safely(const Json& value) {
  return value.dump(-1, ' ', /*ensure_ascii=*/false, Json::error_handler_t::replace);
}

}  // namespace

Json WebhookEvent::to_json() const {
  // Only the fields that are set (§8.2): receivers such as the Node SDK look at the keys
  // present, and a null user_id on a non-presence client_event would be a lie.
  Json out = Json::object();
  out["name"] = name;
  out["channel"] = channel;
  if (user_id) out["user_id"] = *user_id;
  if (event) out["event"] = *event;
  if (data) out["data"] = *data;
  if (socket_id) out["socket_id"] = *socket_id;
  if (subscription_count) out["subscription_count"] = *subscription_count;
  return out;
}

std::string encode_webhook_body(std::int64_t time_ms, const std::vector<WebhookEvent>& events) {
  // The envelope keeps the documented order (time_ms first), which a sorted Json object would
  // not; inside each event nlohmann's sorted keys make the bytes stable.
  Json list = Json::array();
  for (const auto& event : events) list.push_back(event.to_json());
  return "{\"time_ms\":" + std::to_string(time_ms) + ",\"events\":" + dump_safely(list) + "}";
}

bool WebhookConfig::wants(const std::string& event_name) const {
  if (event_types.empty()) return true;
  return std::find(event_types.begin(), event_types.end(), event_name) != event_types.end();
}

}  // namespace pushsim
