#include "protocol/random.hpp"

#include <cassert>

namespace pushsim {

std::uint64_t splitmix64(std::uint64_t& state) {
  std::uint64_t z = (state += 0x9e3779b97f4a7c15ULL);
  z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
  z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
  return z ^ (z >> 31);
}

std::uint64_t fnv1a64(std::string_view text) {
  std::uint64_t h = 0xcbf29ce484222325ULL;
  for (unsigned char c : text) {
    h ^= c;
    h *= 0x100000001b3ULL;
  }
  return h;
}

std::uint64_t RandomSource::below(std::uint64_t bound) {
  assert(bound > 0);
  // Lemire's nearly-divisionless method: unbiased, and the same on every platform.
  __extension__ using u128 = unsigned __int128;  // GCC/Clang; pedantic needs the marker
  u128 m = static_cast<u128>(next_u64()) * bound;
  auto low = static_cast<std::uint64_t>(m);
  if (low < bound) {
    std::uint64_t threshold = (0 - bound) % bound;
    while (low < threshold) {
      m = static_cast<u128>(next_u64()) * bound;
      low = static_cast<std::uint64_t>(m);
    }
  }
  return static_cast<std::uint64_t>(m >> 64);
}

bool RandomSource::chance(std::uint64_t numerator, std::uint64_t denominator) {
  assert(denominator > 0 && numerator <= denominator);
  return below(denominator) < numerator;
}

std::int64_t RandomSource::between(std::int64_t lo, std::int64_t hi) {
  assert(lo <= hi);
  auto span = static_cast<std::uint64_t>(hi - lo);
  if (span == UINT64_MAX) return static_cast<std::int64_t>(next_u64());
  return lo + static_cast<std::int64_t>(below(span + 1));
}

Rng::Rng(std::uint64_t seed) : seed_(seed) {
  std::uint64_t state = seed;
  for (auto& word : s_) word = splitmix64(state);
}

static std::uint64_t rotl(std::uint64_t x, int k) { return (x << k) | (x >> (64 - k)); }

std::uint64_t Rng::next_u64() {
  const std::uint64_t result = rotl(s_[1] * 5, 7) * 9;
  const std::uint64_t t = s_[1] << 17;
  s_[2] ^= s_[0];
  s_[3] ^= s_[1];
  s_[1] ^= s_[2];
  s_[0] ^= s_[3];
  s_[2] ^= t;
  s_[3] = rotl(s_[3], 45);
  return result;
}

Rng Rng::derive(std::uint64_t label) const {
  std::uint64_t state = seed_ ^ (label * 0x9e3779b97f4a7c15ULL);
  splitmix64(state);
  return Rng(splitmix64(state));
}

Rng Rng::derive(std::string_view label) const { return derive(fnv1a64(label)); }

}  // namespace pushsim
