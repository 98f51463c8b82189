#include "harness/duration.hpp"

#include <cstdint>

namespace pushsim::harness {
namespace {

constexpr DurationNs kNsPerMinute = 60 * kNsPerSecond;
constexpr std::size_t kDigitsMax = 15;  // far above a day in any unit, far below int64 overflow

bool is_digit(char c) { return c >= '0' && c <= '9'; }

Error bad_duration(std::string_view text, std::string_view expected) {
  return make_error("bad duration '" + std::string(text) + "' (expected " + std::string(expected) + ")");
}

// Splits "1.5s" into number "1.5" and unit nanoseconds; 0 when the unit is not known.
// "ms" is tried before "s", since "1.5ms" ends with "s" too.
DurationNs unit_of(std::string_view text, std::string_view& number) {
  struct Unit {
    std::string_view suffix;
    DurationNs ns;
  };
  constexpr Unit kUnits[] = {{"ms", kNsPerMs}, {"s", kNsPerSecond}, {"m", kNsPerMinute}};
  for (const Unit& unit : kUnits) {
    if (!text.ends_with(unit.suffix)) continue;
    number = text.substr(0, text.size() - unit.suffix.size());
    return unit.ns;
  }
  number = text;
  return 0;
}

}  // namespace

Result<DurationNs> parse_duration(std::string_view text) {
  constexpr std::string_view kExpected = "a number followed by ms, s or m";
  std::string_view number;
  const DurationNs unit_ns = unit_of(text, number);
  if (unit_ns == 0) return bad_duration(text, kExpected);

  const std::size_t dot = number.find('.');
  const std::string_view whole = number.substr(0, dot);
  const std::string_view fraction = dot == std::string_view::npos ? std::string_view{} : number.substr(dot + 1);
  const bool has_dot = dot != std::string_view::npos;
  if (whole.empty() || (has_dot && fraction.empty())) return bad_duration(text, kExpected);
  if (whole.size() > kDigitsMax) return bad_duration(text, "at most 1440m");
  if (fraction.size() > kDigitsMax) return bad_duration(text, "a whole number of nanoseconds");
  for (char c : whole)
    if (!is_digit(c)) return bad_duration(text, kExpected);
  for (char c : fraction)
    if (!is_digit(c)) return bad_duration(text, kExpected);

  // Exact integer arithmetic: whole * unit + fraction * unit / 10^digits, which must divide.
  std::int64_t whole_value = 0;
  for (char c : whole) whole_value = whole_value * 10 + (c - '0');
  if (whole_value > kDurationMax / unit_ns) return bad_duration(text, "at most 1440m");
  DurationNs total = whole_value * unit_ns;
  std::int64_t fraction_value = 0;
  std::int64_t scale = 1;
  for (char c : fraction) {
    fraction_value = fraction_value * 10 + (c - '0');
    scale *= 10;
  }
  if (fraction_value != 0) {
    // fraction * unit / scale must be whole. With g = gcd(scale, unit) it is whole exactly
    // when scale / g divides fraction; computed in that order it stays below unit, no overflow.
    std::int64_t a = scale, b = unit_ns;
    while (b != 0) {
      const std::int64_t t = a % b;
      a = b;
      b = t;
    }
    const std::int64_t gcd = a;
    if (fraction_value % (scale / gcd) != 0) return bad_duration(text, "a whole number of nanoseconds");
    total += fraction_value / (scale / gcd) * (unit_ns / gcd);
  }
  if (total > kDurationMax) return bad_duration(text, "at most 1440m");
  return total;
}

std::string format_duration(DurationNs duration) {
  if (duration != 0 && duration % kNsPerMinute == 0) return std::to_string(duration / kNsPerMinute) + "m";
  if (duration % kNsPerSecond == 0) return std::to_string(duration / kNsPerSecond) + "s";
  DurationNs unit_ns = duration >= kNsPerSecond ? kNsPerSecond : kNsPerMs;
  const char* unit_name = duration >= kNsPerSecond ? "s" : "ms";
  if (duration < kNsPerSecond && duration % kNsPerMs == 0) return std::to_string(duration / kNsPerMs) + "ms";
  std::string fraction = std::to_string(duration % unit_ns + unit_ns).substr(1);  // zero-padded
  while (!fraction.empty() && fraction.back() == '0') fraction.pop_back();
  return std::to_string(duration / unit_ns) + "." + fraction + unit_name;
}

}  // namespace pushsim::harness
