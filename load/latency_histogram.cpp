#include "load/latency_histogram.hpp"

#include <algorithm>
#include <bit>
#include <cmath>

namespace pushsim::load {

// Values below kSubBuckets sit one per bucket in range 0. Above, range k >= 1 holds
// [2^(k+b-1), 2^(k+b)) with b = kSubBucketBits, cut into kSubBuckets slices of 2^(k-1) each.
std::size_t LatencyHistogram::bucket_of(std::uint64_t value_ns) {
  if (value_ns < kSubBuckets) return static_cast<std::size_t>(value_ns);
  const int top_bit = 63 - std::countl_zero(value_ns);  // >= kSubBucketBits
  const int range = top_bit - kSubBucketBits + 1;
  const std::uint64_t slice = (value_ns >> (range - 1)) - kSubBuckets;  // 0 .. kSubBuckets-1
  return static_cast<std::size_t>(range) * kSubBuckets + static_cast<std::size_t>(slice);
}

std::uint64_t LatencyHistogram::bucket_upper_ns(std::size_t bucket) {
  const std::size_t range = bucket / kSubBuckets;
  const std::uint64_t slice = bucket % kSubBuckets;
  if (range == 0) return slice;
  const std::uint64_t width = std::uint64_t{1} << (range - 1);
  return (kSubBuckets + slice) * width + (width - 1);
}

void LatencyHistogram::record(std::int64_t value_ns) {
  const std::int64_t value = std::max<std::int64_t>(value_ns, 0);
  ++counts_[bucket_of(static_cast<std::uint64_t>(value))];
  min_ = count_ == 0 ? value : std::min(min_, value);
  max_ = std::max(max_, value);
  sum_ += static_cast<double>(value);
  ++count_;
}

void LatencyHistogram::merge(const LatencyHistogram& other) {
  if (other.count_ == 0) return;
  for (std::size_t i = 0; i < counts_.size(); ++i) counts_[i] += other.counts_[i];
  min_ = count_ == 0 ? other.min_ : std::min(min_, other.min_);
  max_ = std::max(max_, other.max_);
  sum_ += other.sum_;
  count_ += other.count_;
}

bool LatencyHistogram::add_bucket(std::size_t bucket, std::uint64_t count) {
  if (bucket >= counts_.size()) return false;
  counts_[bucket] += count;
  count_ += count;
  return true;
}

bool LatencyHistogram::set_summary(std::int64_t min_ns, std::int64_t max_ns, double sum_ns) {
  if (count_ == 0) return min_ns == 0 && max_ns == 0 && sum_ns == 0;
  if (min_ns < 0 || max_ns < min_ns) return false;
  std::size_t first = 0;
  while (counts_[first] == 0) ++first;
  std::size_t last = counts_.size() - 1;
  while (counts_[last] == 0) --last;
  if (bucket_of(static_cast<std::uint64_t>(min_ns)) != first || bucket_of(static_cast<std::uint64_t>(max_ns)) != last) {
    return false;
  }
  min_ = min_ns;
  max_ = max_ns;
  sum_ = sum_ns;
  return true;
}

void LatencyHistogram::clear() { *this = LatencyHistogram{}; }

std::int64_t LatencyHistogram::min_ns() const { return count_ == 0 ? 0 : min_; }

double LatencyHistogram::mean_ns() const { return count_ == 0 ? 0.0 : sum_ / static_cast<double>(count_); }

std::int64_t LatencyHistogram::percentile_ns(double p) const {
  if (count_ == 0) return 0;
  if (p >= 100.0) return max_;
  // The rank of the sample asked for, 1-based: p = 50 of 10 samples is the 5th. The small
  // slack keeps rounding from pushing an exact rank up by one (0.999 * 1000 is 999.0000000000001).
  const double share = std::clamp(p, 0.0, 100.0) / 100.0;
  const double exact = share * static_cast<double>(count_);
  const auto rank = std::max<std::uint64_t>(1, static_cast<std::uint64_t>(std::ceil(exact - 1e-9 * exact)));
  std::uint64_t seen = 0;
  for (std::size_t bucket = 0; bucket < counts_.size(); ++bucket) {
    seen += counts_[bucket];
    if (seen >= rank) {
      // The bucket's edge may overshoot the largest sample; the max is exact, so cap there.
      return std::min(static_cast<std::int64_t>(bucket_upper_ns(bucket)), max_);
    }
  }
  return max_;
}

}  // namespace pushsim::load
