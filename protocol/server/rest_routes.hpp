#pragma once
// The REST API's routes (docs/protocol.md §7): every path is /apps/{app_id}/..., and path segments
// are percent-decoded one by one, so an encoded '/' can never split a channel name.
#include <optional>
#include <string>
#include <string_view>

namespace pushsim {

enum class RestEndpoint {
  kEvents,                // POST /apps/{id}/events
  kBatchEvents,           // POST /apps/{id}/batch_events
  kChannels,              // GET  /apps/{id}/channels
  kChannel,               // GET  /apps/{id}/channels/{channel}
  kChannelUsers,          // GET  /apps/{id}/channels/{channel}/users
  kTerminateConnections,  // POST /apps/{id}/users/{user_id}/terminate_connections
};

struct RestRoute {
  RestEndpoint endpoint = RestEndpoint::kEvents;
  std::string channel;  // decoded; kChannel and kChannelUsers
  std::string user_id;  // decoded; kTerminateConnections
};

// The decoded {app_id} of "/apps/{app_id}/...", or nullopt when the path is not under /apps/.
std::optional<std::string> rest_app_id(std::string_view path);

// The route of a path under /apps/{app_id}, whatever the method; nullopt when there is none.
std::optional<RestRoute> find_rest_route(std::string_view path);

// "GET" or "POST": the one method a route accepts (others get 405 with an Allow header).
std::string_view allowed_method(RestEndpoint endpoint);

}  // namespace pushsim
