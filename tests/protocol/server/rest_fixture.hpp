#pragma once
// A reference engine with one app (the vectors.json credentials), connections driven by
// frames, and REST requests signed exactly as the Node SDK signs them.
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "protocol/frame.hpp"
#include "protocol/http.hpp"
#include "protocol/json.hpp"
#include "protocol/random.hpp"
#include "protocol/server/engine.hpp"
#include "protocol/server/rest_api.hpp"
#include "protocol/signing.hpp"
#include "protocol/time.hpp"

namespace pushsim::test {

inline AppConfig rest_test_app() {
  AppConfig app;
  app.id = "1";
  app.key = "app-key";
  app.secret = "app-secret";
  return app;
}

struct RestFixture {
  explicit RestFixture(AppConfig app = rest_test_app(), EngineOptions options = {})
      : credentials(app.credentials()), engine(options, make_apps(std::move(app)), rng) {}

  static std::vector<AppConfig> make_apps(AppConfig app) {
    AppConfig other = rest_test_app();
    other.id = "2";
    other.key = "other-key";
    other.secret = "other-secret";
    return {std::move(app), std::move(other)};
  }

  // --- connections ---------------------------------------------------------------------
  // Opens a connection and returns its socket_id; its outputs so far are dropped.
  std::string connect(ConnectionId id) {
    engine.on_open(now, id, "/app/app-key?protocol=7&client=js&version=8.4.0&flash=false");
    drain();
    return engine.socket_id(id).value_or("");
  }
  std::string socket_of(ConnectionId id) const { return engine.socket_id(id).value_or(""); }

  void send(ConnectionId id, const Json& frame) {
    engine.on_text(now, id, frame.dump());
    drain();
  }
  void subscribe(ConnectionId id, const std::string& channel) {
    Json data = {{"auth", ""}, {"channel", channel}};
    if (channel.rfind("private-", 0) == 0) data["auth"] = sign_channel(credentials, socket_of(id), channel);
    send(id, {{"event", "pusher:subscribe"}, {"data", data}});
  }
  void subscribe_presence(ConnectionId id, const std::string& channel, const std::string& user_id) {
    std::string channel_data = Json{{"user_id", user_id}, {"user_info", {{"name", user_id}}}}.dump();
    Json data = {{"auth", sign_channel(credentials, socket_of(id), channel, channel_data)},
                 {"channel", channel},
                 {"channel_data", channel_data}};
    send(id, {{"event", "pusher:subscribe"}, {"data", data}});
  }
  void signin(ConnectionId id, const std::string& user_id) {
    std::string user_data = Json{{"id", user_id}}.dump();
    Json data = {{"auth", sign_user(credentials, socket_of(id), user_data)}, {"user_data", user_data}};
    send(id, {{"event", "pusher:signin"}, {"data", data}});
  }

  // Moves every output into per-connection logs.
  void drain() {
    for (auto& output : engine.take_outputs()) {
      if (auto* frame = std::get_if<SendFrame>(&output)) {
        frames[frame->connection].push_back(*frame->text);
      } else if (auto* close = std::get_if<CloseConnection>(&output)) {
        closes[close->connection].push_back(close->code);
      }
    }
  }
  // Frames sent to a connection since the last call, and forgets them.
  std::vector<std::string> take_frames(ConnectionId id) {
    drain();
    auto out = std::move(frames[id]);
    frames[id].clear();
    return out;
  }

  // --- REST ----------------------------------------------------------------------------
  HttpRequest signed_request(const std::string& method, const std::string& path, const QueryParams& params = {},
                             const std::string& body = "", std::optional<std::int64_t> timestamp = std::nullopt) const {
    auto signed_ = sign_rest_request(credentials, method, path, params, body, timestamp.value_or(to_unix_seconds(now)));
    HttpRequest request;
    request.method = signed_.method;
    request.target = signed_.target();
    request.body = signed_.body;
    if (!body.empty()) request.headers.emplace_back("Content-Type", "application/json");
    return request;
  }
  HttpResponse handle(const HttpRequest& request) {
    HttpResponse response = handle_rest_request(engine, now, request);
    drain();
    return response;
  }
  HttpResponse post(const std::string& path, const Json& body, const QueryParams& params = {}) {
    return handle(signed_request("POST", "/apps/1" + path, params, body.dump()));
  }
  HttpResponse post_raw(const std::string& path, const std::string& body) {
    return handle(signed_request("POST", "/apps/1" + path, {}, body));
  }
  HttpResponse get(const std::string& path, const QueryParams& params = {}) {
    return handle(signed_request("GET", "/apps/1" + path, params));
  }

  TimeNs now = kSimulationEpoch;
  AppCredentials credentials;
  Rng rng{20240601};
  Engine engine;
  std::map<ConnectionId, std::vector<std::string>> frames;
  std::map<ConnectionId, std::vector<int>> closes;
};

// {"error": message} as the API writes it.
inline std::string error_body(const std::string& message) { return Json{{"error", message}}.dump(); }

}  // namespace pushsim::test
