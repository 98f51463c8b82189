#pragma once
// Is a live target still there? The probe the suite runs after a scenario that failed (and,
// with --server-cmd, after every scenario): a WebSocket connection that gets
// pusher:connection_established and stays open through a pusher:ping, and a signed REST GET
// that gets any HTTP answer. A target that refuses TCP, never completes the handshake, closes
// every connection at once (4200, or abruptly) or leaves REST unanswered fails it. Each try
// is bounded; a failed try is repeated after a pause, so that one slow moment is not taken
// for a server that went away.
//
// Also here: what a report quotes about the moments before: the last frames and REST requests
// pushsim sent, with the app secret and every signature redacted.
#include <chrono>
#include <optional>
#include <string>
#include <vector>

#include "harness/run_result.hpp"
#include "net/wire_log.hpp"  // redact
#include "protocol/signing.hpp"

namespace pushsim::harness {

struct ProbeOptions {
  std::string ws_url;
  std::string http_url;  // empty: ws_url with http(s)
  AppCredentials app;
  bool tls_verify = true;
  std::chrono::milliseconds connect_max{2'000};  // TCP, TLS, upgrade, connection_established
  std::chrono::milliseconds pong_max{1'000};     // a close within this fails; silence does not
  std::chrono::milliseconds request_max{2'000};  // the REST GET
  int tries = 3;
  std::chrono::milliseconds pause{250};  // between tries
};

// nullopt: the target is there. Else what the last try saw, e.g.
// "WebSocket ws://127.0.0.1:6001: TCP connect: Connection refused".
std::optional<std::string> probe_target(const ProbeOptions& options);

// The last `count` things pushsim sent the server in this scenario (connects, frames, REST
// requests), oldest first, as "+0.120s alice send {...}", redacted and each cut at 300 bytes.
std::vector<std::string> last_sent(const ScenarioResult& result, const std::vector<std::string>& secrets,
                                   std::size_t count = 8);

}  // namespace pushsim::harness
