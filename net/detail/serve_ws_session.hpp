#pragma once
// One WebSocket connection of `pushsim serve`, on its own strand. Beast does the upgrade, the
// reads, pongs and the close handshake; the text frames the engine sends are written here: a
// hand-built frame header (server frames are unmasked, no extension is negotiated) in front of
// the engine's shared payload, the frames queued for the connection gathered into one writev,
// written straight away from the strand while the socket takes them and on writability when it
// does not. WsWriteGate keeps those raw writes and Beast's own from mixing on the wire. A close
// asked for by the engine goes out after the frames queued before it. Reads go to the driver
// until the connection ends, which the driver hears about exactly once.
#include <array>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include <boost/asio/buffer.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/core/tcp_stream.hpp>
#include <boost/beast/http/message.hpp>
#include <boost/beast/http/string_body.hpp>
#include <boost/beast/websocket/stream.hpp>

#include "net/detail/serve_ws_gate.hpp"
#include "net/serve_options.hpp"
#include "protocol/server/engine.hpp"

namespace pushsim::detail {

class ServeDriver;

// A text frame's header as a server sends it: FIN, opcode 1, no mask, the payload length in
// 1, 3 or 9 bytes (RFC 6455 §5.2). Returns the header's size, 2 to 10.
std::size_t ws_text_frame_header(std::size_t payload_size, std::array<unsigned char, 10>& header);

class WsSession : public std::enable_shared_from_this<WsSession> {
 public:
  WsSession(boost::beast::tcp_stream&& stream, ServeDriver& driver, const ServeOptions& options);

  // Completes the upgrade for this request, then reports the connection to the driver.
  void run(boost::beast::http::request<boost::beast::http::string_body> request);
  // Thread-safe.
  void send(std::shared_ptr<const std::string> frame);
  void close(int code, std::string reason);
  // Ends the TCP connection at once, without a close frame (thread-safe).
  void drop();
  ConnectionId id() const { return id_; }
  // The strand this session runs on (one of the driver's shards).
  boost::asio::any_io_executor executor() { return ws_.get_executor(); }
  // send() for a caller already on executor(): queues the frame and writes at once.
  void enqueue(std::shared_ptr<const std::string> frame);
  // Queues the frame without writing: true when the caller must call flush() afterwards (once,
  // however many frames it queues), so that frames queued together go out in one write.
  bool push(std::shared_ptr<const std::string> frame);
  void flush();

 private:
  struct OutFrame {
    std::shared_ptr<const std::string> payload;
    std::array<unsigned char, 10> header{};
    std::size_t header_size = 0;
  };

  void on_accept(boost::beast::error_code ec);
  void read();
  void on_read(boost::beast::error_code ec);
  void write_frames();
  void wait_writable();
  void pop_front();
  void start_close(int code, std::string reason);
  void ended();

  boost::beast::websocket::stream<WsWriteGate> ws_;
  ServeDriver& driver_;
  const ServeOptions& options_;
  ConnectionId id_;
  std::string target_;
  boost::beast::flat_buffer buffer_;
  // The queue, a ring that only grows: no allocation per frame once it is large enough.
  std::vector<OutFrame> ring_;
  std::size_t head_ = 0;
  std::size_t count_ = 0;
  std::size_t front_written_ = 0;  // bytes of the front frame already on the wire
  std::size_t queued_bytes_ = 0;
  std::array<boost::asio::const_buffer, 64> gather_;  // one writev's pieces: a header and a payload per frame
  bool accepted_ = false;
  bool dirty_ = false;    // frames pushed and flush() not yet called
  bool writing_ = false;  // waiting for the socket to take more
  bool closing_ = false;
  bool ended_ = false;
  std::optional<std::pair<int, std::string>> pending_close_;
};

}  // namespace pushsim::detail
