#include "load/rate_search.hpp"

#include <algorithm>
#include <cmath>

namespace pushsim::load {

RateSearch::RateSearch(RateSearchOptions options) : options_(options) {}

std::optional<double> RateSearch::next() const {
  const std::optional<double> rate = next_unrounded();
  if (!rate) return std::nullopt;
  const double step = options_.resolution_per_s > 0 ? options_.resolution_per_s : 1;
  const double rounded = std::max(step, std::round(*rate / step) * step);
  // A rate already tried would only repeat its verdict: the search has converged.
  for (const auto& trial : trials_) {
    if (trial.rate_per_s == rounded) return std::nullopt;
  }
  return rounded;
}

std::optional<double> RateSearch::next_unrounded() const {
  if (static_cast<int>(trials_.size()) >= options_.max_runs) return std::nullopt;
  if (!best_passed_ && !lowest_failed_) return std::min(options_.start_per_s, options_.ceiling_per_s);
  if (!lowest_failed_) {
    // Everything so far passed: double, unless the ceiling itself has passed.
    if (*best_passed_ >= options_.ceiling_per_s) return std::nullopt;
    return std::min(*best_passed_ * 2, options_.ceiling_per_s);
  }
  if (!best_passed_) {
    // Everything so far failed: halve, down to the floor.
    double lower = *lowest_failed_ / 2;
    if (lower < options_.floor_per_s) return std::nullopt;
    return lower;
  }
  if ((*lowest_failed_ - *best_passed_) / *best_passed_ < options_.precision) return std::nullopt;
  // Bisect geometrically: rates span decades, so the middle that matters is the log middle.
  return std::sqrt(*best_passed_ * *lowest_failed_);
}

void RateSearch::report(double rate_per_s, bool passed) {
  trials_.push_back({rate_per_s, passed});
  if (passed) {
    best_passed_ = best_passed_ ? std::max(*best_passed_, rate_per_s) : rate_per_s;
  } else {
    lowest_failed_ = lowest_failed_ ? std::min(*lowest_failed_, rate_per_s) : rate_per_s;
  }
}

}  // namespace pushsim::load
