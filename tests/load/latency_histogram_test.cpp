#include <catch2/catch.hpp>

#include <cstdint>
#include <vector>

#include "load/latency_histogram.hpp"

namespace pushsim::load {

TEST_CASE("latency histogram: empty answers zeros", "[load][histogram]") {
  LatencyHistogram h;
  CHECK(h.count() == 0);
  CHECK(h.percentile_ns(50) == 0);
  CHECK(h.min_ns() == 0);
  CHECK(h.max_ns() == 0);
  CHECK(h.mean_ns() == 0);
}

TEST_CASE("latency histogram: small values are exact", "[load][histogram]") {
  LatencyHistogram h;
  for (std::int64_t v = 1; v <= 10; ++v) h.record(v);
  CHECK(h.count() == 10);
  CHECK(h.percentile_ns(50) == 5);
  CHECK(h.percentile_ns(90) == 9);
  CHECK(h.percentile_ns(100) == 10);
  CHECK(h.percentile_ns(0) == 1);
  CHECK(h.min_ns() == 1);
  CHECK(h.mean_ns() == Approx(5.5));
}

TEST_CASE("latency histogram: buckets tile the range without gaps or overlap", "[load][histogram]") {
  // Every bucket starts one past the previous bucket's upper edge.
  for (std::size_t bucket = 1; bucket < 40 * LatencyHistogram::kSubBuckets; ++bucket) {
    const std::uint64_t first = LatencyHistogram::bucket_upper_ns(bucket - 1) + 1;
    INFO("bucket " << bucket);
    REQUIRE(LatencyHistogram::bucket_of(first) == bucket);
    REQUIRE(LatencyHistogram::bucket_of(LatencyHistogram::bucket_upper_ns(bucket)) == bucket);
  }
  CHECK(LatencyHistogram::bucket_of(UINT64_MAX) < LatencyHistogram::kRanges * LatencyHistogram::kSubBuckets);
}

TEST_CASE("latency histogram: percentiles stay within 1/64 above the true value", "[load][histogram]") {
  LatencyHistogram h;
  // 1..100000 microseconds: the true p-th percentile is p * 1000 microseconds.
  for (std::int64_t us = 1; us <= 100'000; ++us) h.record(us * 1000);
  for (double p : {50.0, 90.0, 99.0, 99.9}) {
    const double truth = p * 1000 * 1000;
    const auto got = static_cast<double>(h.percentile_ns(p));
    INFO("p" << p << " got " << got << " truth " << truth);
    CHECK(got >= truth);
    CHECK(got <= truth * (1 + 1.0 / 64));
  }
  CHECK(h.max_ns() == 100'000'000);
}

TEST_CASE("latency histogram: one slow outlier shows in max and p99.9, not p50", "[load][histogram]") {
  LatencyHistogram h;
  for (int i = 0; i < 999; ++i) h.record(1'000'000);  // 1 ms
  h.record(2'000'000'000);                            // 2 s
  CHECK(h.percentile_ns(50) <= 1'016'000);
  CHECK(h.percentile_ns(99.9) <= 1'016'000);  // the 999th of 1000 samples
  CHECK(h.percentile_ns(100) == 2'000'000'000);
  CHECK(h.max_ns() == 2'000'000'000);
}

TEST_CASE("latency histogram: merging equals recording everything in one", "[load][histogram]") {
  LatencyHistogram a, b, all;
  for (std::int64_t v = 0; v < 5000; ++v) {
    const std::int64_t value = (v * 7919) % 3'000'000;
    (v % 2 == 0 ? a : b).record(value);
    all.record(value);
  }
  a.merge(b);
  CHECK(a.count() == all.count());
  CHECK(a.min_ns() == all.min_ns());
  CHECK(a.max_ns() == all.max_ns());
  for (double p : {1.0, 50.0, 99.0}) CHECK(a.percentile_ns(p) == all.percentile_ns(p));
}

TEST_CASE("latency histogram: a negative value (clock step) counts as zero; clear forgets", "[load][histogram]") {
  LatencyHistogram h;
  h.record(-5);
  CHECK(h.count() == 1);
  CHECK(h.max_ns() == 0);
  h.clear();
  CHECK(h.count() == 0);
  CHECK(h.percentile_ns(99) == 0);
}

}  // namespace pushsim::load
