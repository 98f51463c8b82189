#include <catch2/catch.hpp>

#include <set>

#include "fakes/latency.hpp"

using namespace pushsim;
using namespace pushsim::fakes;

TEST_CASE("fixed latency always gives its delay", "[latency]") {
  Rng rng(1);
  for (int i = 0; i < 10; ++i) CHECK(Latency::fixed(ms(7)).draw(rng) == ms(7));
}

TEST_CASE("uniform latency stays in its range, reaches both ends and is reproducible", "[latency]") {
  Rng rng(2), again(2);
  const Latency latency = Latency::uniform(10, 13);
  std::set<DurationNs> seen;
  for (int i = 0; i < 200; ++i) {
    const DurationNs d = latency.draw(rng);
    CHECK(d == latency.draw(again));
    REQUIRE(d >= 10);
    REQUIRE(d <= 13);
    seen.insert(d);
  }
  CHECK(seen == std::set<DurationNs>{10, 11, 12, 13});
}

TEST_CASE("long-tailed latency is mostly in the body with rare delays up to the cap", "[latency]") {
  Rng rng(3);
  const Latency latency = Latency::long_tail(ms(1), ms(10), Ratio{1, 10}, seconds(2));
  int body = 0, tail = 0;
  DurationNs longest = 0;
  for (int i = 0; i < 10'000; ++i) {
    const DurationNs d = latency.draw(rng);
    REQUIRE(d >= ms(1));
    REQUIRE(d <= seconds(2));
    (d <= ms(10) ? body : tail) += 1;
    longest = std::max(longest, d);
  }
  // About one draw in ten goes to the tail, and half of those double at least once.
  CHECK(tail > 300);
  CHECK(tail < 1000);
  CHECK(body > 9000);
  CHECK(longest > ms(500));
}
