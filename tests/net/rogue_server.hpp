#pragma once
// Test helper: a deliberately misbehaving WebSocket server on the test's IoLoop, one
// misbehaviour per instance, for checking that the live client reports each one as a clear
// error within its deadline instead of crashing or hanging.
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/write.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/core/tcp_stream.hpp>
#include <boost/beast/http.hpp>
#include <boost/beast/websocket.hpp>

#include "net/io_loop.hpp"

namespace pushsim::test {

enum class Misbehaviour {
  kSilentUpgrade,       // accepts TCP, reads the upgrade request, never answers
  kHttp404,             // answers the upgrade with a plain 404
  kNoEstablished,       // completes the upgrade, then says nothing
  kGarbage,             // completes the upgrade, then sends text that is not JSON
  kGarbageLater,        // sends connection_established, then garbage
  kBinaryLater,         // sends connection_established, then a binary frame
  kCloseMidFrame,       // announces a 100-byte text frame, sends 10 bytes, closes TCP
  kHugeFrame,           // sends one 10 MB text frame
};

inline const std::string kEstablished =
    R"({"event":"pusher:connection_established","data":"{\"socket_id\":\"1.1\",\"activity_timeout\":120}"})";

class RogueServer {
 public:
  RogueServer(IoLoop& loop, Misbehaviour misbehaviour)
      : misbehaviour_(misbehaviour),
        acceptor_(loop.context(), {boost::asio::ip::make_address("127.0.0.1"), 0}) {
    accept();
  }

  std::string url() const { return "ws://127.0.0.1:" + std::to_string(acceptor_.local_endpoint().port()); }

 private:
  using tcp = boost::asio::ip::tcp;
  using Ws = boost::beast::websocket::stream<boost::beast::tcp_stream>;

  struct Peer {
    explicit Peer(tcp::socket socket) : ws(std::move(socket)) {}
    Ws ws;
    boost::beast::flat_buffer buffer;
    boost::beast::http::request<boost::beast::http::string_body> request;
    boost::beast::http::response<boost::beast::http::string_body> response;
    std::string payload;
    std::string raw;
  };

  void accept() {
    acceptor_.async_accept([this](boost::beast::error_code ec, tcp::socket socket) {
      if (ec) return;
      auto peer = std::make_shared<Peer>(std::move(socket));
      peers_.push_back(peer);
      serve(peer);
      accept();
    });
  }

  void serve(const std::shared_ptr<Peer>& peer) {
    namespace http = boost::beast::http;
    auto& stream = peer->ws.next_layer();
    http::async_read(stream, peer->buffer, peer->request, [this, peer](boost::beast::error_code ec, std::size_t) {
      if (ec) return;
      if (misbehaviour_ == Misbehaviour::kSilentUpgrade) return;
      if (misbehaviour_ == Misbehaviour::kHttp404) {
        peer->response = {http::status::not_found, 11};
        peer->response.prepare_payload();
        http::async_write(peer->ws.next_layer(), peer->response, [](boost::beast::error_code, std::size_t) {});
        return;
      }
      peer->ws.async_accept(peer->request, [this, peer](boost::beast::error_code accept_ec) {
        if (!accept_ec) misbehave(peer);
      });
    });
  }

  void misbehave(const std::shared_ptr<Peer>& peer) {
    auto ignore = [peer](boost::beast::error_code, std::size_t) {};
    switch (misbehaviour_) {
      case Misbehaviour::kGarbage:
        peer->payload = "this is not json{";
        peer->ws.async_write(boost::asio::buffer(peer->payload), ignore);
        break;
      case Misbehaviour::kGarbageLater:
      case Misbehaviour::kBinaryLater:
        peer->payload = kEstablished;
        peer->ws.async_write(boost::asio::buffer(peer->payload), [this, peer](boost::beast::error_code ec, std::size_t) {
          if (ec) return;
          bool binary = misbehaviour_ == Misbehaviour::kBinaryLater;
          peer->raw = binary ? std::string("\x01\x02\x03", 3) : "{\"event\":";
          peer->ws.binary(binary);
          peer->ws.async_write(boost::asio::buffer(peer->raw), [peer](boost::beast::error_code, std::size_t) {});
        });
        break;
      case Misbehaviour::kCloseMidFrame:
        // FIN + text opcode, unmasked, length 100; then only 10 payload bytes.
        peer->raw = std::string("\x81\x64", 2) + "0123456789";
        boost::asio::async_write(peer->ws.next_layer().socket(), boost::asio::buffer(peer->raw),
                                 [peer](boost::beast::error_code, std::size_t) {
                                   boost::beast::error_code ignored;
                                   peer->ws.next_layer().socket().close(ignored);
                                 });
        break;
      case Misbehaviour::kHugeFrame:
        peer->payload.assign(10 * 1024 * 1024, 'x');
        peer->ws.async_write(boost::asio::buffer(peer->payload), ignore);
        break;
      default:
        break;  // kNoEstablished: silence
    }
  }

  Misbehaviour misbehaviour_;
  tcp::acceptor acceptor_;
  std::vector<std::shared_ptr<Peer>> peers_;
};

}  // namespace pushsim::test
