#include "support/serve_abusers.hpp"

#include <thread>
#include <vector>

#include <boost/asio/ip/tcp.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/core/tcp_stream.hpp>
#include <boost/beast/websocket.hpp>

#include "net/real_clock.hpp"
#include "net/rest_client.hpp"

namespace pushsim::test {

struct AbuserThread::Impl {
  explicit Impl(Round round_in) : round(std::move(round_in)) {
    thread = std::thread([this] {
      IoLoop loop;
      while (!stop_requested) {
        sent += round(loop);
        ++rounds;
      }
    });
  }
  ~Impl() { stop(); }

  void stop() {
    stop_requested = true;
    if (thread.joinable()) thread.join();
  }

  Round round;
  std::atomic<bool> stop_requested{false};
  std::atomic<std::uint64_t> rounds{0};
  std::atomic<std::uint64_t> sent{0};
  std::thread thread;
};

AbuserThread::AbuserThread(Round round) : impl_(std::make_unique<Impl>(std::move(round))) {}
AbuserThread::~AbuserThread() = default;

void AbuserThread::stop() { impl_->stop(); }
std::uint64_t AbuserThread::rounds() const { return impl_->rounds; }
std::uint64_t AbuserThread::sent() const { return impl_->sent; }

LiveConnectionOptions abuser_options(const std::string& ws_url, const std::string& app_key) {
  LiveConnectionOptions options;
  options.url = ws_url;
  options.app_key = app_key;
  options.frames_max = 0;  // a subscribe flood is answered by a flood, which is expected here
  return options;
}

void linger_then_drop(IoLoop& loop, LiveConnection& connection, std::chrono::milliseconds linger) {
  loop.run_for(linger);
  connection.drop();
}

std::size_t malformed_round(IoLoop& loop, const std::string& ws_url, const std::string& app_key) {
  static const std::vector<std::string> kMalformed = {
      "{",
      "not json",
      "[]",
      "null",
      "42",
      R"({"event":42})",
      R"({"event":"pusher:subscribe"})",
      R"({"event":"pusher:subscribe","data":7})",
      R"({"event":"pusher:subscribe","data":{"channel":42}})",
      R"({"event":"pusher:subscribe","data":"{\"channel\":"})",
      R"({"event":"pusher:signin","data":{"auth":5}})",
      R"({"event":"client-x","channel":"private-nope","data":{}})",
      R"({"event":"pusher:ping","data":[1,2]})",
      R"({"event":"pusher:unsubscribe","data":{"channel":"never-subscribed"}})",
      R"({"event":"pusher:subscribe","data":{"channel":"presence-x","auth":"app-key:00","channel_data":"{"}})",
      "\xff\xfe\xfd",  // not UTF-8: a text frame the WebSocket layer itself must refuse
  };
  LiveConnection connection(loop, abuser_options(ws_url, app_key));
  if (connection.connect(deadline_after(std::chrono::seconds(3)))) return 0;
  for (const auto& text : kMalformed) connection.send_raw(text);
  linger_then_drop(loop, connection, std::chrono::milliseconds(50));
  return kMalformed.size();
}

std::size_t oversized_round(IoLoop& loop, const std::string& ws_url, const std::string& app_key) {
  LiveConnection connection(loop, abuser_options(ws_url, app_key));
  if (connection.connect(deadline_after(std::chrono::seconds(3)))) return 0;
  connection.send_raw(R"({"event":"client-big","channel":"private-x","data":")" + std::string(50 * 1024, 'x') + "\"}");
  connection.send_raw(std::string(2 * 1024 * 1024, 'y'));
  connection.wait_closed(deadline_after(std::chrono::seconds(1)));
  connection.drop();
  return 2;
}

std::size_t subscribe_flood_round(IoLoop& loop, const std::string& ws_url, const std::string& app_key,
                                  std::uint64_t round) {
  constexpr std::size_t kChannels = 1000;
  LiveConnection connection(loop, abuser_options(ws_url, app_key));
  if (connection.connect(deadline_after(std::chrono::seconds(3)))) return 0;
  for (std::size_t i = 0; i < kChannels; ++i) {
    connection.send_raw(R"({"event":"pusher:subscribe","data":{"channel":"flood-)" + std::to_string(round) + "-" +
                        std::to_string(i) + "\"}}");
  }
  const auto answered = [&] { return connection.frames().size() >= kChannels + 1; };
  connection.wait_for(answered, deadline_after(std::chrono::seconds(3)), "the subscriptions' answers");
  connection.drop();
  return kChannels;
}

