#include "protocol/server/rest_routes.hpp"

#include <vector>

#include "protocol/http.hpp"

namespace pushsim {
namespace {

constexpr std::string_view kAppsPrefix = "/apps/";

// The segments after "/apps/", decoded. "/apps/1/channels/x" -> {"1", "channels", "x"}.
std::vector<std::string> segments_after_apps(std::string_view path) {
  std::vector<std::string> segments;
  std::string_view rest = path.substr(kAppsPrefix.size());
  while (true) {
    auto slash = rest.find('/');
    segments.push_back(percent_decode_or_keep(rest.substr(0, slash)));
    if (slash == std::string_view::npos) break;
    rest = rest.substr(slash + 1);
  }
  return segments;
}

std::optional<RestRoute> route_of(const std::vector<std::string>& s) {
  // s[0] is the app id; the route is decided by what follows it.
  if (s.size() == 2 && s[1] == "events") return RestRoute{RestEndpoint::kEvents, {}, {}};
  if (s.size() == 2 && s[1] == "batch_events") return RestRoute{RestEndpoint::kBatchEvents, {}, {}};
  if (s.size() == 2 && s[1] == "channels") return RestRoute{RestEndpoint::kChannels, {}, {}};
  if (s.size() == 3 && s[1] == "channels") return RestRoute{RestEndpoint::kChannel, s[2], {}};
  if (s.size() == 4 && s[1] == "channels" && s[3] == "users") {
    return RestRoute{RestEndpoint::kChannelUsers, s[2], {}};
  }
  if (s.size() == 4 && s[1] == "users" && s[3] == "terminate_connections") {
    return RestRoute{RestEndpoint::kTerminateConnections, {}, s[2]};
  }
  return std::nullopt;
}

}  // namespace

std::optional<std::string> rest_app_id(std::string_view path) {
  if (path.substr(0, kAppsPrefix.size()) != kAppsPrefix) return std::nullopt;
  return segments_after_apps(path).front();
}

std::optional<RestRoute> find_rest_route(std::string_view path) {
  if (path.substr(0, kAppsPrefix.size()) != kAppsPrefix) return std::nullopt;
  return route_of(segments_after_apps(path));
}

std::string_view allowed_method(RestEndpoint endpoint) {
  switch (endpoint) {
    case RestEndpoint::kChannels:
    case RestEndpoint::kChannel:
    case RestEndpoint::kChannelUsers: return "GET";
    case RestEndpoint::kEvents:
    case RestEndpoint::kBatchEvents:
    case RestEndpoint::kTerminateConnections: return "POST";
  }
  return "GET";
}

}  // namespace pushsim
