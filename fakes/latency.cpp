#include "fakes/latency.hpp"

#include <algorithm>

namespace pushsim::fakes {

namespace {

DurationNs draw_tail(const Latency& latency, RandomSource& rng) {
  // Start from the top of the body (at least 1 ns so doubling makes progress) and double
  // while a fair coin says so.
  DurationNs delay = std::max<DurationNs>({latency.max, latency.tail_min, 1});
  const DurationNs cap = std::max(latency.tail_max, delay);
  while (delay < cap && rng.chance(1, 2)) delay = std::min(cap, delay * 2);
  // Spread within the last doubling so tail delays are not all powers of two.
  return rng.between(std::max({latency.max, latency.tail_min, delay / 2}), delay);
}

}  // namespace

DurationNs Latency::draw(RandomSource& rng) const {
  switch (kind) {
    case Kind::kFixed: return min;
    case Kind::kUniform: return rng.between(min, max);
    case Kind::kLongTail:
      if (!tail_chance.never() && rng.chance(tail_chance.numerator, tail_chance.denominator)) {
        return draw_tail(*this, rng);
      }
      return rng.between(min, max);
  }
  return min;
}

}  // namespace pushsim::fakes
