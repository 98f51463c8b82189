// Exploration, replay and shrinking: a run is a function of its spec (two replays give the
// same trace digest), shards split the seed space, the race-only defect is found within the
// selftest budget while the reference engine passes, and a shrunk run fails the same way
// with a smaller trace and replays from its flags.
#include <catch2/catch.hpp>

#include <filesystem>
#include <mutex>
#include <set>

#include "harness/explorer.hpp"
#include "harness/fault_profile_file.hpp"
#include "harness/scenario_loader.hpp"
#include "test_paths.hpp"

using namespace pushsim;
using namespace pushsim::harness;

namespace {

Scenario race_scenario() {
  const auto path = pushsim::test::source_root() / "scenarios" / "races" / "races_member_count_after_broadcast.yaml";
  auto loaded = load_scenario_file(path);
  if (!loaded) FAIL(loaded.error().message);
  return *loaded;
}

RunSpec defective(std::uint64_t seed = 1) {
  RunSpec spec;
  spec.seed = seed;
  spec.profile = fakes::FaultProfile::jitter_profile();
  spec.defects.add(Defect::kMemberCountAfterBroadcast);
  return spec;
}

std::uint64_t first_failing_seed(const Scenario& s, const RunSpec& base, std::uint64_t budget) {
  ExploreOptions options;
  options.seeds = budget;
  const auto result = explore(s, base, options);
  return result.failures.empty() ? 0 : result.failures.front().seed;
}

}  // namespace

TEST_CASE("explore finds the race-only defect within the selftest budget; the reference passes", "[explore]") {
  const Scenario s = race_scenario();
  const std::uint64_t seed = first_failing_seed(s, defective(), 2000);
  REQUIRE(seed > 0);
  // Race-only: the bundled suite's own run of this scenario (root seed 1, no faults) passes.
  RunSpec plain;
  plain.defects.add(Defect::kMemberCountAfterBroadcast);
  CHECK_FALSE(run_spec(s, plain).failed());
  // The same seeds against the reference engine, under every exploration profile.
  for (const auto& profile : fakes::FaultProfile::exploration()) {
    INFO(profile.name);
    RunSpec reference;
    reference.profile = profile;
    CHECK(first_failing_seed(s, reference, 300) == 0);
  }
}

TEST_CASE("a replay of a failing seed fails the same way with the same trace, twice", "[explore][replay]") {
  const Scenario s = race_scenario();
  const std::uint64_t seed = first_failing_seed(s, defective(), 2000);
  REQUIRE(seed > 0);
  SpecRunOptions options;
  options.excerpt = true;
  const auto a = run_spec(s, defective(seed), options);
  const auto b = run_spec(s, defective(seed), options);
  CHECK(a.failed());
  CHECK(a.signature == "invariant members-converge");
  CHECK(a.signature == b.signature);
  CHECK(a.trace_digest == b.trace_digest);
  CHECK(a.trace_records == b.trace_records);
  CHECK(a.excerpt == b.excerpt);
  CHECK_FALSE(a.excerpt.empty());
  // Another seed is another run.
  CHECK(run_spec(s, defective(seed + 1), options).trace_digest != a.trace_digest);
}

TEST_CASE("explore gives the same first failure whatever the number of jobs", "[explore]") {
  const Scenario s = race_scenario();
  ExploreOptions options;
  options.seeds = 2000;
  const auto one = explore(s, defective(), options);
  options.jobs = 3;
  const auto three = explore(s, defective(), options);
  REQUIRE_FALSE(one.failures.empty());
  REQUIRE_FALSE(three.failures.empty());
  CHECK(one.failures.front().seed == three.failures.front().seed);
  CHECK(one.seeds_run == one.failures.front().seed);
}

TEST_CASE("shards explore disjoint seeds that cover the space", "[explore]") {
  const Scenario s = race_scenario();
  RunSpec base;  // the reference: every seed passes, so every seed is run
  std::set<std::uint64_t> all;
  std::uint64_t total = 0;
  for (unsigned shard = 1; shard <= 3; ++shard) {
    ExploreOptions options;
    options.seeds = 10;
    options.shard_index = shard;
    options.shard_count = 3;
    options.keep_going = true;
    const auto result = explore(s, base, options);
    total += result.seeds_run;
  }
  CHECK(total == 10);
  // A seed fails identically whichever shard found it: the spec alone names the run.
  const std::uint64_t seed = first_failing_seed(s, defective(), 2000);
  REQUIRE(seed > 0);
  ExploreOptions sharded;
  sharded.seeds = 2000;
  sharded.shard_count = 2;
  sharded.shard_index = seed % 2 == 1 ? 1 : 2;
  const auto result = explore(s, defective(), sharded);
  REQUIRE_FALSE(result.failures.empty());
  CHECK(result.failures.front().seed == seed);
}

