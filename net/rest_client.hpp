#pragma once
// A client for a Pusher-compatible server's HTTP REST API (docs/protocol.md §7): every request is
// signed as the official Node SDK signs it (sign_rest_request), with the real time as
// auth_timestamp, and sent on its own connection. Calls block by running the caller's IoLoop
// until the response arrives or the deadline passes; they never throw.
#include <chrono>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "net/io_loop.hpp"
#include "net/real_clock.hpp"
#include "net/url.hpp"
#include "protocol/http.hpp"
#include "protocol/json.hpp"
#include "protocol/result.hpp"
#include "protocol/signing.hpp"

namespace pushsim {

struct RestClientOptions {
  std::string base_url = "http://127.0.0.1:6001";  // scheme, host, port; a path prefix is kept
  AppCredentials app;
  bool tls_verify = true;
  std::size_t response_body_max_bytes = 8 * 1024 * 1024;
};

// An event to publish with POST /events (one of the SDK's trigger calls).
struct TriggerRequest {
  std::vector<std::string> channels;
  std::string event;
  std::string data;                      // sent verbatim as the "data" string
  std::optional<std::string> socket_id;  // excluded recipient
  std::optional<std::string> info;
};

class RestClient {
 public:
  // The URL is checked by the first request, which then fails with the parse error.
  RestClient(IoLoop& loop, RestClientOptions options);

  // Signs and sends. path is absolute ("/apps/1/channels"); params exclude the auth_* ones.
  // Any HTTP status is a response; an Error means no complete response arrived in time.
  Result<HttpResponse> request(std::string_view method, std::string_view path, const QueryParams& params,
                               std::string_view body, SteadyTime deadline);

  // Sends a prepared request as it is (no signing: the caller signed it, or deliberately did
  // not); the base URL's path prefix is put before its target.
  Result<HttpResponse> send(HttpRequest request, SteadyTime deadline);

  // "/apps/{app_id}" + suffix, e.g. app_path("/events").
  std::string app_path(std::string_view suffix) const;

  // The SDK's usual calls.
  Result<HttpResponse> trigger(const TriggerRequest& trigger, SteadyTime deadline);
  Result<HttpResponse> trigger_batch(const Json& batch, SteadyTime deadline);  // the "batch" array
  Result<HttpResponse> get(std::string_view suffix, const QueryParams& params, SteadyTime deadline);

  // Encodes a TriggerRequest as the SDK does: name, data, channels, then the extras.
  static std::string encode_trigger(const TriggerRequest& trigger);

 private:
  IoLoop& loop_;
  RestClientOptions options_;
};

}  // namespace pushsim
