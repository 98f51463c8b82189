// The REST API's front door: find the app, check the signature, find the route, dispatch.
//
// Order of checks, and why:
//   1. the path must be /apps/{id}/... and the app must exist (404): nothing can be checked
//      without the app's secret;
//   2. the query string must decode (400) and the request must be signed by the app (401,
//      or 400 for a wrong auth_version / missing parameter, as verify_rest_request says);
//   3. a disabled app answers 403, but only to its own signed requests, so an unsigned caller
//      cannot learn which apps are disabled;
//   4. the route (404) and the method (405), then the endpoint's own validation.
#include "protocol/server/rest_api.hpp"

#include <string>

#include "protocol/channel_name.hpp"
#include "protocol/server/engine.hpp"
#include "protocol/server/rest_event.hpp"
#include "protocol/server/rest_publish.hpp"
#include "protocol/server/rest_query.hpp"
#include "protocol/server/rest_response.hpp"
#include "protocol/server/rest_routes.hpp"
#include "protocol/signing.hpp"

namespace pushsim {
namespace {

// Signatures are checked against the path exactly as it came over the wire. An SDK that
// percent-encodes a channel name in the path may have signed the decoded form instead, so
// that is accepted too; the first error is the one reported.
std::optional<Error> verify_signature(const Engine& engine, TimeNs now, const AppConfig& app,
                                      const HttpRequest& request, const QueryParams& params) {
  std::string_view path = request.path();
  auto now_s = to_unix_seconds(now);
  auto error =
      verify_rest_request(app.credentials(), request.method, path, params, request.body, now_s, engine.options().rest);
  if (!error) return std::nullopt;
  std::string decoded = percent_decode_or_keep(path);
  if (decoded == path) return error;
  if (!verify_rest_request(app.credentials(), request.method, decoded, params, request.body, now_s,
                           engine.options().rest)) {
    return std::nullopt;
  }
  return error;
}

// "No additional parameters needed or allowed": an empty body or {} (what the SDK sends).
HttpResponse handle_terminate(Engine& engine, TimeNs now, const AppConfig& app, std::string_view user_id,
                              std::string_view body) {
  if (auto error = validate_user_id(user_id, engine.options().limits.presence_user_id_max)) {
    return rest_error_response(400, error->message);
  }
  if (!body.empty()) {
    auto json = parse_json_object_body(body);
    if (!json) return rest_error_response(json.error());
  }
  engine.terminate_user_connections(now, app, user_id);
  return rest_json_response(200, Json::object());
}

HttpResponse dispatch(Engine& engine, TimeNs now, const AppConfig& app, const HttpRequest& request,
                      const QueryParams& params) {
  std::string_view path = request.path();
  auto route = find_rest_route(path);
  if (!route) return rest_error_response(404, "No route for " + request.method + " " + std::string(path));
  std::string_view allowed = allowed_method(route->endpoint);
  if (request.method != allowed) {
    HttpResponse response = rest_error_response(
        405, "Method " + request.method + " is not allowed for " + std::string(path) + "; use " + std::string(allowed));
    response.headers.emplace_back("Allow", std::string(allowed));
    return response;
  }
  switch (route->endpoint) {
    case RestEndpoint::kEvents: return handle_trigger(engine, now, app, request.body);
    case RestEndpoint::kBatchEvents: return handle_batch_trigger(engine, now, app, request.body);
    case RestEndpoint::kChannels: return handle_channels_query(engine, now, app, params);
    case RestEndpoint::kChannel: return handle_channel_query(engine, now, app, route->channel, params);
    case RestEndpoint::kChannelUsers: return handle_users_query(engine, now, app, route->channel);
    case RestEndpoint::kTerminateConnections: return handle_terminate(engine, now, app, route->user_id, request.body);
  }
  return rest_error_response(404, "No route");
}

}  // namespace

HttpResponse handle_rest_request(Engine& engine, TimeNs now, const HttpRequest& request) {
  auto app_id = rest_app_id(request.path());
  if (!app_id) return rest_error_response(404, "No route for " + request.method + " " + std::string(request.path()));
  // 404 for an unknown app is soketi's answer; the official one is unconfirmed.
  const AppConfig* app = engine.app_by_id(*app_id);
  if (app == nullptr) return rest_error_response(404, "Unknown app");
  auto params = parse_query(request.raw_query());
  if (!params) return rest_error_response(400, params.error().message);
  if (auto error = verify_signature(engine, now, *app, request, *params)) {
    return rest_error_response(error->code.value_or(401), error->message);
  }
  if (!app->enabled && !engine.options().defects.has(Defect::kDisabledAppServed)) {
    return rest_error_response(403, "App is disabled");
  }
  return dispatch(engine, now, *app, request, *params);
}

}  // namespace pushsim