TEST_CASE("shrinking keeps the failure, makes the trace smaller and replays from its flags", "[explore][shrink]") {
  const Scenario s = race_scenario();
  const std::uint64_t seed = first_failing_seed(s, defective(), 2000);
  REQUIRE(seed > 0);
  const auto before = run_spec(s, defective(seed));
  const auto shrunk = shrink(s, defective(seed));
  CHECK(shrunk.run.signature == before.signature);
  CHECK(shrunk.run.trace_records < before.trace_records);
  CHECK(shrunk.run.applied.size() <= before.applied.size());
  CHECK(shrunk.attempts > 0);
  // The shrunk spec is a run of its own: replaying it gives the same trace.
  const auto again = run_spec(s, shrunk.spec);
  CHECK(again.signature == before.signature);
  CHECK(again.trace_records == shrunk.run.trace_records);
  const std::string flags = shrunk.spec.replay_flags("jitter");
  CHECK_THAT(flags, Catch::StartsWith("--seed " + std::to_string(seed) +
                                      " --profile jitter --defect "
                                      "member-count-after-broadcast"));
}

TEST_CASE("without_steps leaves out steps by path, nested ones included", "[explore][shrink]") {
  const Scenario s = race_scenario();
  // Steps: 1 connects, 2 advance, 3 latency, 4 the racing subscribes, ...
  const Scenario fewer = without_steps(s, {"2", "4.1"});
  REQUIRE(fewer.steps.size() == s.steps.size() - 1);
  const auto* block = std::get_if<ConcurrentlyStep>(&fewer.steps[2].action);
  REQUIRE(block != nullptr);
  CHECK(block->steps.size() == 3);
}

TEST_CASE("fault profiles come by name or from a YAML file, and unsafe ones are refused", "[explore][profile]") {
  CHECK(resolve_fault_profile("partitions")->name == "partitions");
  const auto parsed = parse_fault_profile(R"(name: mobile
horizon: 2s
jitter: { chance: 1/2, min: 5ms, max: 80ms, for_min: 1s, for_max: 20s }
partitions: { chance: 1/3, min: 100ms, max: 5s }
webhook_failures: { chance: 1/2, max: 2 }
)",
                                          "mobile.yaml");
  REQUIRE(parsed);
  CHECK(parsed->name == "mobile");
  CHECK(parsed->horizon == seconds(2));
  CHECK(parsed->jitter == fakes::Latency::uniform(ms(5), ms(80)));
  CHECK(parsed->partition_chance == fakes::Ratio{1, 3});
  CHECK(parsed->webhook_failures_max == 2);

  const auto too_long = parse_fault_profile("partitions: { chance: 1/2, max: 30s }\n", "long.yaml");
  REQUIRE_FALSE(too_long);
  CHECK_THAT(too_long.error().message, Catch::Contains("long.yaml:1:1") && Catch::Contains("10s"));
  const auto typo = parse_fault_profile("jiter: { chance: 1/2, max: 5ms }\n", "typo.yaml");
  REQUIRE_FALSE(typo);
  CHECK_THAT(typo.error().message, Catch::Contains("typo.yaml:1:1") && Catch::Contains("jiter"));
  const auto bad_ratio = parse_fault_profile("partitions: { chance: half }\n", "ratio.yaml");
  REQUIRE_FALSE(bad_ratio);
  CHECK_THAT(bad_ratio.error().message, Catch::Contains("ratio.yaml:1:23") && Catch::Contains("1/3"));
  CHECK_FALSE(resolve_fault_profile("no-such-profile"));
}

TEST_CASE("a scenario's fault_delay_max holds exploration's faults to its timing premise", "[explore][profile]") {
  // cluster.12: a rejoin through another node within the 3 s removal delay sends no webhook.
  // A partition of up to 10 s can push the rejoin past the delay, where the pair is right.
  const auto path =
      pushsim::test::source_root() / "scenarios" / "cluster" / "cluster_12_removal_delay_across_nodes.yaml";
  auto loaded = load_scenario_file(path);
  REQUIRE(loaded);
  Scenario capped = *loaded;
  REQUIRE(capped.fault_delay_max == ms(500));
  Scenario uncapped = capped;
  uncapped.fault_delay_max.reset();
  RunSpec partitions;
  partitions.profile = fakes::FaultProfile::partitions();
  const std::uint64_t seed = first_failing_seed(uncapped, partitions, 300);
  REQUIRE(seed > 0);  // the reference "fails" a premise the faults broke
  partitions.seed = seed;
  CHECK_FALSE(run_spec(capped, partitions).failed());
  CHECK(first_failing_seed(capped, partitions, 300) == 0);
  // The cap keeps the faults that break a wrong cluster: removal-hold-per-node still fails.
  RunSpec broken = partitions;
  broken.defects.add(Defect::kRemovalHoldPerNode);
  CHECK(first_failing_seed(capped, broken, 300) > 0);
}
