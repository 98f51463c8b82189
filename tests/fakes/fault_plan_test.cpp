#include <catch2/catch.hpp>

#include <set>

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

TEST_CASE("every exploration profile keeps the exploration contract", "[fault_plan][explore]") {
  std::set<std::string> names_seen;
  for (const auto& profile : FaultProfile::exploration()) {
    INFO(profile.name);
    CHECK_FALSE(profile.exploration_violation().has_value());
    CHECK(FaultProfile::named(profile.name) == profile);
    names_seen.insert(profile.name);
    // Over many clients: no drop, no close, every partition healed within 10 s, extra delay bounded.
    const auto plan = plan_faults(profile, names(200), Rng(11), kSimulationEpoch);
    for (const auto& fault : plan) {
      CHECK(fault.kind != PlannedFault::Kind::kDrop);
      CHECK(fault.kind != PlannedFault::Kind::kClose);
      CHECK(fault.kind != PlannedFault::Kind::kFailAuth);
      if (fault.kind == PlannedFault::Kind::kExtraLatency) CHECK(fault.latency.bound() <= kExploreExtraDelayMax);
    }
    for (const auto& group : fault_groups(plan)) {
      if (plan[group.front()].kind != PlannedFault::Kind::kPartition) continue;
      REQUIRE(group.size() == 2);
      CHECK(plan[group.back()].at - plan[group.front()].at <= kExplorePartitionMax);
    }
  }
  CHECK(names_seen == std::set<std::string>{"none", "jitter", "lossy", "partitions", "webhook-failures"});
}

TEST_CASE("profiles that drop, close or hold too long break the exploration contract", "[fault_plan][explore]") {
  CHECK(FaultProfile::chaos().exploration_violation() == "it drops clients");
  FaultProfile long_partitions = FaultProfile::partitions();
  long_partitions.partition_max = seconds(11);
  CHECK(long_partitions.exploration_violation().has_value());
  FaultProfile slow = FaultProfile::jitter_profile();
  slow.jitter = Latency::uniform(0, seconds(11));
  CHECK(slow.exploration_violation().has_value());
}

TEST_CASE("the lossy profile delays a few messages by a retransmission, most by nothing", "[fault_plan][explore]") {
  const Latency loss = FaultProfile::lossy().jitter;
  Rng rng(3);
  int delayed = 0;
  for (int i = 0; i < 10'000; ++i) {
    const DurationNs d = loss.draw(rng);
    CHECK(d <= seconds(3));
    if (d > 0) {
      CHECK(d >= ms(200));
      ++delayed;
    }
  }
  CHECK(delayed > 300);  // about 1 in 20
  CHECK(delayed < 800);
}

TEST_CASE("fault groups pair a partition with its heal and latency with its end", "[fault_plan][explore]") {
  FaultProfile profile = FaultProfile::flaky();
  profile.partition_chance = {1, 1};
  profile.jitter_chance = {1, 1};
  const auto plan = plan_faults(profile, names(3), Rng(8), kSimulationEpoch);
  std::size_t covered = 0;
  for (const auto& group : fault_groups(plan)) {
    covered += group.size();
    const auto& first = plan[group.front()];
    if (first.kind == PlannedFault::Kind::kPartition || first.kind == PlannedFault::Kind::kExtraLatency) {
      REQUIRE(group.size() == 2);
      CHECK(plan[group.back()].client == first.client);
      CHECK(plan[group.back()].kind == (first.kind == PlannedFault::Kind::kPartition
                                            ? PlannedFault::Kind::kHeal
                                            : PlannedFault::Kind::kExtraLatencyOff));
    }
  }
  CHECK(covered == plan.size());
}

TEST_CASE("a shortened plan halves spans and extra delays and stays ordered", "[fault_plan][explore]") {
  FaultProfile profile = FaultProfile::flaky();
  profile.partition_chance = {1, 1};
  const auto plan = plan_faults(profile, names(1), Rng(2), kSimulationEpoch);
  const auto half = shortened(plan, 1);
  REQUIRE(half.size() == plan.size());
  for (std::size_t i = 1; i < half.size(); ++i) CHECK(half[i - 1].at <= half[i].at);
  auto span = [](const std::vector<PlannedFault>& p, PlannedFault::Kind start, PlannedFault::Kind end) {
    TimeNs a = 0, b = 0;
    for (const auto& f : p) {
      if (f.kind == start) a = f.at;
      if (f.kind == end) b = f.at;
    }
    return b - a;
  };
  CHECK(span(half, PlannedFault::Kind::kPartition, PlannedFault::Kind::kHeal) ==
        span(plan, PlannedFault::Kind::kPartition, PlannedFault::Kind::kHeal) / 2);
  for (const auto& f : half) {
    if (f.kind == PlannedFault::Kind::kExtraLatency) CHECK(f.latency.max == profile.jitter.max / 2);
  }
  CHECK(shortened(plan, 0) == plan);
}

TEST_CASE("a capped profile heals every partition and bounds every extra delay within the cap",
          "[fault_plan][explore]") {
  constexpr DurationNs kCap = ms(500);
  FaultProfile profile = FaultProfile::partitions();
  profile.jitter_chance = {1, 1};
  profile.jitter = FaultProfile::lossy().jitter;  // retransmissions of up to 3 s
  const FaultProfile capped = profile.capped(kCap);
  CHECK(capped.partition_chance == profile.partition_chance);  // the same faults, shorter
  CHECK(capped.jitter_chance == profile.jitter_chance);
  CHECK(capped.jitter.bound() == kCap);
  const auto plan = plan_faults(capped, names(40), Rng(4), kSimulationEpoch);
  std::size_t partitions = 0;
  for (const auto& name : names(40)) {
    TimeNs partition_at = -1;
    for (const auto& f : faults_of(plan, name)) {
      if (f.kind == PlannedFault::Kind::kPartition) partition_at = f.at;
      if (f.kind == PlannedFault::Kind::kHeal) {
        ++partitions;
        CHECK(f.at - partition_at <= kCap);
      }
      if (f.kind == PlannedFault::Kind::kExtraLatency) CHECK(f.latency.bound() <= kCap);
    }
  }
  CHECK(partitions > 10);
  Rng rng(6);
  bool reached = false;
  for (int i = 0; i < 10'000; ++i) {
    const DurationNs d = capped.jitter.draw(rng);
    CHECK(d <= kCap);
    reached = reached || d > ms(400);
  }
  CHECK(reached);                                 // held to the cap, not far below it
  CHECK(profile.capped(seconds(60)) == profile);  // a cap above every bound changes nothing
}
