// Generated workloads live: the live form leaves out what cannot run live, what every
// published event owes each client is judged from a trace (a rogue one here), and against an
// in-process `pushsim serve` the reference passes while a broken engine fails, and live
// shrinking keeps a workload that still fails.
#include <catch2/catch.hpp>

#include <string>

#include "harness/live_target.hpp"
#include "harness/scenario_loader.hpp"
#include "harness/workload_live.hpp"

using namespace pushsim;
using namespace pushsim::harness;

namespace {

Workload live_workload(std::uint64_t seed, int steps = 40) {
  WorkloadOptions options;
  options.seed = seed;
  options.steps = steps;
  options.live = true;
  return generate_workload(options);
}

std::string frame(const std::string& event, const std::string& channel) {
  return R"({"event":")" + event + R"(","channel":")" + channel + R"(","data":"{}"})";
}

TraceLine delivered(const std::string& client, const std::string& event, const std::string& channel) {
  return TraceLine{0, "deliver", "server", client, frame(event, channel)};
}

TargetFactory serve(Defects defects = {}) {
  LiveTargetOptions options;
  options.serve = true;
  options.serve_defects = defects;
  return live_target_factory(options);
}

}  // namespace

TEST_CASE("live workloads run without virtual time and judge a drop as the server sees it", "[workload]") {
  std::size_t drops = 0;
  for (std::uint64_t seed = 1; seed <= 60; ++seed) {
    const Workload workload = live_workload(seed);
    const auto rendered = render_workload(workload);
    INFO("seed " << seed);
    for (const auto& op : workload.ops) CHECK(op.kind != WorkloadOp::Kind::kDropTimeout);
    CHECK(rendered.yaml.find("simulation_only") == std::string::npos);
    CHECK(rendered.yaml.find("advance: 155s") == std::string::npos);
    CHECK(rendered.yaml.find("advance: 1s") == std::string::npos);
    REQUIRE(load_scenario_text(rendered.yaml, "live.yaml").ok());
    // A drop resets the server's side too: its members leave at once, as on a disconnect.
    const auto drop = rendered.yaml.find("- drop: ");
    if (drop == std::string::npos) continue;
    ++drops;
    const auto next = rendered.yaml.find('\n', drop);
    CHECK(rendered.yaml.compare(next + 1, 19, "  - advance: 500ms\n") == 0);
  }
  CHECK(drops > 0);
}

TEST_CASE("a workload's deliveries: exactly the owed ones, whatever the trace", "[workload]") {
  const std::vector<WorkloadDelivery> owed = {
      {"c1", "room-1", "e1", 1, 1},
      {"c2", "room-1", "e1", 1, 1},
      {"c3", "private-1", "client-e2", 0, 1},  // a race decides
  };
  std::vector<TraceLine> trace = {delivered("c1", "e1", "room-1"), delivered("c2", "e1", "room-1")};
  CHECK(check_workload_deliveries(owed, trace).empty());
  trace.push_back(delivered("c3", "client-e2", "private-1"));
  CHECK(check_workload_deliveries(owed, trace).empty());
  // A rogue server: c4 (not subscribed) gets e1, c1 gets it twice, c2 never, c3 twice.
  std::vector<TraceLine> rogue = {
      delivered("c1", "e1", "room-1"),           delivered("c1", "e1", "room-1"),
      delivered("c4", "e1", "room-1"),           delivered("c3", "client-e2", "private-1"),
      delivered("c3", "client-e2", "private-1"), delivered("c4", "pusher_internal:member_added", "presence-1")};
  const auto problems = check_workload_deliveries(owed, rogue);
  REQUIRE(problems.size() == 4);
  CHECK(problems[0] == "delivery: c1 got e1 on room-1 twice; the protocol owes it once");
  CHECK(problems[1] == "delivery: c2 got e1 on room-1 never; the protocol owes it once");
  CHECK(problems[2] ==
        "delivery: c3 got client-e2 on private-1 twice; the protocol owes it none to once (a race decides)");
  CHECK(problems[3] ==
        "delivery: c4 got e1 on room-1 once; the protocol owes it none (not subscribed there, excluded, or its "
        "sender)");
}

TEST_CASE("live workloads: pushsim serve passes, a broken one fails and shrinks live", "[workload][live]") {
  for (std::uint64_t seed = 1; seed <= 2; ++seed) {
    const auto run = run_workload_live(live_workload(seed, 25), serve());
    INFO("seed " << seed << ": " << run.failure);
    CHECK_FALSE(run.skipped);
    CHECK_FALSE(run.failed);
  }
  const Workload failing = live_workload(3, 25);  // the first seed with an exclusion a subscriber sees
  const auto broken = serve({Defect::kIgnoreSocketExclusion});
  const auto run = run_workload_live(failing, broken);
  REQUIRE(run.failed);
  LiveShrinkOptions options;
  options.runs = 1;
  options.budget = std::chrono::seconds(40);
  const auto shrunk = shrink_workload_live(failing, broken, options);
  CHECK(shrunk.runs == 1);
  CHECK(shrunk.reproduced == 1);
  CHECK(shrunk.rendered.ops_kept < failing.ops.size());
  CHECK(shrunk.failure.find("e") != std::string::npos);
}

TEST_CASE("live workloads: an event at a connection no step looks at fails on its deliveries", "[workload][live]") {
  // c1 and c2 on room-1; c1 leaves; e1 goes to room-1. Only c2's e1 is a step; an engine that
  // ignores the unsubscribe still sends c1 e1, and only the deliveries show it.
  using K = WorkloadOp::Kind;
  Workload workload;
  workload.seed = 1;
  workload.clients = 2;
  workload.user_ids = {"u1", "u2"};
  workload.live = true;
  auto op = [](K kind, int a, const std::string& channel = "") {
    WorkloadOp out;
    out.kind = kind;
    out.a = a;
    out.channel = channel;
    return out;
  };
  WorkloadOp trigger = op(K::kTrigger, -1);
  trigger.channels = {"room-1"};
  trigger.number = 1;
  workload.ops = {op(K::kConnect, 0),
                  op(K::kConnect, 1),
                  op(K::kSubscribe, 0, "room-1"),
                  op(K::kSubscribe, 1, "room-1"),
                  op(K::kUnsubscribe, 0, "room-1"),
                  trigger};
  REQUIRE(render_workload(workload).ops_kept == workload.ops.size());
  const auto reference = run_workload_live(workload, serve());
  INFO(reference.failure);
  CHECK_FALSE(reference.failed);
  const auto broken = run_workload_live(workload, serve({Defect::kUnsubscribeIgnored}));
  CHECK(broken.failure ==
        "generated.yaml: delivery: c1 got e1 on room-1 once; the protocol owes it none (not subscribed there, "
        "excluded, or its sender)");
}
