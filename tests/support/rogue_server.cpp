#include "support/rogue_server.hpp"

#include <atomic>
#include <chrono>
#include <thread>
#include <vector>

#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/write.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/core/tcp_stream.hpp>
#include <boost/beast/http.hpp>
#include <boost/beast/websocket.hpp>

#include "support/loop_thread.hpp"

namespace pushsim::test {

const std::string kEstablished =
    R"({"event":"pusher:connection_established","data":"{\"socket_id\":\"1.1\",\"activity_timeout\":120}"})";

struct RogueServer::Impl {
  using tcp = boost::asio::ip::tcp;
  using Ws = boost::beast::websocket::stream<boost::beast::tcp_stream>;

  struct Peer {
    explicit Peer(tcp::socket socket) : ws(std::move(socket)), timer(ws.get_executor()) {}
    Ws ws;
    boost::asio::steady_timer timer;
    boost::beast::flat_buffer buffer;
    boost::beast::http::request<boost::beast::http::string_body> request;
    boost::beast::http::response<boost::beast::http::string_body> response;
    std::string payload;
    std::string raw;
    std::size_t sent = 0;
  };

  Impl(IoLoop& loop, Misbehaviour misbehaviour_in)
      : misbehaviour(misbehaviour_in), acceptor(loop.context(), {boost::asio::ip::make_address("127.0.0.1"), 0}) {
    accept();
  }

  static void ignore(boost::beast::error_code, std::size_t) {}

  bool rest_misbehaviour() const {
    return misbehaviour == Misbehaviour::kRestGarbage || misbehaviour == Misbehaviour::kRest500 ||
           misbehaviour == Misbehaviour::kRestTrickle || misbehaviour == Misbehaviour::kRestRedirect;
  }

  void accept() {
    acceptor.async_accept([this](boost::beast::error_code ec, tcp::socket socket) {
      if (ec) return;
      auto peer = std::make_shared<Peer>(std::move(socket));
      peers.push_back(peer);
      serve(peer);
      accept();
    });
  }

  void serve(const std::shared_ptr<Peer>& peer) {
    namespace http = boost::beast::http;
    auto& stream = peer->ws.next_layer();
    http::async_read(stream, peer->buffer, peer->request, [this, peer](boost::beast::error_code ec, std::size_t) {
      if (ec) return;
      if (!boost::beast::websocket::is_upgrade(peer->request) && rest_misbehaviour()) return answer_rest(peer);
      if (misbehaviour == Misbehaviour::kSilentUpgrade) return;
      if (misbehaviour == Misbehaviour::kHttp404) {
        peer->response = {http::status::not_found, 11};
        peer->response.prepare_payload();
        http::async_write(peer->ws.next_layer(), peer->response, ignore);
        return;
      }
      peer->ws.async_accept(peer->request, [this, peer](boost::beast::error_code accept_ec) {
        if (!accept_ec) misbehave(peer);
      });
    });
  }

  void write_raw(const std::shared_ptr<Peer>& peer, std::string bytes) {
    peer->raw = std::move(bytes);
    boost::asio::async_write(peer->ws.next_layer().socket(), boost::asio::buffer(peer->raw),
                             [peer](boost::beast::error_code, std::size_t) {});
  }

  void answer_rest(const std::shared_ptr<Peer>& peer) {
    switch (misbehaviour) {
      case Misbehaviour::kRestGarbage: return write_raw(peer, "this is not HTTP at all\r\n\r\n");
      case Misbehaviour::kRest500:
        return write_raw(peer,
                         "HTTP/1.1 500 Internal Server Error\r\nContent-Type: text/plain\r\nContent-Length: "
                         "15\r\nConnection: close\r\n\r\nsomething broke");
      case Misbehaviour::kRestRedirect:
        return write_raw(peer,
                         "HTTP/1.1 307 Temporary Redirect\r\nLocation: http://127.0.0.1:9/elsewhere\r\n"
                         "Content-Length: 0\r\nConnection: close\r\n\r\n");
      default:
        peer->raw = "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: 64\r\n\r\n{}";
        return trickle(peer);
    }
  }

