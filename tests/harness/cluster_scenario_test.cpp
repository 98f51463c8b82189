// The cluster vocabulary (`cluster:`, `node:`, crash_node, restart_node, partition_nodes,
// heal_nodes) parsed into steps, and run on the simulated cluster.
#include <catch2/catch.hpp>

#include "harness/executor.hpp"
#include "harness/scenario_loader.hpp"
#include "harness/sim_target.hpp"

using namespace pushsim;
using namespace pushsim::harness;

namespace {

constexpr const char* kScenario = R"(id: cluster.99
name: a cluster scenario
level: must
section: "3.4"
cluster: { nodes: 3 }
clients:
  alice: { user_id: u1 }
  bob: { user_id: u2 }
steps:
  - connect: { client: alice, node: 2 }
  - connect: { client: bob, node: 1 }
  - subscribe: { client: alice, channel: presence-room }
  - subscribe: { client: bob, channel: presence-room }
  - expect: { client: alice, event: "pusher_internal:member_added", data: { user_id: u2 } }
  - partition_nodes: [2, 0]
  - heal_nodes: [0, 2]
  - heal_nodes:
  - trigger: { channel: presence-room, event: hi, node: 0 }
  - expect: { client: bob, event: hi }
  - crash_node: 1
  - advance: 4s
  - query: { path: /channels/presence-room/users, node: 0 }
  - expect_response: { status: 200, body: { users: [{ id: u1 }] } }
  - restart_node: 1
)";

Scenario load() {
  auto outcome = check_scenario_text(kScenario, "cluster.yaml");
  INFO(join_diagnostics(outcome.diagnostics));
  REQUIRE(outcome.scenario.has_value());
  return *outcome.scenario;
}

}  // namespace

TEST_CASE("the cluster vocabulary parses into steps that name nodes", "[cluster][loader]") {
  const Scenario scenario = load();
  CHECK(scenario.cluster_nodes == 3);
  CHECK_FALSE(scenario.simulation_only.has_value());  // live on a target of enough nodes
  const auto& steps = scenario.steps;
  REQUIRE(steps.size() == 15);
  CHECK(std::get<ConnectStep>(steps[0].action).node == 2);
  CHECK(std::get<PartitionNodesStep>(steps[5].action).a == 2);
  CHECK(std::get<PartitionNodesStep>(steps[5].action).b == 0);
  CHECK(std::get<HealNodesStep>(steps[6].action).nodes == std::pair(0, 2));
  CHECK_FALSE(std::get<HealNodesStep>(steps[7].action).nodes.has_value());
  CHECK(std::get<TriggerStep>(steps[8].action).node == 0);
  CHECK(std::get<CrashNodeStep>(steps[10].action).node == 1);
  CHECK(std::get<QueryStep>(steps[12].action).node == 0);
  CHECK(std::get<RestartNodeStep>(steps[14].action).node == 1);
  CHECK(describe_step(steps[0]) == "connect alice node=2");
  CHECK(step_kind(steps[10]) == "crash_node");
}

TEST_CASE("a cluster scenario passes on the reference cluster and fails where a node's death goes unnoticed",
          "[cluster][executor]") {
  const Scenario scenario = load();
  auto run = [&](Defects defects) {
    SimTargetOptions options;
    options.scenario = scenario.id;
    options.cluster_nodes = scenario.cluster_nodes;
    options.defects = defects;
    SimTarget target(options);
    return run_scenario(scenario, target, 1, {});
  };
  CHECK(run({}).verdict == Verdict::kPass);
  CHECK(run(Defects{Defect::kNoDeadNodeCleanup}).verdict == Verdict::kFail);
}

TEST_CASE("a target of one server refuses the cluster steps", "[cluster][executor]") {
  SimTarget target(SimTargetOptions{});
  CHECK(target.nodes() == 1);
  CHECK(target.crash_node(0).has_value());
  CHECK(target.partition_nodes(0, 1).has_value());
}
