#include "protocol/server/rest_publish.hpp"

#include <optional>
#include <vector>

#include "protocol/server/rest_event.hpp"
#include "protocol/server/rest_info.hpp"
#include "protocol/server/rest_response.hpp"

namespace pushsim {
namespace {

void publish(Engine& engine, TimeNs now, const AppConfig& app, const RestEvent& event, bool batch_item) {
  std::optional<std::string_view> exclude;
  const bool dropped = batch_item && engine.options().defects.has(Defect::kIgnoreBatchExclusion);
  if (event.socket_id && !dropped) exclude = *event.socket_id;
  for (const auto& channel : event.channels) engine.publish(now, app, channel, event.name, event.data, exclude);
}

// Attributes are read after publishing: the docs say counts are computed independently of
// delivery, and publishing never changes them.
Json attributes_of(const Engine& engine, TimeNs now, const AppConfig& app, std::string_view channel,
                   const InfoRequest& info) {
  Json attributes = channel_attributes(channel, engine.channel(app.id, channel, now), info, app, now);
  if (engine.options().defects.has(Defect::kPublishInfoWithoutSubscriptionCount))
    attributes.erase("subscription_count");
  return attributes;
}

HttpResponse over_quota() { return rest_error_response(403, "App is over its message quota"); }

}  // namespace

HttpResponse handle_trigger(Engine& engine, TimeNs now, const AppConfig& app, std::string_view body) {
  auto json = parse_json_object_body(body);
  if (!json) return rest_error_response(json.error());
  auto event = parse_trigger(*json, engine.options().limits);
  if (!event) return rest_error_response(event.error());
  if (!engine.take_message_quota(app, event->channels.size())) return over_quota();
  publish(engine, now, app, *event, /*batch_item=*/false);
  if (!event->info) return rest_json_response(200, Json::object());
  Json channels = Json::object();
  for (const auto& channel : event->channels) {
    channels[channel] = attributes_of(engine, now, app, channel, *event->info);
  }
  return rest_json_response(200, Json{{"channels", channels}});
}

HttpResponse handle_batch_trigger(Engine& engine, TimeNs now, const AppConfig& app, std::string_view body) {
  auto json = parse_json_object_body(body);
  if (!json) return rest_error_response(json.error());
  auto events = parse_batch(*json, engine.options().limits);
  if (!events) return rest_error_response(events.error());
  std::uint64_t messages = 0;
  for (const auto& event : *events) messages += event.channels.size();
  if (!engine.take_message_quota(app, messages)) return over_quota();
  bool any_info = false;
  // Each item carries its own socket_id: excluding one item's sender from every item is the
  // pusher-http-php #365 bug, so exclusion is never shared between items.
  for (const auto& event : *events) {
    publish(engine, now, app, event, /*batch_item=*/true);
    any_info = any_info || event.info.has_value();
  }
  if (!any_info) return rest_json_response(200, Json::object());
  Json batch = Json::array();
  for (const auto& event : *events) {
    if (!event.info) {
      batch.push_back(Json::object());
    } else {
      batch.push_back(attributes_of(engine, now, app, event.channels.front(), *event.info));
    }
  }
  return rest_json_response(200, Json{{"batch", batch}});
}

}  // namespace pushsim
