#pragma once
// The body of a test server's own thread: runs its loop until `stop` is set, for 60 s at most.
#include <atomic>
#include <chrono>

#include "net/io_loop.hpp"

namespace pushsim::test {

inline void run_until_stopped(IoLoop& loop, const std::atomic<bool>& stop) {
  // Short slices: run_until checks stop only around handlers, and an idle loop has none.
  const auto end = deadline_after(std::chrono::seconds(60));
  while (!stop && std::chrono::steady_clock::now() < end) {
    loop.run_until([&stop] { return stop.load(); }, deadline_after(std::chrono::milliseconds(20)));
  }
}

}  // namespace pushsim::test
