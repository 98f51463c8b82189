#pragma once
// Time is an argument, never read from a clock here. TimeNs is nanoseconds since the Unix
// epoch: real in the live driver, virtual in the simulator (which starts at a fixed epoch so
// that REST timestamps and webhook time_ms look real and stay reproducible).
#include <cstdint>

namespace pushsim {

using TimeNs = std::int64_t;
using DurationNs = std::int64_t;

inline constexpr DurationNs kNsPerUs = 1'000;
inline constexpr DurationNs kNsPerMs = 1'000'000;
inline constexpr DurationNs kNsPerSecond = 1'000'000'000;

constexpr DurationNs ms(std::int64_t n) { return n * kNsPerMs; }
constexpr DurationNs seconds(std::int64_t n) { return n * kNsPerSecond; }
constexpr std::int64_t to_unix_seconds(TimeNs t) { return t / kNsPerSecond; }
constexpr std::int64_t to_unix_ms(TimeNs t) { return t / kNsPerMs; }

// 2023-11-14T22:13:20Z, the auth_timestamp of tests/data/vectors.json. Simulations start here.
inline constexpr TimeNs kSimulationEpoch = 1'700'000'000LL * kNsPerSecond;

}  // namespace pushsim
