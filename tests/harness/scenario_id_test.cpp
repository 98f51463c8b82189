// Scenario ids: area.N for the suite, area.slug for race scenarios named after their bug.
#include <catch2/catch.hpp>

#include "harness/scenario_metadata.hpp"

using pushsim::harness::is_scenario_id;

TEST_CASE("scenario ids are area.N or, for races, area.slug", "[scenario]") {
  CHECK(is_scenario_id("presence.12"));
  CHECK(is_scenario_id("races.member-count-after-broadcast"));
  CHECK(is_scenario_id("races.sub-unsub-sub2"));
  CHECK_FALSE(is_scenario_id("races.-leading-dash"));
  CHECK_FALSE(is_scenario_id("races.9lives"));  // a slug starts with a letter
  CHECK_FALSE(is_scenario_id("races.Upper"));
  CHECK_FALSE(is_scenario_id("races."));
  CHECK_FALSE(is_scenario_id("races.with space"));
  CHECK_FALSE(is_scenario_id("Malformed 1"));
}
