#include <catch2/catch.hpp>

#include "fakes/fault_plan.hpp"
#include "names.hpp"

using namespace pushsim;
using namespace pushsim::fakes;
using pushsim::fakes::testing::numbered;

namespace {

std::vector<PlannedFault> faults_of(const std::vector<PlannedFault>& plan, const std::string& client) {
  std::vector<PlannedFault> out;
  for (const auto& f : plan)
    if (f.client == client) out.push_back(f);
  return out;
}

std::vector<std::string> names(int n) {
  std::vector<std::string> out;
  for (int i = 0; i < n; ++i) out.push_back(numbered("c", i));
  return out;
}

}  // namespace

TEST_CASE("the calm profile plans no faults", "[fault_plan]") {
  CHECK(plan_faults(FaultProfile::none(), names(50), Rng(1), kSimulationEpoch).empty());
}

TEST_CASE("a fault plan is a function of the seed", "[fault_plan]") {
  const auto a = plan_faults(FaultProfile::chaos(), names(30), Rng(9), kSimulationEpoch);
  const auto b = plan_faults(FaultProfile::chaos(), names(30), Rng(9), kSimulationEpoch);
  const auto c = plan_faults(FaultProfile::chaos(), names(30), Rng(10), kSimulationEpoch);
  CHECK(!a.empty());
  CHECK(a == b);
  CHECK(a != c);
}

TEST_CASE("adding a client adds its faults and leaves the others' unchanged", "[fault_plan]") {
  const auto before = plan_faults(FaultProfile::chaos(), names(20), Rng(3), kSimulationEpoch);
  const auto after = plan_faults(FaultProfile::chaos(), names(21), Rng(3), kSimulationEpoch);
  for (int i = 0; i < 20; ++i) {
    const std::string name = numbered("c", i);
    CHECK(faults_of(before, name) == faults_of(after, name));
  }
}

TEST_CASE("planned faults are ordered, in the horizon, and every partition heals after it starts", "[fault_plan]") {
  FaultProfile profile = FaultProfile::flaky();
  profile.partition_chance = {1, 1};
  const auto plan = plan_faults(profile, names(40), Rng(5), kSimulationEpoch);
  for (std::size_t i = 1; i < plan.size(); ++i) CHECK(plan[i - 1].at <= plan[i].at);
  for (const auto& name : names(40)) {
    const auto mine = faults_of(plan, name);
    TimeNs partition_at = -1;
    for (const auto& f : mine) {
      if (f.kind == PlannedFault::Kind::kPartition) {
        CHECK(f.at >= kSimulationEpoch);
        CHECK(f.at < kSimulationEpoch + profile.horizon);
        partition_at = f.at;
      }
      if (f.kind == PlannedFault::Kind::kHeal) {
        REQUIRE(partition_at >= 0);
        CHECK(f.at - partition_at >= profile.partition_min);
        CHECK(f.at - partition_at <= profile.partition_max);
      }
    }
    CHECK(partition_at >= 0);
  }
}

TEST_CASE("fault profiles are found by name", "[fault_plan]") {
  CHECK(FaultProfile::named("chaos")->drop_chance == Ratio{1, 10});
  CHECK(FaultProfile::named("none")->partition_chance.never());
  CHECK_FALSE(FaultProfile::named("apocalypse"));
}
