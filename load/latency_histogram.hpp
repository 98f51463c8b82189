#pragma once
// Latencies of a live benchmark, counted in log-spaced buckets: constant memory whatever the
// number of samples, and a relative error bounded by the bucket width (1/64 of a power of
// two, under 1.6 %) at any scale from a microsecond to minutes.
//
// Theory of operation: a value v in nanoseconds falls into power-of-two range k = floor(log2 v)
// and, inside it, into one of kSubBuckets equal slices. A percentile walks the buckets in
// order until it has passed the asked share of samples and answers the upper edge of that
// bucket (never below the true value; exact below kSubBuckets ns). min, max and the sum are
// kept exactly on the side. Histograms merge by adding counts, so each thread can keep its own.
#include <array>
#include <cstddef>
#include <cstdint>

namespace pushsim::load {

class LatencyHistogram {
 public:
  static constexpr int kSubBucketBits = 6;
  static constexpr std::uint64_t kSubBuckets = std::uint64_t{1} << kSubBucketBits;
  static constexpr int kRanges = 64 - kSubBucketBits + 1;
  static constexpr std::size_t kBuckets = static_cast<std::size_t>(kRanges) * kSubBuckets;

  // A negative value (a clock that went backwards) counts as 0.
  void record(std::int64_t value_ns);
  void merge(const LatencyHistogram& other);
  void clear();

  std::uint64_t count() const { return count_; }
  // 0 when empty.
  std::int64_t min_ns() const;
  std::int64_t max_ns() const { return max_; }
  double mean_ns() const;
  double sum_ns() const { return sum_; }
  std::uint64_t bucket_count(std::size_t bucket) const { return counts_[bucket]; }
  // Rebuilds a histogram written out elsewhere (load/fanout_shard.hpp): the counts of its
  // buckets, then its exact min, max and sum. False when they do not fit together (a bucket
  // out of range, min or max outside the non-empty buckets).
  bool add_bucket(std::size_t bucket, std::uint64_t count);
  bool set_summary(std::int64_t min_ns, std::int64_t max_ns, double sum_ns);
  // p in [0, 100]: the smallest bucket edge at or above p percent of the samples (the max
  // when p is 100); 0 when empty.
  std::int64_t percentile_ns(double p) const;

  // The bucket a value falls in, and the largest value of a bucket (exposed for tests).
  static std::size_t bucket_of(std::uint64_t value_ns);
  static std::uint64_t bucket_upper_ns(std::size_t bucket);

 private:
  std::array<std::uint64_t, kBuckets> counts_{};
  std::uint64_t count_ = 0;
  std::int64_t min_ = 0;
  std::int64_t max_ = 0;
  double sum_ = 0;
};

}  // namespace pushsim::load
