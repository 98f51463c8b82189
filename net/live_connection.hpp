#pragma once
// A live WebSocket connection to a Pusher-compatible server, driving a ProtocolClient with the
// real clock: ws:// or wss:// (OpenSSL; certificates verified unless told otherwise) to
// /app/{key}?protocol=7&client=pushsim&version=0.1.0.
//
// Theory of operation. All I/O runs on the caller's IoLoop, from the caller's thread, and only
// inside the calls that wait (connect, wait_for, close): each takes a deadline, so nothing
// here can hang. Received frames go to the ProtocolClient and are recorded with their
// arrival time; the client's outputs are carried out at once (text written through a queue
// with one write in flight, auth requests answered by the Authorizer callback, closes sent).
// What the server does wrong (garbage, binary frames, an oversized message, silence, a TCP
// close in the middle of a frame) becomes an Error value naming what happened; the
// connection records it in errors() and the wait that could not succeed returns it.
#include <chrono>
#include <cstddef>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "net/io_loop.hpp"
#include "net/real_clock.hpp"
#include "protocol/client/protocol_client.hpp"
#include "protocol/json.hpp"
#include "protocol/result.hpp"
#include "protocol/time.hpp"

namespace pushsim {

struct LiveConnectionOptions {
  std::string url = "ws://127.0.0.1:6001";  // ws[s]://host[:port][/path-prefix]
  std::string app_key = "app-key";
  std::string client_name = "pushsim";
  std::string client_version = "0.1.0";
  int protocol = 7;
  // The whole request target (path and query) instead of /app/{key}?protocol=..., for tests
  // of how a server treats a malformed one.
  std::optional<std::string> target_override;
  bool tls_verify = true;                     // false accepts self-signed certificates (test servers)
  std::size_t frame_max_bytes = 1024 * 1024;  // a larger message from the server is an error
  // A server that stops reading leaves our writes pending forever once the socket buffers are
  // full: a write that has not completed for this long ends the connection with an error
  // saying so. Zero: no limit.
  std::chrono::milliseconds write_stall_max{10'000};
  // A server flooding frames would grow frames() (and the work of every wait) without bound:
  // past this many frames received, the connection is dropped with an error. Zero: no limit.
  std::size_t frames_max = 100'000;
  ClientOptions client;
};

// Answers the client's channel authorization and sign-in requests (the harness signs locally
// with the app secret, see LocalAuthorizer). Without one, every request fails with status 0.
using Authorizer = std::function<AuthResult(const AuthRequest&)>;

struct ReceivedFrame {
  TimeNs at = 0;
  std::string text;
};

struct TimedClientEvent {
  TimeNs at = 0;
  ClientEvent event;
};

// How far the transport got; errors name the stage that did not finish.
enum class LiveStage { kIdle, kResolving, kConnecting, kTlsHandshake, kUpgrading, kOpen, kClosing, kClosed };
std::string_view to_string(LiveStage stage);

class LiveConnection {
 public:
  LiveConnection(IoLoop& loop, LiveConnectionOptions options, Authorizer authorizer = {});
  // Drops the transport abruptly if it is still open. Destroy before the IoLoop.
  ~LiveConnection();
  LiveConnection(const LiveConnection&) = delete;
  LiveConnection& operator=(const LiveConnection&) = delete;

  // Opens TCP (and TLS), upgrades to WebSocket, then waits for pusher:connection_established.
  // On failure the transport is dropped and the error says which step did not complete.
  // May be called again once the connection has closed (the client resubscribes).
  std::optional<Error> connect(SteadyTime deadline);
  // Closes with `code` (1000 unless told) and waits for the server's close reply; drops the
  // socket at the deadline.
  std::optional<Error> close(SteadyTime deadline, int code = 1000);
  // Drops the TCP connection without a WebSocket close (an abrupt client loss).
  void drop();

  // Commands, as ProtocolClient's; the frames go out while the loop runs.
  std::optional<Error> subscribe(std::string_view channel);
  void unsubscribe(std::string_view channel);
  std::optional<Error> send_client_event(std::string_view channel, std::string_view event, const Json& data);
  void signin();
  std::optional<Error> send_ping();
  std::optional<Error> send_raw(std::string_view text);
  // A WebSocket ping control frame (at most 125 bytes of payload); its pong lands in pongs().
  std::optional<Error> send_ws_ping(std::string_view payload);

  // Runs the loop until done() holds. Fails when the deadline passes first, or when the
  // connection ends first (then done() can no longer change because of this connection);
  // `what` names the awaited thing in the error.
  std::optional<Error> wait_for(const std::function<bool()>& done, SteadyTime deadline, std::string_view what);
  // Waits for a received frame (from index `from` of frames()) whose decoded envelope matches.
  Result<Frame> wait_for_frame(const std::function<bool(const Frame&)>& match, SteadyTime deadline,
                               std::string_view what, std::size_t from = 0);
  // Waits until the connection has closed (either side).
  std::optional<Error> wait_closed(SteadyTime deadline);

  // --- observation -------------------------------------------------------------------------
  const ProtocolClient& client() const;
  LiveStage stage() const;
  std::optional<std::string> socket_id() const;
  const std::vector<ReceivedFrame>& frames() const;
  // WebSocket pong control frames received, payload as text, in arrival order.
  const std::vector<ReceivedFrame>& pongs() const;
  const std::vector<TimedClientEvent>& events() const;
  // Everything that went wrong, in order: transport failures and frames the client rejected.
  const std::vector<Error>& errors() const;
  // The server's WebSocket close code and reason, when it sent a close frame.
  std::optional<int> close_code() const;
  std::string close_reason() const;

  // Frames received so far whose envelope decodes and matches, in arrival order.
  std::vector<Frame> frames_where(const std::function<bool(const Frame&)>& match, std::size_t from = 0) const;

  struct Impl;

 private:
  std::shared_ptr<Impl> impl_;
};

}  // namespace pushsim
