#pragma once
// One WebSocket connection of `bench fanout`: it connects, waits for connection_established,
// subscribes to its channel (signing the auth itself for private channels) and reports
// ready. Then a subscriber only counts stamped events into the tally; a publisher of client
// events also sends them. Lighter than LiveConnection on purpose: nothing is recorded per
// frame, and a stamped event is recognised by a substring search before any JSON parsing,
// so that the generator spends as little as possible per delivery.
#include <cstdint>
#include <deque>
#include <functional>
#include <memory>
#include <optional>
#include <string>

#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/core/tcp_stream.hpp>
#include <boost/beast/websocket/stream.hpp>

#include "load/detail/fanout_tally.hpp"
#include "protocol/signing.hpp"

namespace pushsim::load::detail {

struct FanoutPeerSetup {
  boost::asio::ip::tcp::endpoint endpoint;
  std::string host_header;  // "HOST:PORT"
  std::string target;       // "/app/KEY?protocol=7&client=pushsim-bench&version=..."
  std::string channel;
  AppCredentials app;  // signs private channel auth
  std::chrono::milliseconds handshake_timeout{10'000};
};

class FanoutPeer : public std::enable_shared_from_this<FanoutPeer> {
 public:
  // Called once: nullopt when subscribed, else what went wrong.
  using ReadyHandler = std::function<void(std::optional<std::string>)>;

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
  void on_handshake();
  void read();
  void on_message();
  void on_control_frame(std::string_view text);
  void subscribe(const std::string& socket_id);
  void write(std::string text);
  void write_next();
  void fail(std::string what);
  void end();
  void report_ready(std::optional<std::string> error);

  boost::beast::websocket::stream<boost::beast::tcp_stream> ws_;
  FanoutTally& tally_;
  FanoutPeerSetup setup_;
  ReadyHandler on_ready_;
  boost::beast::flat_buffer buffer_;
  std::deque<std::string> writes_;
  bool writing_ = false;
  bool ready_ = false;
  bool closing_ = false;
  bool ended_ = false;
};

}  // namespace pushsim::load::detail
