#include "harness/target_health.hpp"

#include <thread>

#include "harness/matcher.hpp"
#include "net/io_loop.hpp"
#include "net/live_connection.hpp"
#include "net/real_clock.hpp"
#include "net/rest_client.hpp"

namespace pushsim::harness {
namespace {

std::string http_url_of(const ProbeOptions& options) {
  if (!options.http_url.empty()) return options.http_url;
  const std::string& ws = options.ws_url;
  if (ws.starts_with("wss://")) return "https://" + ws.substr(6);
  if (ws.starts_with("ws://")) return "http://" + ws.substr(5);
  return ws;
}

std::optional<std::string> probe_websocket(IoLoop& loop, const ProbeOptions& options) {
  LiveConnectionOptions live;
  live.url = options.ws_url;
  live.app_key = options.app.key;
  live.tls_verify = options.tls_verify;
  LiveConnection connection(loop, live);
  const std::string where = "WebSocket " + options.ws_url;
  if (auto error = connection.connect(deadline_after(options.connect_max))) return where + ": " + error->message;
  if (auto error = connection.send_ping()) return where + ": " + error->message;
  auto pong = connection.wait_for_frame([](const Frame& frame) { return frame.event == "pusher:pong"; },
                                        deadline_after(options.pong_max), "pusher:pong");
  // A server that does not answer pings is odd but present; one that closes is going away.
  if (!pong && (connection.stage() == LiveStage::kClosed || connection.stage() == LiveStage::kClosing)) {
    const auto code = connection.close_code();
    return where + ": closed the connection right after connection_established" +
           (code ? " (code " + std::to_string(*code) + ")" : std::string(" (no close frame)"));
  }
  connection.drop();
  loop.poll();
  return std::nullopt;
}

std::optional<std::string> probe_rest(IoLoop& loop, const ProbeOptions& options) {
  RestClientOptions rest;
  rest.base_url = http_url_of(options);
  rest.app = options.app;
  rest.tls_verify = options.tls_verify;
  RestClient client(loop, rest);
  auto answer = client.get("/channels", {}, deadline_after(options.request_max));
  if (!answer)
    return "REST GET " + client.app_path("/channels") + " at " + rest.base_url + ": " + answer.error().message;
  return std::nullopt;
}

}  // namespace

std::optional<std::string> probe_target(const ProbeOptions& options) {
  std::optional<std::string> why;
  for (int attempt = 0; attempt < std::max(1, options.tries); ++attempt) {
    if (attempt > 0) std::this_thread::sleep_for(options.pause);
    IoLoop loop;
    why = probe_websocket(loop, options);
    if (!why) why = probe_rest(loop, options);
    if (!why) return std::nullopt;
  }
  return why;
}

std::vector<std::string> last_sent(const ScenarioResult& result, const std::vector<std::string>& secrets,
                                   std::size_t count) {
  constexpr std::size_t kLineMax = 300;
  std::vector<std::string> out;
  for (auto it = result.trace.rbegin(); it != result.trace.rend() && out.size() < count; ++it) {
    if (it->to != "server") continue;
    if (it->kind != "send" && it->kind != "connect" && it->kind != "http_request" && it->kind != "close" &&
        it->kind != "fault") {
      continue;
    }
    std::string line = format_offset(it->at) + " " + it->from + " " + it->kind + " " + redact(it->text, secrets);
    if (line.size() > kLineMax) line = line.substr(0, kLineMax) + "...";
    out.push_back(std::move(line));
  }
  return {out.rbegin(), out.rend()};
}

}  // namespace pushsim::harness
