#pragma once
// The fake app server's REST client: the signed requests the official Node SDK
// (pusher-http-node 5.x) sends, byte for byte, built by protocol/rest_requests.hpp, with the
// SDK's library header. It only builds requests; the world carries them over the simulated
// network.
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "protocol/http.hpp"
#include "protocol/json.hpp"
#include "protocol/rest_requests.hpp"
#include "protocol/signing.hpp"
#include "protocol/time.hpp"

namespace pushsim::fakes {

struct TriggerParams {
  std::optional<std::string> socket_id;  // exclude this connection
  std::optional<std::string> info;       // e.g. "user_count,subscription_count"
};

struct BatchItem {
  std::string channel;
  std::string name;
  Json data;  // a string is sent as is, anything else JSON-encoded
  TriggerParams params;
};

class RestCaller {
 public:
  explicit RestCaller(AppCredentials app) : app_(std::move(app)) {}
  const AppCredentials& app() const { return app_; }

  // POST /apps/{id}/events
  HttpRequest trigger(TimeNs now, const std::vector<std::string>& channels, std::string_view event, const Json& data,
                      const TriggerParams& params = {}) const;
  // POST /apps/{id}/batch_events
  HttpRequest trigger_batch(TimeNs now, const std::vector<BatchItem>& batch) const;
  // POST /apps/{id}/events to #server-to-user-{user_id}
  HttpRequest send_to_user(TimeNs now, std::string_view user_id, std::string_view event, const Json& data) const;
  // POST /apps/{id}/users/{user_id}/terminate_connections
  HttpRequest terminate_user_connections(TimeNs now, std::string_view user_id) const;
  // GET /apps/{id}{path} with query parameters, e.g. path "/channels/presence-foo/users".
  HttpRequest get(TimeNs now, std::string_view path, const QueryParams& params = {}) const;

 private:
  HttpRequest post(TimeNs now, std::string path, std::string body) const;

  AppCredentials app_;
};

}  // namespace pushsim::fakes
