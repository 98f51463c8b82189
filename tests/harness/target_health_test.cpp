// The target probe over loopback (a server that is there, a closed port, a server that never
// answers the upgrade), and what a report may quote: redacted, to-server lines only.
#include <catch2/catch.hpp>

#include <chrono>

#include "harness/target_health.hpp"
#include "net/serve_server.hpp"
#include "support/free_port.hpp"
#include "support/rogue_server.hpp"

namespace pushsim::harness {
namespace {

ProbeOptions quick(const std::string& ws_url) {
  ProbeOptions options;
  options.ws_url = ws_url;
  options.app = AppCredentials{"app-id", "app-key", "app-secret"};
  options.connect_max = std::chrono::milliseconds(500);
  options.pong_max = std::chrono::milliseconds(300);
  options.request_max = std::chrono::milliseconds(500);
  options.tries = 2;
  options.pause = std::chrono::milliseconds(50);
  return options;
}

double seconds_since(std::chrono::steady_clock::time_point start) {
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
}

TEST_CASE("the probe finds a server that answers") {
  ServeServer server;
  ServeOptions options;
  options.port = 0;
  REQUIRE_FALSE(server.start(options));
  CHECK(probe_target(quick(server.ws_url())) == std::nullopt);
}

TEST_CASE("the probe finds a closed port gone, at once") {
  const auto start = std::chrono::steady_clock::now();
  const auto why = probe_target(quick("ws://127.0.0.1:" + std::to_string(pushsim::test::free_loopback_port())));
  REQUIRE(why);
  CHECK(why->find("WebSocket ws://127.0.0.1:") == 0);
  CHECK(seconds_since(start) < 1.0);
}

TEST_CASE("the probe finds a server that never answers the upgrade gone, within its deadlines") {
  pushsim::test::RogueThread rogue(pushsim::test::Misbehaviour::kSilentUpgrade);
  const auto start = std::chrono::steady_clock::now();
  const auto why = probe_target(quick(rogue.url()));
  REQUIRE(why);
  CHECK(seconds_since(start) < 2.5);  // two tries of 500 ms, a pause, some slack
}

TEST_CASE("the probe finds a server that closes every connection gone") {
  ServeServer server;
  ServeOptions options;
  options.port = 0;
  AppConfig app = default_app();
  app.max_connections = 0;  // every connection closed at once, 4004
  options.apps.push_back(app);
  REQUIRE_FALSE(server.start(options));
  const auto why = probe_target(quick(server.ws_url()));
  REQUIRE(why);
  CHECK(why->find("WebSocket " + server.ws_url() + ": ") == 0);
}

TEST_CASE("the probe finds a server whose REST API is gone") {
  auto options = quick("");
  options.http_url = "http://127.0.0.1:" + std::to_string(pushsim::test::free_loopback_port());
  ServeServer server;  // the WebSocket side answers; REST goes to a closed port
  ServeOptions serve;
  serve.port = 0;
  REQUIRE_FALSE(server.start(serve));
  options.ws_url = server.ws_url();
  const auto why = probe_target(options);
  REQUIRE(why);
  CHECK(why->find("REST GET /apps/app-id/channels") == 0);
}

TEST_CASE("last_sent quotes only what went to the server, oldest first, at most count") {
  ScenarioResult result;
  result.trace = {
      {1'000'000, "connect", "alice", "server", "/app/app-key"},
      {2'000'000, "deliver", "server", "alice", "{\"event\":\"pusher:connection_established\"}"},
      {3'000'000, "send", "alice", "server", "{\"data\":{\"auth\":\"app-key:abc\"}}"},
      {4'000'000, "http_request", "app", "server", "POST /apps/1/events?auth_signature=ff"},
      {5'000'000, "http_request", "server", "webhooks", "{}"},
  };
  const auto lines = last_sent(result, {"app-secret"}, 2);
  REQUIRE(lines.size() == 2);
  CHECK(lines[0] == "+0.003s alice send {\"data\":{\"auth\":\"app-key:<redacted>\"}}");
  CHECK(lines[1] == "+0.004s app http_request POST /apps/1/events?auth_signature=<redacted>");
  CHECK(last_sent(result, {}, 10).size() == 3);
}

}  // namespace
}  // namespace pushsim::harness
