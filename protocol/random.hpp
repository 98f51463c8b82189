#pragma once
// Our own random numbers, so that a seed means the same thing on every standard library.
//
// Generator: xoshiro256** (Blackman & Vigna), state seeded by SplitMix64 from one 64-bit
// seed. Streams: Rng::derive(label) gives an independent generator whose seed is a hash of
// (this generator's seed, label), so a component's draws depend only on its own label and
// never shift when another component is added. Distributions are integer-only: below(n) is
// Lemire's unbiased bounded draw, chance(num, den) a ratio rather than a double.
#include <cstdint>
#include <string_view>

namespace pushsim {

// What the engine needs of randomness: an injected source it cannot seed itself.
class RandomSource {
 public:
  virtual ~RandomSource() = default;
  virtual std::uint64_t next_u64() = 0;
  // A uniform integer in [0, bound); bound > 0.
  std::uint64_t below(std::uint64_t bound);
  // True with probability numerator/denominator.
  bool chance(std::uint64_t numerator, std::uint64_t denominator);
  // A uniform integer in [lo, hi], inclusive.
  std::int64_t between(std::int64_t lo, std::int64_t hi);
};

class Rng final : public RandomSource {
 public:
  explicit Rng(std::uint64_t seed);
  std::uint64_t next_u64() override;
  std::uint64_t seed() const { return seed_; }
  // An independent stream named by label, derived from this generator's seed only.
  Rng derive(std::string_view label) const;
  Rng derive(std::uint64_t label) const;

 private:
  std::uint64_t seed_;
  std::uint64_t s_[4];
};

// 64-bit FNV-1a, for deriving seeds from names. Stable across platforms.
std::uint64_t fnv1a64(std::string_view text);
std::uint64_t splitmix64(std::uint64_t& state);

}  // namespace pushsim
