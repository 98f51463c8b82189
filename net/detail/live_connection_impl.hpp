#pragma once
// LiveConnection's state and socket plumbing (live_connection_io.cpp); the public calls and
// the pump that carries out the ProtocolClient's outputs are in live_connection.cpp.
#include <deque>
#include <memory>
#include <optional>
#include <string>
#include <variant>

#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/core/tcp_stream.hpp>
#include <boost/beast/ssl/ssl_stream.hpp>
#include <boost/beast/websocket/stream.hpp>

#include "net/live_connection.hpp"
#include "net/url.hpp"

namespace pushsim {

struct LiveConnection::Impl : std::enable_shared_from_this<LiveConnection::Impl> {
  using PlainWs = boost::beast::websocket::stream<boost::beast::tcp_stream>;
  using TlsWs = boost::beast::websocket::stream<boost::beast::ssl_stream<boost::beast::tcp_stream>>;

  Impl(IoLoop& loop, LiveConnectionOptions options, Authorizer authorizer);

  // --- transport (live_connection_io.cpp) ---------------------------------------------------
  std::optional<Error> start_transport();  // from idle/closed: resolve, connect, TLS, upgrade
  void on_resolved(std::uint64_t generation, boost::asio::ip::tcp::resolver::results_type results);
  void on_connected(std::uint64_t generation);
  void upgrade(std::uint64_t generation);
  void on_upgraded(std::uint64_t generation);
  void read();
  void on_read(std::uint64_t generation, boost::beast::error_code ec);
  void on_read_failed(boost::beast::error_code ec);
  void closed_by_frame();  // the close handshake finished, whoever started it
  void write(std::string text);
  void ping_next();  // sends the first queued ping unless one is in flight
  void flush_writes();
  void request_close(int code, std::string reason);
  void send_close();
  // Drops the socket now; `why` (when set) is recorded as an error and reported to the client.
  void abort(std::optional<std::string> why);
  void arm_timer();
  void arm_write_stall_timer();
  boost::beast::tcp_stream& tcp();
  std::string peer() const;

  // --- protocol (live_connection.cpp) -----------------------------------------------------
  void pump();
  void record_error(std::string message);
  void transport_ended(int code, const std::string& reason);
  std::string end_description() const;
  // "server sent pusher:error CODE \"MESSAGE\"; " for each such event from index `from` on.
  std::string server_errors_since(std::size_t from) const;

  IoLoop& loop;
  LiveConnectionOptions options;
  Authorizer authorizer;
  ProtocolClient client;
  Url url;

  LiveStage stage = LiveStage::kIdle;
  std::uint64_t generation = 0;  // bumped per transport, so handlers of an old one do nothing
  boost::asio::ip::tcp::resolver resolver;
  boost::asio::steady_timer timer;
  boost::asio::steady_timer write_stall_timer;
  std::variant<std::monostate, std::unique_ptr<PlainWs>, std::unique_ptr<TlsWs>> ws;
  boost::beast::flat_buffer read_buffer;
  boost::beast::websocket::response_type upgrade_response;

  std::deque<std::string> write_queue;
  bool writing = false;
  std::uint64_t writes_started = 0;  // tells the stall timer whether its write is still the one in flight
  std::optional<std::pair<int, std::string>> pending_close;
  std::optional<int> close_code_override;  // set by close(deadline, code) while it pumps

  std::vector<ReceivedFrame> frames;
  std::vector<ReceivedFrame> pongs;
  std::deque<std::string> ping_queue;  // Beast allows one ping in flight
  bool pinging = false;
  bool pong_callback = false;  // the stream's control callback is installed (at the first ping)
  std::vector<TimedClientEvent> events;
  std::vector<Error> errors;
  std::optional<std::string> end_reason;        // why the transport ended, when it was a failure
  std::optional<std::string> our_close_reason;  // set when the client started the close
  std::optional<int> close_code;
  std::string close_reason;
};

}  // namespace pushsim
