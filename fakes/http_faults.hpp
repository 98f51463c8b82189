#pragma once
// Failures a simulated HTTP service can be told to show: answer the next N requests with an
// error status, answer every request slowly, or not answer the next N at all. Shared by the
// fake auth endpoint and the fake webhook receiver, which consult it before doing their work.
#include <cstddef>
#include <optional>

#include "fakes/network.hpp"
#include "protocol/time.hpp"

namespace pushsim::fakes {

class HttpFaults {
 public:
  // The next `count` requests get `status` (5xx by default) instead of being served.
  void fail_next(std::size_t count, int status = 500) {
    fail_count_ = count;
    fail_status_ = status;
  }
  // Every answer leaves `delay` later than it otherwise would (0 restores).
  void slow(DurationNs delay) { delay_ = delay; }
  // The next `count` requests are never answered.
  void silence_next(std::size_t count) { silent_count_ = count; }
  void clear() { *this = HttpFaults{}; }

  // For a request that just arrived: the reply forced by a fault, if any. Silence wins over
  // failure, so both can be set at once and play out one after the other.
  std::optional<HttpReply> intercept() {
    if (silent_count_ > 0) {
      --silent_count_;
      return HttpReply{std::nullopt, 0};
    }
    if (fail_count_ > 0) {
      --fail_count_;
      return HttpReply{HttpResponse{fail_status_, {{"Content-Type", "text/plain"}}, "simulated failure"}, delay_};
    }
    return std::nullopt;
  }
  DurationNs delay() const { return delay_; }
  std::size_t failures_left() const { return fail_count_; }
  std::size_t silences_left() const { return silent_count_; }

 private:
  std::size_t fail_count_ = 0;
  int fail_status_ = 500;
  std::size_t silent_count_ = 0;
  DurationNs delay_ = 0;
};

}  // namespace pushsim::fakes
