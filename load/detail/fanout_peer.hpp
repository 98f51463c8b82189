#pragma once
// One WebSocket connection of `bench fanout`: it connects, upgrades, waits for
// connection_established, subscribes to its channel (signing the auth itself for private
// channels) and reports ready. Then a subscriber only counts stamped events into the tally; a
// publisher of client events also sends them.
//
// Theory of operation: the generator is one thread with thousands of these, so a delivery has
// to cost next to nothing. The peer speaks WebSocket itself (ws_client_wire, WsFrameReader)
// instead of through Beast's per-message operations. Asio connects and upgrades; then the
// socket leaves Asio for the generator's FanoutPoller, and each time the poller lists it as
// readable one recv takes all it holds (up to the 64 KB read buffer shared by every peer) and
// every frame in it is parsed in place. A stamped event is recognised by a scan for the stamp
// before any JSON parsing, timed once per read. Frames to send are gathered into one buffer
// and sent at once; what the socket does not take waits for the poller to say it is writable.
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

#include "load/detail/fanout_poller.hpp"
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
  // Watches the peer's socket once upgraded; must outlive the peer's connection.
  FanoutPoller* poller = nullptr;
  std::uint64_t seed = 0;  // WebSocket key and masking keys
  std::size_t node = 0;    // of a clustered server: which node the endpoint is, for the tally
  bool delayed_acks = false;  // acknowledge like most client stacks (tcp_acks.hpp)
  std::chrono::milliseconds handshake_timeout{10'000};
};

class FanoutPeer : public std::enable_shared_from_this<FanoutPeer>, public FanoutPollable {
 public:
  // Called once: nullopt when subscribed, else what went wrong.
  using ReadyHandler = std::function<void(std::optional<std::string>)>;
  static constexpr std::size_t kMessageMaxBytes = 1024 * 1024;

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
  void on_poll(std::uint32_t events) override;

 private:
  void on_connected();
  void on_upgrade_answered(std::size_t head_bytes);
  void read_once();
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
  WsFrameReader reader_{kMessageMaxBytes};
  int fd_ = -1;         // the socket once upgraded, out of Asio's hands
  std::string queued_;  // frames not yet taken by the socket
  bool watching_writable_ = false;
  bool upgraded_ = false;
  bool ready_ = false;
  bool closing_ = false;
  bool close_sent_ = false;
  bool ended_ = false;
};

}  // namespace pushsim::load::detail
