#pragma once
// One WebSocket connection of `bench fanout`: it connects, upgrades, waits for
// connection_established, subscribes to its channel (signing the auth itself for private
// channels) and reports ready. Then a subscriber only counts stamped events into the tally; a
// publisher of client events also sends them.
//
// Theory of operation: the generator is one thread with thousands of these, so a delivery has
// to cost next to nothing. The peer speaks WebSocket itself over a plain socket (ws_client_wire,
// WsFrameReader) instead of through Beast's per-message read operations: one read takes
// everything the socket holds (into the peer's own small buffer, and when that fills, on into
// the generator's one shared buffer until a read comes back short), and every frame in it is
// parsed in place. A stamped event is recognised by a scan for the stamp before any JSON
// parsing, timed once per read. Frames to send are gathered into one buffer while a write is
// in flight. Reads stay Asio reads (not waits for readiness, each of which costs an epoll_ctl
// in this Asio): after a short read Asio waits for the socket without trying it first.
#include <array>
#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <span>
#include <string>

#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/steady_timer.hpp>

#include "load/detail/fanout_tally.hpp"
#include "load/detail/ws_frame_reader.hpp"
#include "protocol/signing.hpp"

namespace pushsim::load::detail {

struct FanoutPeerSetup {
  boost::asio::ip::tcp::endpoint endpoint;
  std::string host_header;  // "HOST:PORT"
  std::string target;       // "/app/KEY?protocol=7&client=pushsim-bench&version=..."
  std::string channel;
  AppCredentials app;  // signs private channel auth
  // Shared by every peer of the generator: read into, parsed, and done with before the handler
  // returns. Must outlive the peer's handlers.
  std::span<char> read_buffer;
  std::uint64_t seed = 0;  // WebSocket key and masking keys
  std::chrono::milliseconds handshake_timeout{10'000};
};

class FanoutPeer : public std::enable_shared_from_this<FanoutPeer> {
 public:
  // Called once: nullopt when subscribed, else what went wrong.
  using ReadyHandler = std::function<void(std::optional<std::string>)>;
  static constexpr std::size_t kMessageMaxBytes = 1024 * 1024;
  // Each peer's own read buffer: room for several ordinary events, small enough for 100,000
  // peers. A read that fills it goes on in the shared buffer.
  static constexpr std::size_t kOwnReadBytes = 1024;

  FanoutPeer(boost::asio::io_context& context, FanoutTally& tally, FanoutPeerSetup setup);

  void start(ReadyHandler on_ready);
  // A client event on the peer's channel (publishers of --via client-events).
  void send_client_event(std::string_view event, const std::string& data);
  // A WebSocket close (1000); the connection ends when the server answers or the timeout passes.
  void close();
  // Drops the socket at once (at the end, for peers that did not close in time).
  void drop();
  bool ended() const { return ended_; }
  bool ready() const { return ready_; }

 private:
  void on_connected();
  void on_upgrade_answered(std::size_t head_bytes);
  void read_next();
  // Reads what the socket still holds into the shared buffer; false when the connection ended.
  bool read_available();
  void on_read_error(const boost::system::error_code& ec);
  // False when the connection ended or failed on the way.
  bool receive(std::string_view bytes);
  void on_message(const WsMessage& message, std::int64_t received_ns);
  void on_text(std::string_view text, std::int64_t received_ns);
  void on_control_frame(std::string_view text);
  void on_close_frame(std::string_view payload);
  void subscribe(const std::string& socket_id);
  void send_frame(WsOpcode opcode, std::string_view payload);
  void flush();
  void fail(std::string what);
  void end();
  void report_ready(std::optional<std::string> error);

  boost::asio::ip::tcp::socket socket_;
  boost::asio::steady_timer handshake_timer_;
  FanoutTally& tally_;
  FanoutPeerSetup setup_;
  ReadyHandler on_ready_;
  std::uint64_t mask_state_;
  std::string key_;
  std::string handshake_;  // the upgrade request, then the server's answer
  std::array<char, kOwnReadBytes> own_buffer_{};
  WsFrameReader reader_{kMessageMaxBytes};
  std::string queued_;   // frames waiting for the write in flight
  std::string writing_;  // the frames of the write in flight
  bool write_in_flight_ = false;
  bool upgraded_ = false;
  bool ready_ = false;
  bool closing_ = false;
  bool close_sent_ = false;
  bool ended_ = false;
};

}  // namespace pushsim::load::detail
