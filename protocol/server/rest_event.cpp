#include "protocol/server/rest_event.hpp"

#include <algorithm>

#include "protocol/channel_name.hpp"
#include "protocol/server/rest_response.hpp"

namespace pushsim {
namespace {

// "name" at the top level, "batch[2].name" inside a batch item.
std::string field_path(std::string_view prefix, std::string_view field) {
  if (prefix.empty()) return std::string(field);
  return std::string(prefix) + "." + std::string(field);
}

Error field_error(std::string_view prefix, std::string_view message) {
  if (prefix.empty()) return make_error(std::string(message), 400);
  return make_error(std::string(prefix) + ": " + std::string(message), 400);
}

Result<std::string> required_string(const Json& object, std::string_view prefix, std::string_view field) {
  std::string path = field_path(prefix, field);
  auto it = object.find(field);
  if (it == object.end()) return make_error(path + " is required (a string)", 400);
  if (!it->is_string()) return make_error(path + " must be a string, got " + json_type_name(*it), 400);
  return it->get<std::string>();
}

// Absent and null both mean "not given": SDKs differ in how they leave an option out.
Result<std::optional<std::string>> optional_string(const Json& object, std::string_view prefix,
                                                   std::string_view field) {
  auto it = object.find(field);
  if (it == object.end() || it->is_null()) return std::optional<std::string>{};
  if (!it->is_string()) {
    return make_error(field_path(prefix, field) + " must be a string, got " + json_type_name(*it), 400);
  }
  return std::optional<std::string>{it->get<std::string>()};
}

Result<std::string> parse_data(const Json& object, std::string_view prefix, const Limits& limits) {
  auto data = required_string(object, prefix, "data");
  if (!data) return data;
  if (data->size() > limits.event_data_max_bytes) {
    return make_error(field_path(prefix, "data") + " is " + std::to_string(data->size()) + " bytes; the limit is " +
                          std::to_string(limits.event_data_max_bytes),
                      413);
  }
  return data;
}

Result<std::vector<std::string>> parse_channel_array(const Json& array, const Limits& limits) {
  if (!array.is_array()) return make_error("channels must be an array of strings, got " + json_type_name(array), 400);
  if (array.empty()) return make_error("channels must name at least one channel", 400);
  if (array.size() > limits.channels_per_trigger_max) {
    return make_error("channels names " + std::to_string(array.size()) + " channels; the limit is " +
                          std::to_string(limits.channels_per_trigger_max),
                      400);
  }
  std::vector<std::string> channels;
  for (std::size_t i = 0; i < array.size(); ++i) {
    std::string path = "channels[" + std::to_string(i) + "]";
    if (!array[i].is_string()) return make_error(path + " must be a string, got " + json_type_name(array[i]), 400);
    auto name = array[i].get<std::string>();
    if (auto error = validate_publish_channel(name, limits)) return make_error(path + ": " + error->message, 400);
    // Publishing twice to one channel would deliver twice; the official service reports
    // each unique channel once, so it publishes once too.
    if (std::find(channels.begin(), channels.end(), name) == channels.end()) channels.push_back(std::move(name));
  }
  return channels;
}

Result<std::vector<std::string>> parse_trigger_channels(const Json& body, const Limits& limits) {
  bool has_array = body.contains("channels");
  bool has_single = body.contains("channel");
  if (has_array && has_single) return make_error("give either channels or channel, not both", 400);
  if (has_array) return parse_channel_array(body["channels"], limits);
  if (!has_single) return make_error("channels (an array of channel names) or channel (a string) is required", 400);
  auto name = required_string(body, "", "channel");
  if (!name) return name.error();
  if (auto error = validate_publish_channel(*name, limits)) return make_error("channel: " + error->message, 400);
  return std::vector<std::string>{std::move(name).value()};
}

std::optional<Error> check_encrypted_alone(const std::vector<std::string>& channels) {
  if (channels.size() < 2) return std::nullopt;
  for (const auto& name : channels) {
    if (classify_channel(name).kind == ChannelKind::kEncrypted) {
      return make_error("cannot trigger to multiple channels when one is encrypted (" + name + ")", 400);
    }
  }
  return std::nullopt;
}

// name, data, socket_id and info: the fields a trigger and a batch item share.
Result<RestEvent> parse_common(const Json& object, std::string_view prefix, const Limits& limits) {
  RestEvent event;
  auto name = required_string(object, prefix, "name");
  if (!name) return name.error();
  if (auto error = validate_event_name(*name, limits.event_name_max)) return field_error(prefix, error->message);
  event.name = std::move(name).value();
  auto data = parse_data(object, prefix, limits);
  if (!data) return data.error();
  event.data = std::move(data).value();
  auto socket_id = optional_string(object, prefix, "socket_id");
  if (!socket_id) return socket_id.error();
  if (*socket_id && !is_valid_socket_id(**socket_id)) {
    return make_error(field_path(prefix, "socket_id") + " '" + **socket_id + "' is not a socket id (digits.digits)",
                      400);
  }
  event.socket_id = std::move(socket_id).value();
  auto info = optional_string(object, prefix, "info");
  if (!info) return info.error();
  if (*info) {
    auto parsed = parse_info(**info, /*allow_cache=*/false);
    if (!parsed) return field_error(prefix, parsed.error().message);
    event.info = *parsed;
  }
  return event;
}

Result<RestEvent> parse_batch_item(const Json& item, std::size_t index, const Limits& limits) {
  std::string prefix = "batch[" + std::to_string(index) + "]";
  if (!item.is_object()) return make_error(prefix + " must be an object, got " + json_type_name(item), 400);
  auto event = parse_common(item, prefix, limits);
  if (!event) return event;
  auto channel = required_string(item, prefix, "channel");
  if (!channel) return channel.error();
  if (auto error = validate_publish_channel(*channel, limits)) {
    return make_error(prefix + ".channel: " + error->message, 400);
  }
  event.value().channels.push_back(std::move(channel).value());
  return event;
}

}  // namespace

Result<Json> parse_json_object_body(std::string_view body) {
  Json parsed = Json::parse(body.begin(), body.end(), nullptr, /*allow_exceptions=*/false);
  if (parsed.is_discarded()) return make_error("request body is not valid JSON", 400);
  if (!parsed.is_object()) return make_error("request body must be a JSON object, got " + json_type_name(parsed), 400);
  return parsed;
}

Result<RestEvent> parse_trigger(const Json& body, const Limits& limits) {
  auto event = parse_common(body, "", limits);
  if (!event) return event;
  auto channels = parse_trigger_channels(body, limits);
  if (!channels) return channels.error();
  if (auto error = check_encrypted_alone(*channels)) return *error;
  event.value().channels = std::move(channels).value();
  return event;
}

Result<std::vector<RestEvent>> parse_batch(const Json& body, const Limits& limits) {
  auto it = body.find("batch");
  if (it == body.end()) return make_error("batch is required (an array of events)", 400);
  if (!it->is_array()) return make_error("batch must be an array of events, got " + json_type_name(*it), 400);
  if (it->empty()) return make_error("batch must hold at least one event", 400);
  if (it->size() > limits.batch_events_max) {
    return make_error("batch holds " + std::to_string(it->size()) + " events; the limit is " +
                          std::to_string(limits.batch_events_max),
                      400);
  }
  std::vector<RestEvent> events;
  for (std::size_t i = 0; i < it->size(); ++i) {
    auto event = parse_batch_item((*it)[i], i, limits);
    if (!event) return event.error();
    events.push_back(std::move(event).value());
  }
  return events;
}

std::optional<Error> validate_publish_channel(std::string_view name, const Limits& limits) {
  bool to_user = classify_channel(name).kind == ChannelKind::kServerToUser;
  if (auto error = validate_channel_name(name, limits.channel_name_max, /*allow_internal=*/to_user)) return error;
  if (to_user) {
    auto user_id = server_to_user_id(name);
    if (auto error = validate_user_id(user_id.value_or(""), limits.presence_user_id_max)) return error;
  }
  return std::nullopt;
}

}  // namespace pushsim
