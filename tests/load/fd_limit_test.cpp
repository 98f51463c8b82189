#include <catch2/catch.hpp>

#include <sys/resource.h>

#include "load/fd_limit.hpp"

namespace pushsim::load {

TEST_CASE("fd limit: a need under the soft limit changes nothing", "[load][fd-limit]") {
  rlimit before{};
  REQUIRE(getrlimit(RLIMIT_NOFILE, &before) == 0);
  FdLimitOutcome outcome = ensure_fd_limit(16);
  CHECK(outcome.enough);
  CHECK_THAT(outcome.note, Catch::Contains("is enough"));
  rlimit after{};
  REQUIRE(getrlimit(RLIMIT_NOFILE, &after) == 0);
  CHECK(after.rlim_cur == before.rlim_cur);
}

TEST_CASE("fd limit: a need beyond the hard limit is refused with the numbers", "[load][fd-limit]") {
  rlimit limit{};
  REQUIRE(getrlimit(RLIMIT_NOFILE, &limit) == 0);
  if (limit.rlim_max == RLIM_INFINITY) return;  // nothing is beyond it here
  FdLimitOutcome outcome = ensure_fd_limit(static_cast<std::uint64_t>(limit.rlim_max) + 1);
  CHECK_FALSE(outcome.enough);
  CHECK(outcome.soft == limit.rlim_max);  // raised as far as allowed
  CHECK_THAT(outcome.note, Catch::Contains(std::to_string(limit.rlim_max + 1) + " descriptors needed"));
}

}  // namespace pushsim::load