std::size_t RestAbuse::operator()(IoLoop& loop) const {
  RestClient client(loop, RestClientOptions{http_url, app});
  const std::string path = "/apps/" + app.app_id + "/events";
  const std::string body = R"({"name":"e","data":"{}","channels":["rest-abuse"]})";
  const std::int64_t now = to_unix_seconds(real_now());
  std::vector<HttpRequest> requests;
  SignedRestRequest bad_signature = sign_rest_request(app, "POST", path, {}, body, now);
  const auto at = bad_signature.query_string.find("auth_signature=") + 15;
  bad_signature.query_string.replace(at, 64, std::string(64, '0'));
  requests.push_back(as_request(bad_signature, body));
  requests.push_back(as_request(sign_rest_request(app, "POST", path, {}, body, now - 3600), body));
  requests.push_back(as_request(sign_rest_request(app, "POST", path, {}, body, now),
                                R"({"name":"f","data":"{}","channels":["rest-abuse"]})"));
  for (auto& request : requests) {
    auto answer = client.send(std::move(request), deadline_after(std::chrono::seconds(3)));
    if (!answer) {
      ++*unanswered;
    } else if (answer->status != 401) {
      ++*wrong_answers;
    }
  }
  return requests.size();
}

HttpRequest RestAbuse::as_request(const SignedRestRequest& signed_request, std::string body) {
  return HttpRequest{
      signed_request.method, signed_request.target(), {{"Content-Type", "application/json"}}, std::move(body)};
}

struct Churner::Impl {
  using Ws = boost::beast::websocket::stream<boost::beast::tcp_stream>;
  struct Slot {
    Slot(IoLoop& loop, std::size_t index_in) : ws(loop.context()), index(index_in) {}
    Ws ws;
    boost::beast::flat_buffer buffer;
    std::size_t index;
  };

  Impl(std::uint16_t port, std::size_t slots, std::string target_in)
      : endpoint(boost::asio::ip::make_address("127.0.0.1"), port), target(std::move(target_in)) {
    for (std::size_t i = 0; i < slots; ++i) start(i);
    thread = std::thread([this] {
      const auto hard_end = std::chrono::steady_clock::now() + std::chrono::minutes(10);
      while (!(stop_requested && active == 0) && std::chrono::steady_clock::now() < hard_end) {
        loop.run_until([this] { return stop_requested && active == 0; }, deadline_after(std::chrono::milliseconds(20)));
      }
    });
  }
  ~Impl() { stop(); }

  void stop() {
    stop_requested = true;
    if (thread.joinable()) thread.join();
  }

  void start(std::size_t index) {
    ++active;
    auto slot = std::make_shared<Slot>(loop, index);
    boost::beast::get_lowest_layer(slot->ws).expires_after(std::chrono::seconds(5));
    boost::beast::get_lowest_layer(slot->ws).async_connect(endpoint, [this, slot](boost::beast::error_code ec) {
      if (ec) return end(slot, false);
      ++churned;
      if (slot->index % 4 == 0) return end(slot, true);
      slot->ws.async_handshake("127.0.0.1", target, [this, slot](boost::beast::error_code handshake_ec) {
        if (handshake_ec || slot->index % 4 == 1) return end(slot, !handshake_ec);
        slot->ws.async_read(slot->buffer,
                            [this, slot](boost::beast::error_code read_ec, std::size_t) { end(slot, !read_ec); });
      });
    });
  }

  void end(const std::shared_ptr<Slot>& slot, bool ok) {
    if (!ok) ++failed;
    boost::beast::error_code ignored;
    auto& socket = boost::beast::get_lowest_layer(slot->ws).socket();
    socket.set_option(boost::asio::socket_base::linger(true, 0), ignored);
    socket.close(ignored);
    --active;
    if (!stop_requested) start(slot->index);
  }

  IoLoop loop;
  boost::asio::ip::tcp::endpoint endpoint;
  std::string target;
  std::atomic<bool> stop_requested{false};
  std::atomic<std::size_t> active{0};
  std::atomic<std::uint64_t> churned{0};
  std::atomic<std::uint64_t> failed{0};
  std::thread thread;
};

Churner::Churner(std::uint16_t port, std::size_t slots, std::string target)
    : impl_(std::make_unique<Impl>(port, slots, std::move(target))) {}
Churner::~Churner() = default;

void Churner::stop() { impl_->stop(); }
std::uint64_t Churner::churned() const { return impl_->churned; }
std::uint64_t Churner::failed() const { return impl_->failed; }

}  // namespace pushsim::test
