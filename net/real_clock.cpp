#include "net/real_clock.hpp"

namespace pushsim {

TimeNs real_now() {
  auto since_epoch = std::chrono::system_clock::now().time_since_epoch();
  return std::chrono::duration_cast<std::chrono::nanoseconds>(since_epoch).count();
}

TimeNs monotonic_now() {
  auto since_start = std::chrono::steady_clock::now().time_since_epoch();
  return std::chrono::duration_cast<std::chrono::nanoseconds>(since_start).count();
}

SteadyTime deadline_after(std::chrono::milliseconds timeout) { return std::chrono::steady_clock::now() + timeout; }

std::chrono::milliseconds time_left(SteadyTime deadline) {
  auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - std::chrono::steady_clock::now());
  return left.count() > 0 ? left : std::chrono::milliseconds{0};
}

}  // namespace pushsim
