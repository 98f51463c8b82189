#include <catch2/catch.hpp>

#include "harness/glob_match.hpp"

namespace pushsim::harness {

TEST_CASE("Id globs match whole ids", "[suite]") {
  CHECK(glob_match("presence.*", "presence.12"));
  CHECK(glob_match("*.1", "public.1"));
  CHECK_FALSE(glob_match("*.1", "public.12"));
  CHECK(glob_match("p?blic.1", "public.1"));
  CHECK_FALSE(glob_match("presence", "presence.1"));
  CHECK(glob_match("*", ""));
}

}  // namespace pushsim::harness
