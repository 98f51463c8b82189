#pragma once
// What `pushsim serve` (and the embeddable ServeServer) runs: the address, the apps, the
// engine's options, and the limits of the live front. Filled from command-line flags
// (--app ID:KEY:SECRET, --webhook URL) or a JSON config file.
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "net/wire_log.hpp"
#include "protocol/result.hpp"
#include "protocol/server/engine.hpp"

namespace pushsim {

struct ServeOptions {
  std::string host = "127.0.0.1";
  std::uint16_t port = 6001;    // 0: an ephemeral port (ServeServer::port() tells which)
  std::vector<AppConfig> apps;  // empty: the one default app
  EngineOptions engine;
  std::optional<std::uint64_t> seed;  // for socket ids; drawn from the OS when unset
  int io_threads = 2;
  // A WebSocket message above this ends the connection (close 1009); below it, messages over
  // the engine's client_frame_max_bytes get the engine's pusher:error instead.
  std::size_t websocket_message_max_bytes = 1024 * 1024;
  std::size_t http_body_max_bytes = 1024 * 1024;
  // Frames queued for one slow connection beyond this close it (4100, over capacity).
  std::size_t send_queue_max_bytes = 16 * 1024 * 1024;
  std::chrono::milliseconds handshake_timeout{10'000};  // WebSocket upgrade and close handshakes
  std::chrono::milliseconds http_read_timeout{30'000};  // one request, or keep-alive idleness
  std::chrono::milliseconds shutdown_grace{2'000};      // for the 4200 closes to go out
  // `serve --cluster redis://HOST:PORT[/DB]`: this server is one node of a cluster sharing its
  // state through that Redis (net/redis_cluster_link.hpp); none: a single server.
  struct Cluster {
    std::string redis_url;
    std::optional<std::uint32_t> node_id;  // none: a fresh id from Redis
    std::string prefix = "pushsim";        // key prefix: clusters with different prefixes never meet
    // Where the cluster link logs a lost or regained Redis; stderr when unset.
    std::function<void(const std::string&)> log;
  };
  std::optional<Cluster> cluster;
  // Sees each text frame a client sent, on the engine's strand, before the engine does. For
  // test programs that stand in for a server with a crash bug (tests/programs/); none in pushsim.
  std::function<void(std::string_view text)> on_client_text;
  // The wire log (`pushsim serve --log`): every frame in and out per connection (named by its
  // socket id), every REST request and answer, every webhook POST and its answer, on the
  // monotonic_now clock; the app secrets are masked. None: nothing logged. Outlives the server.
  WireSink* wire_log = nullptr;
};

// app-id:app-key:app-secret, the credentials the Pusher SDKs' examples and soketi default to.
AppConfig default_app();
// "ID:KEY:SECRET"; none of the three may be empty (the secret may contain ':').
Result<AppConfig> parse_app_spec(std::string_view spec);
// Adds a webhook receiving every event type to every app.
void add_webhook_to_all_apps(ServeOptions& options, const std::string& url);

// JSON config:
//   {"host": "127.0.0.1", "port": 6001, "seed": 1, "activity_timeout_s": 120,
//    "webhook_removal_delay_ms": 3000, "webhook_retry_window_ms": 300000,
//    "apps": [{"id": "...", "key": "...", "secret": "...", "enabled": true,
//              "client_events": true, "user_authentication_required": false,
//              "authorization_timeout_ms": 30000, "subscription_count": false,
//              "batch_webhooks": false, "max_connections": 100, "max_messages": 1000000,
//              "webhooks": [{"url": "http://...", "event_types": ["channel_occupied"]}]}]}
// Every key is optional; unknown keys are an error (a typo should not pass silently).
Result<ServeOptions> parse_serve_config(std::string_view json_text);
Result<ServeOptions> load_serve_config(const std::string& path);

}  // namespace pushsim
