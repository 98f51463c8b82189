#pragma once
// Durations as scenario files write them: a non-negative decimal number followed by a unit,
// `500ms`, `2s`, `1.5s`, `1m`. No spaces, no sign, no exponent; fractions must come out as a
// whole number of nanoseconds. A day is the longest we accept: every wait in a scenario is
// bounded, and a longer one is certainly a typo.
#include <string>
#include <string_view>

#include "protocol/result.hpp"
#include "protocol/time.hpp"

namespace pushsim::harness {

inline constexpr DurationNs kDurationMax = 24 * 60 * kNsPerSecond * 60;

// The message of a failure says what was expected: "bad duration '5 parsecs' (expected a
// number followed by ms, s or m)".
Result<DurationNs> parse_duration(std::string_view text);

// The shortest form parse_duration reads back to the same value: 1500000000 -> "1.5s",
// 120000000000 -> "2m", 250000000 -> "250ms", 1500 -> "0.0015ms".
std::string format_duration(DurationNs duration);

}  // namespace pushsim::harness