  // One byte of peer->raw every 200 ms: a response that is always coming and never complete.
  void trickle(const std::shared_ptr<Peer>& peer) {
    if (peer->sent >= peer->raw.size()) return;
    boost::asio::async_write(peer->ws.next_layer().socket(), boost::asio::buffer(peer->raw.data() + peer->sent, 1),
                             [this, peer](boost::beast::error_code ec, std::size_t) {
                               if (ec) return;
                               ++peer->sent;
                               peer->timer.expires_after(std::chrono::milliseconds(200));
                               peer->timer.async_wait([this, peer](boost::beast::error_code wait_ec) {
                                 if (!wait_ec) trickle(peer);
                               });
                             });
  }

  // Sends connection_established, then `then` once it is written.
  template <class Then>
  void establish(const std::shared_ptr<Peer>& peer, Then then) {
    peer->payload = kEstablished;
    peer->ws.async_write(boost::asio::buffer(peer->payload), [peer, then](boost::beast::error_code ec, std::size_t) {
      if (!ec) then();
    });
  }

  // Writes the same event frame again and again until the client goes away.
  void flood(const std::shared_ptr<Peer>& peer) {
    peer->raw = R"({"event":"flood","channel":"news","data":"{\"n\":1}"})";
    peer->ws.async_write(boost::asio::buffer(peer->raw), [this, peer](boost::beast::error_code ec, std::size_t) {
      if (!ec) flood(peer);
    });
  }

  void misbehave(const std::shared_ptr<Peer>& peer) {
    switch (misbehaviour) {
      case Misbehaviour::kGarbage:
        peer->payload = "this is not json{";
        peer->ws.async_write(boost::asio::buffer(peer->payload), ignore);
        break;
      case Misbehaviour::kGarbageLater:
      case Misbehaviour::kBinaryLater:
        establish(peer, [this, peer] {
          bool binary = misbehaviour == Misbehaviour::kBinaryLater;
          peer->raw = binary ? std::string("\x01\x02\x03", 3) : "{\"event\":";
          peer->ws.binary(binary);
          peer->ws.async_write(boost::asio::buffer(peer->raw), ignore);
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
      case Misbehaviour::kWrongDataType:
        peer->payload = R"({"event":"pusher:connection_established","data":42})";
        peer->ws.async_write(boost::asio::buffer(peer->payload), ignore);
        break;
      case Misbehaviour::kStopReading:
        establish(peer, [] {});  // and no read is ever started: the kernel buffers fill up
        break;
      case Misbehaviour::kFlood: establish(peer, [this, peer] { flood(peer); }); break;
      default: break;  // kNoEstablished: silence
    }
  }

  Misbehaviour misbehaviour;
  tcp::acceptor acceptor;
  std::vector<std::shared_ptr<Peer>> peers;
};

RogueServer::RogueServer(IoLoop& loop, Misbehaviour misbehaviour) : impl_(std::make_unique<Impl>(loop, misbehaviour)) {}
RogueServer::~RogueServer() = default;

std::string RogueServer::url() const { return "ws://127.0.0.1:" + std::to_string(port()); }
std::string RogueServer::http_url() const { return "http://127.0.0.1:" + std::to_string(port()); }
std::uint16_t RogueServer::port() const { return impl_->acceptor.local_endpoint().port(); }

struct RogueThread::Impl {
  explicit Impl(Misbehaviour misbehaviour) : server(loop, misbehaviour) {
    thread = std::thread([this] { run_until_stopped(loop, stop); });
  }
  ~Impl() {
    stop = true;
    thread.join();
  }

  IoLoop loop;
  RogueServer server;
  std::atomic<bool> stop{false};
  std::thread thread;
};

RogueThread::RogueThread(Misbehaviour misbehaviour) : impl_(std::make_unique<Impl>(misbehaviour)) {}
RogueThread::~RogueThread() = default;

std::string RogueThread::url() const { return impl_->server.url(); }
std::string RogueThread::http_url() const { return impl_->server.http_url(); }

}  // namespace pushsim::test
