#pragma once
// Test helpers for the serve abuse test: abusive clients of a `pushsim serve` on loopback,
// each on a thread of its own with its own IoLoop, so that they hit the server at once.
// Every wait they make has a deadline; stop() ends them and joins their thread.
//   AbuserThread  plays one kind of round again and again: malformed frames, oversized
//                 payloads, subscribe floods, REST requests that must be refused.
//   Churner       keeps N connections cycling: connect, (upgrade, (read established)), drop.
//
// Boost stays out of this header: the abusers are compiled once, in serve_abusers.cpp.
#include <atomic>
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>

#include "net/io_loop.hpp"
#include "net/live_connection.hpp"
#include "protocol/http.hpp"
#include "protocol/signing.hpp"

namespace pushsim::test {

// Runs `round` on its own IoLoop until stop(); a round returns how many abusive messages it sent.
class AbuserThread {
 public:
  using Round = std::function<std::size_t(IoLoop&)>;

  explicit AbuserThread(Round round);
  ~AbuserThread();
  AbuserThread(const AbuserThread&) = delete;
  AbuserThread& operator=(const AbuserThread&) = delete;

  void stop();
  std::uint64_t rounds() const;
  std::uint64_t sent() const;

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

LiveConnectionOptions abuser_options(const std::string& ws_url, const std::string& app_key);

// Lets what was sent go out and the server answer, then drops the connection abruptly.
void linger_then_drop(IoLoop& loop, LiveConnection& connection, std::chrono::milliseconds linger);

// Frames the server must answer with pusher:error, or by closing, but never by falling over.
std::size_t malformed_round(IoLoop& loop, const std::string& ws_url, const std::string& app_key);

// A client event far over the engine's 10 KB data limit, then a 2 MB frame over the
// WebSocket message limit (the server closes with 1009).
std::size_t oversized_round(IoLoop& loop, const std::string& ws_url, const std::string& app_key);

// A thousand subscriptions at once, each to a channel of its own, then gone: the engine must
// create and vacate them all.
std::size_t subscribe_flood_round(IoLoop& loop, const std::string& ws_url, const std::string& app_key,
                                  std::uint64_t round);

// REST requests the server must refuse with 401: a bad signature, a stale timestamp, a body
// that is not the one body_md5 was computed for. Counts answers that were not a 401, and
// requests that got no answer before their deadline.
struct RestAbuse {
  std::string http_url;
  AppCredentials app;
  std::atomic<std::uint64_t>* wrong_answers = nullptr;
  std::atomic<std::uint64_t>* unanswered = nullptr;

  std::size_t operator()(IoLoop& loop) const;

  static HttpRequest as_request(const SignedRestRequest& signed_request, std::string body);
};

// `slots` connections at once, each going round: TCP connect, then one of: drop at once;
// upgrade and drop; upgrade, read connection_established and drop. Drops are abrupt (RST).
class Churner {
 public:
  Churner(std::uint16_t port, std::size_t slots, std::string target);
  ~Churner();
  Churner(const Churner&) = delete;
  Churner& operator=(const Churner&) = delete;

  // No new cycles; the ones under way end within their 5 s deadline.
  void stop();
  std::uint64_t churned() const;
  std::uint64_t failed() const;

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace pushsim::test
