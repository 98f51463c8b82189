#include <catch2/catch.hpp>

#include <cmath>

#include "load/rate_search.hpp"

namespace pushsim::load {
namespace {

// Runs the search against a server that sustains every rate up to `capacity`.
RateSearch search_against(double capacity, RateSearchOptions options = {}) {
  RateSearch search(options);
  while (auto rate = search.next()) search.report(*rate, *rate <= capacity);
  return search;
}

}  // namespace

TEST_CASE("rate search: finds the capacity within the precision, from below", "[load][rate-search]") {
  for (double capacity : {150.0, 1000.0, 7777.0, 123456.0}) {
    RateSearch search = search_against(capacity);
    INFO("capacity " << capacity);
    REQUIRE(search.best_per_s().has_value());
    CHECK(*search.best_per_s() <= capacity);
    CHECK(*search.best_per_s() >= capacity / 1.10);
    CHECK(search.trials().size() <= 16);
  }
}

TEST_CASE("rate search: doubles first, then bisects", "[load][rate-search]") {
  RateSearchOptions options;
  options.start_per_s = 100;
  RateSearch search = search_against(1000, options);
  const auto& trials = search.trials();
  REQUIRE(trials.size() >= 6);
  CHECK(trials[0].rate_per_s == 100);
  CHECK(trials[1].rate_per_s == 200);
  CHECK(trials[2].rate_per_s == 400);
  CHECK(trials[3].rate_per_s == 800);
  CHECK(trials[4].rate_per_s == 1600);
  CHECK_FALSE(trials[4].passed);
  CHECK(trials[5].rate_per_s > 800);
  CHECK(trials[5].rate_per_s < 1600);
}

TEST_CASE("rate search: a failing start rate halves down to the floor, then gives up", "[load][rate-search]") {
  RateSearchOptions options;
  options.start_per_s = 100;
  options.floor_per_s = 10;
  RateSearch nothing = search_against(0, options);
  CHECK_FALSE(nothing.best_per_s().has_value());
  CHECK(nothing.trials().back().rate_per_s >= 10);

  RateSearch low = search_against(30, options);
  REQUIRE(low.best_per_s().has_value());
  CHECK(*low.best_per_s() <= 30);
  CHECK(*low.best_per_s() >= 30 / 1.10);
}

TEST_CASE("rate search: stops at the ceiling and within the run budget", "[load][rate-search]") {
  RateSearchOptions options;
  options.start_per_s = 100;
  options.ceiling_per_s = 1000;
  RateSearch capped = search_against(1e9, options);
  CHECK(capped.best_per_s() == 1000);
  CHECK(capped.trials().back().rate_per_s == 1000);

  options.ceiling_per_s = 1e6;
  options.max_runs = 3;
  RateSearch budget = search_against(1e9, options);
  CHECK(budget.trials().size() == 3);
  CHECK(budget.best_per_s() == 400);
}

}  // namespace pushsim::load

namespace pushsim::load {

TEST_CASE("rate search: whole rates, and no rate run twice when the gap is one step", "[load][rate-search]") {
  RateSearchOptions options;
  options.start_per_s = 4;
  RateSearch search = search_against(7.5, options);  // 4, 8 fail, 6, 7 pass: nothing left between 7 and 8
  for (std::size_t i = 0; i < search.trials().size(); ++i) {
    const double rate = search.trials()[i].rate_per_s;
    CHECK(rate == std::round(rate));
    for (std::size_t j = 0; j < i; ++j) CHECK(search.trials()[j].rate_per_s != rate);
  }
  CHECK(search.best_per_s() == 7);
  CHECK(search.trials().size() <= 5);
}

}  // namespace pushsim::load
