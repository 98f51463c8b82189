#pragma once
// The wall clock, read in one place. protocol/ never reads a clock; the live drivers in net/
// hand it this instead of virtual time.
#include <chrono>

#include "protocol/time.hpp"

namespace pushsim {

// Nanoseconds since the Unix epoch, from std::chrono::system_clock.
TimeNs real_now();

// Nanoseconds on std::chrono::steady_clock: for elapsed times (the wire log's), which a
// wall-clock step cannot bend.
TimeNs monotonic_now();

// Waits are bounded by steady-clock deadlines, which a wall-clock step cannot stretch.
using SteadyTime = std::chrono::steady_clock::time_point;
SteadyTime deadline_after(std::chrono::milliseconds timeout);
// Whole milliseconds from now until the deadline, 0 when it has passed.
std::chrono::milliseconds time_left(SteadyTime deadline);

}  // namespace pushsim
