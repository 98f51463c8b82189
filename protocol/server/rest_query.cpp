#include "protocol/server/rest_query.hpp"

#include <string>

#include "protocol/channel_name.hpp"
#include "protocol/server/rest_event.hpp"
#include "protocol/server/rest_info.hpp"
#include "protocol/server/rest_response.hpp"

namespace pushsim {
namespace {

constexpr std::string_view kPresencePrefix = "presence-";

Result<InfoRequest> info_param(const QueryParams& params, bool allow_cache) {
  auto info = query_param(params, "info");
  if (!info) return InfoRequest{};
  return parse_info(*info, allow_cache);
}

// Which attributes the one-channel query may ask of this channel: the docs answer 400 for an
// attribute that does not apply, e.g. user_count of a public channel.
std::optional<Error> check_applicable(std::string_view channel, const InfoRequest& info) {
  ChannelType type = classify_channel(channel);
  if (info.user_count && type.kind != ChannelKind::kPresence) {
    return make_error("user_count is only available for presence channels; " + std::string(channel) + " is " +
                          std::string(to_string(type.kind)),
                      400);
  }
  if (info.cache && !type.cache) {
    return make_error("cache is only available for cache channels; " + std::string(channel) + " is not one", 400);
  }
  return std::nullopt;
}

}  // namespace

std::optional<std::string_view> query_param(const QueryParams& params, std::string_view key) {
  for (const auto& [name, value] : params) {
    if (name == key) return std::string_view(value);
  }
  return std::nullopt;
}

HttpResponse handle_channels_query(const Engine& engine, TimeNs now, const AppConfig& app, const QueryParams& params) {
  auto info = info_param(params, /*allow_cache=*/false);
  if (!info) return rest_error_response(info.error());
  std::string_view prefix = query_param(params, "filter_by_prefix").value_or("");
  // user_count exists only for presence channels, so the whole listing must be limited to them.
  if (info->user_count && !prefix.starts_with(kPresencePrefix)) {
    return rest_error_response(400, "user_count may only be requested together with filter_by_prefix=presence-");
  }
  Json channels = Json::object();
  for (const auto& channel : engine.channels(app.id, now)) {
    if (!channel.name.starts_with(prefix)) continue;
    channels[channel.name] = channel_attributes(channel.name, channel, *info, app, now);
  }
  return rest_json_response(200, Json{{"channels", channels}});
}

HttpResponse handle_channel_query(const Engine& engine, TimeNs now, const AppConfig& app, std::string_view channel,
                                  const QueryParams& params) {
  if (auto error = validate_publish_channel(channel, engine.options().limits))
    return rest_error_response(400, error->message);
  auto info = info_param(params, /*allow_cache=*/true);
  if (!info) return rest_error_response(info.error());
  if (auto error = check_applicable(channel, *info)) return rest_error_response(*error);
  ChannelSnapshot snapshot = engine.channel(app.id, channel, now);
  Json body = channel_attributes(channel, snapshot, *info, app, now);
  body["occupied"] = snapshot.occupied();
  return rest_json_response(200, body);
}

HttpResponse handle_users_query(const Engine& engine, TimeNs now, const AppConfig& app, std::string_view channel) {
  if (auto error = validate_publish_channel(channel, engine.options().limits))
    return rest_error_response(400, error->message);
  ChannelType type = classify_channel(channel);
  if (type.kind != ChannelKind::kPresence) {
    return rest_error_response(400, "users can only be listed for presence channels; " + std::string(channel) + " is " +
                                        std::string(to_string(type.kind)));
  }
  Json users = Json::array();
  for (const auto& member : engine.channel(app.id, channel, now).members) users.push_back(Json{{"id", member.user_id}});
  return rest_json_response(200, Json{{"users", users}});
}

}  // namespace pushsim
