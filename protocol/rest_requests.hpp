#pragma once
// The REST requests an app server sends (docs/protocol.md §7), as the official Node SDK
// (pusher-http-node 5.x) builds them, byte for byte: JSON bodies with keys in the SDK's order
// (name, data, channels, then socket_id and info; a batch item starts with channel), event
// data as the SDK's ensureJSON makes it, and every request signed with the app secret.
//
// Every REST client in the project builds its requests here: the fake app server
// (fakes::RestCaller) and the scenario executor, whose trigger, batch and query steps go to
// either target through one request each.
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "protocol/http.hpp"
#include "protocol/json.hpp"
#include "protocol/signing.hpp"

namespace pushsim {

// The SDK's ensureJSON: strings unchanged, anything else serialised.
std::string sdk_event_data(const Json& data);

// POST /apps/{id}/events. `data` is as sent (sdk_event_data of the application's value).
struct TriggerBody {
  std::string name;
  std::string data;
  std::vector<std::string> channels;
  // The API also takes one channel as "channel" (the SDK never writes it): for scenarios
  // that check a server accepts that form. Only with exactly one channel.
  bool single_channel_form = false;
  std::optional<std::string> socket_id;  // exclude this connection
  std::optional<std::string> info;       // e.g. "user_count,subscription_count"
};
std::string encode_trigger_body(const TriggerBody& body);

// One event of POST /apps/{id}/batch_events.
struct BatchEventBody {
  std::string channel;
  std::string name;
  std::string data;  // as sent, like TriggerBody::data
  std::optional<std::string> socket_id;
  std::optional<std::string> info;
};
std::string encode_batch_body(const std::vector<BatchEventBody>& events);

// "/apps/{id}{path}": where the app's REST calls go.
std::string app_rest_path(const AppCredentials& app, std::string_view path);

// A request to `path` (the whole path, "/apps/1/events") signed at now_s as the SDK signs it,
// with the Content-Type the SDK sends when there is a body. A GET (a query) has no body.
HttpRequest signed_rest_request(const AppCredentials& app, std::string method, std::string_view path,
                                const QueryParams& params, std::string body, std::int64_t now_s);

}  // namespace pushsim
