#pragma once
// The event loop the live client side runs on (LiveConnection, RestClient, WebhookListener).
// The caller owns it and runs it from one thread, through waits that always have a deadline:
// that gives a synchronous-looking API on top of asynchronous sockets, without threads.
//
// Boost stays out of this header (harness/ includes it); net/ reaches the io_context through
// context(), declared here by name only.
#include <chrono>
#include <functional>
#include <memory>

#include "net/real_clock.hpp"

namespace boost::asio {
class io_context;
}  // namespace boost::asio

namespace pushsim {

class IoLoop {
 public:
  IoLoop();
  ~IoLoop();
  IoLoop(const IoLoop&) = delete;
  IoLoop& operator=(const IoLoop&) = delete;

  // Runs handlers until done() returns true (checked before and after each handler) or the
  // deadline passes. Returns done()'s last answer.
  bool run_until(const std::function<bool()>& done, SteadyTime deadline);
  // Runs handlers for this long, e.g. to let a peer's traffic arrive and be recorded.
  void run_for(std::chrono::milliseconds duration);
  // Runs the handlers that are ready now, without waiting.
  void poll();

  boost::asio::io_context& context();

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace pushsim
