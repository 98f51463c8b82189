#pragma once
// The search behind `pushsim bench fanout --rate max`: the highest publish rate a server
// sustains, where "sustains" is the caller's verdict on one fixed-rate run (no loss, no
// errors, p99 under the bound, the generator kept its schedule).
//
// Theory of operation: double from the start rate until a run fails (or the ceiling is
// reached), then bisect between the best rate that passed and the lowest that failed until
// they are within `precision` of each other or the run budget is spent. A failure at the
// start rate halves downwards instead, to the floor. Pure logic, no I/O: the caller runs
// each proposed rate and reports the verdict, which keeps it testable with a model server.
#include <cstdint>
#include <optional>
#include <vector>

namespace pushsim::load {

struct RateSearchOptions {
  double start_per_s = 100;
  double floor_per_s = 1;       // below this the search gives up: nothing passes
  double ceiling_per_s = 1e6;   // never proposes more
  double precision = 0.10;      // stop when (failed - passed) / passed is below this
  double resolution_per_s = 1;  // rates are run rounded to this: stop when the gap is no wider
  int max_runs = 16;
};

struct RateTrial {
  double rate_per_s = 0;
  bool passed = false;
};

class RateSearch {
 public:
  explicit RateSearch(RateSearchOptions options);

  // The rate to run next (a multiple of resolution_per_s, at least one resolution); nullopt
  // once the search is over.
  std::optional<double> next() const;
  void report(double rate_per_s, bool passed);

  // The best rate that passed, if any did.
  std::optional<double> best_per_s() const { return best_passed_; }
  const std::vector<RateTrial>& trials() const { return trials_; }

 private:
  std::optional<double> next_unrounded() const;

  RateSearchOptions options_;
  std::optional<double> best_passed_;
  std::optional<double> lowest_failed_;
  std::vector<RateTrial> trials_;
};

}  // namespace pushsim::load
