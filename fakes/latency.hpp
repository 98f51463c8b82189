#pragma once
// One-way delay distributions for simulated links, drawn with integer arithmetic only so a
// seed gives the same delays on every platform (STYLE.md "Our own RNG and distributions").
#include <algorithm>
#include <cstdint>

#include "protocol/random.hpp"
#include "protocol/time.hpp"

namespace pushsim::fakes {

struct Ratio {
  std::uint64_t numerator = 0;
  std::uint64_t denominator = 1;
  bool never() const { return numerator == 0; }
  bool operator==(const Ratio&) const = default;
};

struct Latency {
  enum class Kind { kFixed, kUniform, kLongTail };
  Kind kind = Kind::kFixed;
  DurationNs min = 0;  // fixed: the delay; uniform and long tail: the body's range
  DurationNs max = 0;
  // Long tail: with probability tail_chance a delay is instead min * 2^k, k drawn
  // geometrically (each doubling kept with probability 1/2), capped at tail_max. That gives
  // the rare very slow packet a real network has, without floating point.
  Ratio tail_chance;
  DurationNs tail_max = 0;
  // Long tail: where the doubling starts when above `max` (a retransmission timeout, say).
  DurationNs tail_min = 0;

  static Latency fixed(DurationNs delay) { return {Kind::kFixed, delay, delay, {}, 0, 0}; }
  static Latency uniform(DurationNs lo, DurationNs hi) { return {Kind::kUniform, lo, hi, {}, 0, 0}; }
  static Latency long_tail(DurationNs lo, DurationNs hi, Ratio chance, DurationNs cap) {
    return {Kind::kLongTail, lo, hi, chance, cap, 0};
  }
  // Loss on a reliable transport: most messages take [lo, hi]; with probability `chance` one
  // waits for its retransmission instead, from `retransmit` doubling up to `cap`.
  static Latency retransmission(DurationNs lo, DurationNs hi, Ratio chance, DurationNs retransmit, DurationNs cap) {
    return {Kind::kLongTail, lo, hi, chance, cap, retransmit};
  }
  // The largest delay a draw can give.
  DurationNs bound() const {
    return kind == Kind::kLongTail && !tail_chance.never() ? std::max({max, tail_max, tail_min}) : max;
  }
  // The same distribution with every delay held to at most `cap`.
  Latency capped(DurationNs cap) const {
    Latency out = *this;
    for (DurationNs* field : {&out.min, &out.max, &out.tail_max, &out.tail_min}) *field = std::min(*field, cap);
    return out;
  }
  bool operator==(const Latency&) const = default;

  DurationNs draw(RandomSource& rng) const;
};

}  // namespace pushsim::fakes
