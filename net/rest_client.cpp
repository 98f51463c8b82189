#include "net/rest_client.hpp"

#include <memory>

#include "net/detail/http_exchange.hpp"
#include "protocol/client/client_frames.hpp"

namespace pushsim {

namespace {

std::string path_prefix(const Url& base) {
  std::string prefix = base.target == "/" ? "" : base.target;
  while (!prefix.empty() && prefix.back() == '/') prefix.pop_back();
  return prefix;
}

}  // namespace

RestClient::RestClient(IoLoop& loop, RestClientOptions options) : loop_(loop), options_(std::move(options)) {}

std::string RestClient::app_path(std::string_view suffix) const {
  return "/apps/" + options_.app.app_id + std::string(suffix);
}

Result<HttpResponse> RestClient::request(std::string_view method, std::string_view path, const QueryParams& params,
                                         std::string_view body, SteadyTime deadline) {
  auto base = parse_url(options_.base_url);
  if (!base) return base.error();
  // A base URL with a path (a server behind a prefix) signs and sends the prefixed path.
  const std::string prefix = path_prefix(*base);
  SignedRestRequest signed_request =
      sign_rest_request(options_.app, method, prefix + std::string(path), params, body, to_unix_seconds(real_now()));
  HttpRequest http;
  http.method = signed_request.method;
  http.target = signed_request.target().substr(prefix.size());
  http.body = signed_request.body;
  if (!http.body.empty()) http.headers.emplace_back("Content-Type", "application/json");
  return send(std::move(http), deadline);
}

Result<HttpResponse> RestClient::send(HttpRequest http, SteadyTime deadline) {
  auto base = parse_url(options_.base_url);
  if (!base) return base.error();
  if (base->scheme != "http" && base->scheme != "https") return make_error("REST base URL must be http:// or https://");
  http.target = path_prefix(*base) + http.target;
  const std::string what = http.method + " " + http.target.substr(0, http.target.find('?'));

  detail::HttpExchangeOptions exchange;
  exchange.timeout = time_left(deadline);
  exchange.tls_verify = options_.tls_verify;
  exchange.response_body_max_bytes = options_.response_body_max_bytes;
  // Shared with the completion: a late completion (after we gave up) writes into it harmlessly.
  auto outcome = std::make_shared<std::optional<Result<HttpResponse>>>();
  detail::start_http_exchange(loop_.context(), *base, std::move(http), exchange,
                              [outcome](Result<HttpResponse> result) { *outcome = std::move(result); });
  // The exchange's own deadline fires first; the extra second only guards against a stuck resolver.
  loop_.run_until([&] { return outcome->has_value(); }, deadline + std::chrono::seconds(1));
  if (!outcome->has_value()) return make_error(what + ": no response before the deadline");
  return std::move(**outcome);
}

std::string RestClient::encode_trigger(const TriggerRequest& trigger) {
  // Json sorts keys; the SDK's order (name, data, channels, extras) is written by hand.
  std::string body = "{\"name\":" + dump_json(trigger.event) + ",\"data\":" + dump_json(trigger.data) +
                     ",\"channels\":" + dump_json(trigger.channels);
  if (trigger.socket_id) body += ",\"socket_id\":" + dump_json(*trigger.socket_id);
  if (trigger.info) body += ",\"info\":" + dump_json(*trigger.info);
  return body + "}";
}

Result<HttpResponse> RestClient::trigger(const TriggerRequest& trigger, SteadyTime deadline) {
  return request("POST", app_path("/events"), {}, encode_trigger(trigger), deadline);
}

Result<HttpResponse> RestClient::trigger_batch(const Json& batch, SteadyTime deadline) {
  Json body = {{"batch", batch}};
  return request("POST", app_path("/batch_events"), {}, dump_json(body), deadline);
}

Result<HttpResponse> RestClient::get(std::string_view suffix, const QueryParams& params, SteadyTime deadline) {
  return request("GET", app_path(suffix), params, "", deadline);
}

}  // namespace pushsim
