#pragma once
// Test helpers for the serve abuse test: abusive clients of a `pushsim serve` on loopback,
// each on a thread of its own with its own IoLoop, so that they hit the server at once.
// Every wait they make has a deadline; stop() ends them and joins their thread.
//   AbuserThread  plays one kind of round again and again: malformed frames, oversized
//                 payloads, subscribe floods, REST requests that must be refused.
//   Churner       keeps N connections cycling: connect, (upgrade, (read established)), drop.
#include <atomic>
#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include <boost/asio/ip/tcp.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/core/tcp_stream.hpp>
#include <boost/beast/websocket.hpp>

#include "net/io_loop.hpp"
#include "net/live_connection.hpp"
#include "net/real_clock.hpp"
#include "net/rest_client.hpp"
#include "protocol/signing.hpp"

namespace pushsim::test {

// Runs `round` on its own IoLoop until stop(); a round returns how many abusive messages it sent.
class AbuserThread {
 public:
  using Round = std::function<std::size_t(IoLoop&)>;

  explicit AbuserThread(Round round) : round_(std::move(round)) {
    thread_ = std::thread([this] {
      IoLoop loop;
      while (!stop_) {
        sent_ += round_(loop);
        ++rounds_;
      }
    });
  }
  ~AbuserThread() { stop(); }
  AbuserThread(const AbuserThread&) = delete;
  AbuserThread& operator=(const AbuserThread&) = delete;

  void stop() {
    stop_ = true;
    if (thread_.joinable()) thread_.join();
  }
  std::uint64_t rounds() const { return rounds_; }
  std::uint64_t sent() const { return sent_; }

 private:
  Round round_;
  std::atomic<bool> stop_{false};
  std::atomic<std::uint64_t> rounds_{0};
  std::atomic<std::uint64_t> sent_{0};
  std::thread thread_;
};

inline LiveConnectionOptions abuser_options(const std::string& ws_url, const std::string& app_key) {
  LiveConnectionOptions options;
  options.url = ws_url;
  options.app_key = app_key;
  options.frames_max = 0;  // a subscribe flood is answered by a flood, which is expected here
  return options;
}

// Lets what was sent go out and the server answer, then drops the connection abruptly.
inline void linger_then_drop(IoLoop& loop, LiveConnection& connection, std::chrono::milliseconds linger) {
  loop.run_for(linger);
  connection.drop();
}

// Frames the server must answer with pusher:error, or by closing, but never by falling over.
inline std::size_t malformed_round(IoLoop& loop, const std::string& ws_url, const std::string& app_key) {
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

// A client event far over the engine's 10 KB data limit, then a 2 MB frame over the
// WebSocket message limit (the server closes with 1009).
inline std::size_t oversized_round(IoLoop& loop, const std::string& ws_url, const std::string& app_key) {
  LiveConnection connection(loop, abuser_options(ws_url, app_key));
  if (connection.connect(deadline_after(std::chrono::seconds(3)))) return 0;
  connection.send_raw(R"({"event":"client-big","channel":"private-x","data":")" + std::string(50 * 1024, 'x') + "\"}");
  connection.send_raw(std::string(2 * 1024 * 1024, 'y'));
  connection.wait_closed(deadline_after(std::chrono::seconds(1)));
  connection.drop();
  return 2;
}

// A thousand subscriptions at once, each to a channel of its own, then gone: the engine must
// create and vacate them all.
inline std::size_t subscribe_flood_round(IoLoop& loop, const std::string& ws_url, const std::string& app_key,
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

// REST requests the server must refuse with 401: a bad signature, a stale timestamp, a body
// that is not the one body_md5 was computed for. Counts answers that were not a 401, and
// requests that got no answer before their deadline.
struct RestAbuse {
  std::string http_url;
  AppCredentials app;
  std::atomic<std::uint64_t>* wrong_answers = nullptr;
  std::atomic<std::uint64_t>* unanswered = nullptr;

  std::size_t operator()(IoLoop& loop) const {
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

  static HttpRequest as_request(const SignedRestRequest& signed_request, std::string body) {
    return HttpRequest{
        signed_request.method, signed_request.target(), {{"Content-Type", "application/json"}}, std::move(body)};
  }
};

// `slots` connections at once, each going round: TCP connect, then one of: drop at once;
// upgrade and drop; upgrade, read connection_established and drop. Drops are abrupt (RST).
class Churner {
 public:
  Churner(std::uint16_t port, std::size_t slots, std::string target)
      : endpoint_(boost::asio::ip::make_address("127.0.0.1"), port), target_(std::move(target)) {
    for (std::size_t i = 0; i < slots; ++i) start(i);
    thread_ = std::thread([this] {
      const auto hard_end = std::chrono::steady_clock::now() + std::chrono::minutes(10);
      while (!(stop_ && active_ == 0) && std::chrono::steady_clock::now() < hard_end) {
        loop_.run_until([this] { return stop_ && active_ == 0; }, deadline_after(std::chrono::milliseconds(20)));
      }
    });
  }
  ~Churner() { stop(); }
  Churner(const Churner&) = delete;
  Churner& operator=(const Churner&) = delete;

  // No new cycles; the ones under way end within their 5 s deadline.
  void stop() {
    stop_ = true;
    if (thread_.joinable()) thread_.join();
  }
  std::uint64_t churned() const { return churned_; }
  std::uint64_t failed() const { return failed_; }

 private:
  using Ws = boost::beast::websocket::stream<boost::beast::tcp_stream>;
  struct Slot {
    Slot(IoLoop& loop, std::size_t index_in) : ws(loop.context()), index(index_in) {}
    Ws ws;
    boost::beast::flat_buffer buffer;
    std::size_t index;
  };

  void start(std::size_t index) {
    ++active_;
    auto slot = std::make_shared<Slot>(loop_, index);
    boost::beast::get_lowest_layer(slot->ws).expires_after(std::chrono::seconds(5));
    boost::beast::get_lowest_layer(slot->ws).async_connect(endpoint_, [this, slot](boost::beast::error_code ec) {
      if (ec) return end(slot, false);
      ++churned_;
      if (slot->index % 4 == 0) return end(slot, true);
      slot->ws.async_handshake("127.0.0.1", target_, [this, slot](boost::beast::error_code handshake_ec) {
        if (handshake_ec || slot->index % 4 == 1) return end(slot, !handshake_ec);
        slot->ws.async_read(slot->buffer,
                            [this, slot](boost::beast::error_code read_ec, std::size_t) { end(slot, !read_ec); });
      });
    });
  }

  void end(const std::shared_ptr<Slot>& slot, bool ok) {
    if (!ok) ++failed_;
    boost::beast::error_code ignored;
    auto& socket = boost::beast::get_lowest_layer(slot->ws).socket();
    socket.set_option(boost::asio::socket_base::linger(true, 0), ignored);
    socket.close(ignored);
    --active_;
    if (!stop_) start(slot->index);
  }

  IoLoop loop_;
  boost::asio::ip::tcp::endpoint endpoint_;
  std::string target_;
  std::atomic<bool> stop_{false};
  std::atomic<std::size_t> active_{0};
  std::atomic<std::uint64_t> churned_{0};
  std::atomic<std::uint64_t> failed_{0};
  std::thread thread_;
};

}  // namespace pushsim::test
