#include "protocol/server/rest_info.hpp"

#include <string>

#include "protocol/channel_name.hpp"

namespace pushsim {
namespace {

std::string_view trim(std::string_view text) {
  while (!text.empty() && (text.front() == ' ' || text.front() == '\t')) text.remove_prefix(1);
  while (!text.empty() && (text.back() == ' ' || text.back() == '\t')) text.remove_suffix(1);
  return text;
}

std::optional<Error> set_attribute(InfoRequest& info, std::string_view name, bool allow_cache) {
  if (name == "user_count") {
    info.user_count = true;
  } else if (name == "subscription_count") {
    info.subscription_count = true;
  } else if (name == "cache" && allow_cache) {
    info.cache = true;
  } else {
    std::string accepted = allow_cache ? "user_count, subscription_count or cache" : "user_count or subscription_count";
    return make_error("info attribute '" + std::string(name) + "' is not supported; expected " + accepted, 400);
  }
  return std::nullopt;
}

// Seconds left, rounded up so that an entry still cached never reports a ttl of 0.
std::int64_t seconds_left(TimeNs expires_at, TimeNs now) {
  DurationNs left = expires_at > now ? expires_at - now : 0;
  return (left + kNsPerSecond - 1) / kNsPerSecond;
}

}  // namespace

Result<InfoRequest> parse_info(std::string_view list, bool allow_cache) {
  InfoRequest info;
  while (true) {
    auto comma = list.find(',');
    std::string_view name = trim(list.substr(0, comma));
    if (!name.empty()) {
      if (auto error = set_attribute(info, name, allow_cache)) return *error;
    }
    if (comma == std::string_view::npos) break;
    list.remove_prefix(comma + 1);
  }
  return info;
}

Json channel_attributes(std::string_view name, const ChannelSnapshot& channel, const InfoRequest& info,
                        const AppConfig& app, TimeNs now) {
  Json attributes = Json::object();
  ChannelType type = classify_channel(name);
  if (info.user_count && type.kind == ChannelKind::kPresence) attributes["user_count"] = channel.members.size();
  if (info.subscription_count && app.subscription_count) {
    attributes["subscription_count"] = channel.subscription_count;
  }
  if (info.cache && type.cache) {
    if (channel.cache) {
      attributes["cache"] = Json{{"data", channel.cache->data}, {"ttl", seconds_left(channel.cache->expires_at, now)}};
    } else {
      attributes["cache"] = nullptr;
    }
  }
  return attributes;
}

}  // namespace pushsim
