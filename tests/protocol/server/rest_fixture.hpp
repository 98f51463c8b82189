#pragma once
// The engine fixture plus REST requests signed exactly as the Node SDK signs them
// (sign_rest_request, as vectors.json checks), sent through handle_rest_request.
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "protocol/http.hpp"
#include "protocol/json.hpp"
#include "protocol/server/rest_api.hpp"
#include "protocol/signing.hpp"
#include "tests/protocol/server/engine_fixture.hpp"

namespace pushsim::test {

struct RestFixture : EngineFixture {
  explicit RestFixture(AppConfig app = test_app(), EngineOptions options = test_options())
      : EngineFixture(std::move(options), {app}), credentials(app.credentials()) {}

  // Signs in as user_id with user_data {"id": user_id}, and drops the reply.
  void signin_as(ConnectionId id, const std::string& user_id) {
    signin(id, Json{{"id", user_id}}.dump());
    take(id);
  }

  HttpRequest signed_request(const std::string& method, const std::string& path, const QueryParams& params = {},
                             const std::string& body = "", std::optional<std::int64_t> timestamp = std::nullopt) const {
    auto request = sign_rest_request(credentials, method, path, params, body, timestamp.value_or(to_unix_seconds(now)));
    HttpRequest http;
    http.method = request.method;
    http.target = request.target();
    http.body = request.body;
    if (!body.empty()) http.headers.emplace_back("Content-Type", "application/json");
    return http;
  }
  HttpResponse handle(const HttpRequest& request) {
    HttpResponse response = handle_rest_request(engine, now, request);
    collect();
    return response;
  }
  // Requests to /apps/1{path}.
  HttpResponse post(const std::string& path, const Json& body, const QueryParams& params = {}) {
    return handle(signed_request("POST", "/apps/1" + path, params, body.dump()));
  }
  HttpResponse post_raw(const std::string& path, const std::string& body) {
    return handle(signed_request("POST", "/apps/1" + path, {}, body));
  }
  HttpResponse get(const std::string& path, const QueryParams& params = {}) {
    return handle(signed_request("GET", "/apps/1" + path, params));
  }

  AppCredentials credentials;  // what requests are signed with; tests spoil it on purpose
};

// {"error": message} as the API writes it.
inline std::string error_body(const std::string& message) { return Json{{"error", message}}.dump(); }

}  // namespace pushsim::test
