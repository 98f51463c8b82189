// Generated workloads: every workload renders to a scenario the loader accepts, the same
// seed gives the same workload, YAML and trace, the reference engine passes them (and any
// subset of their operations), a broken engine fails one, and the shrinker makes that one
// smaller while it keeps failing on the broken engine and passing on the reference.
#include <catch2/catch.hpp>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <set>

#include "harness/scenario_loader.hpp"
#include "harness/workload_check.hpp"
#include "protocol/random.hpp"
#include "test_paths.hpp"

using namespace pushsim;
using namespace pushsim::harness;

namespace {

Workload workload_of(std::uint64_t seed, int clients = 4, int steps = 40, int nodes = 1, bool should = false,
                     bool extras = true) {
  WorkloadOptions options;
  options.seed = seed;
  options.clients = clients;
  options.steps = steps;
  options.nodes = nodes;
  options.should = should;
  options.extras = extras;
  return generate_workload(options);
}

bool is_extra(WorkloadOp::Kind kind) {
  using K = WorkloadOp::Kind;
  return kind == K::kWebhookFilter || kind == K::kWsPing || kind == K::kShutdown || kind == K::kTerminate ||
         kind == K::kWatchlistNodes || kind == K::kQuotaNodes;
}

std::uint64_t first_failing_seed(const Defects& defects, std::uint64_t budget) {
  for (std::uint64_t seed = 1; seed <= budget; ++seed) {
    if (run_workload(workload_of(seed), defects).failed) return seed;
  }
  return 0;
}

}  // namespace

TEST_CASE("every generated workload renders to a scenario the loader accepts", "[workload]") {
  std::set<std::string> kinds;
  for (std::uint64_t seed = 1; seed <= 200; ++seed) {
    const Workload workload = workload_of(seed);
    for (const auto& op : workload.ops) kinds.insert(std::string(op_kind_name(op.kind)));
    const RenderedWorkload rendered = render_workload(workload);
    const LoadOutcome loaded = check_scenario_text(rendered.yaml, "generated.yaml");
    INFO("seed " << seed << "\n" << rendered.yaml);
    REQUIRE(loaded.diagnostics.empty());
    REQUIRE(loaded.scenario);
    // The round trip: what the loader read is what was rendered.
    CHECK(loaded.scenario->id == workload_id(seed));
    CHECK(loaded.scenario->steps.size() == rendered.steps);
    CHECK(loaded.scenario->clients.size() == rendered.clients);
    CHECK(rendered.ops_kept == workload.ops.size());  // the generator draws only possible operations
  }
  // Every kind of operation a single node's MUST workload has turns up within 200 seeds:
  // all but the cluster's six and the SHOULD binary-frame and shutdown probes.
  CHECK(kinds.size() == 35);
  CHECK(kinds.count("webhook-filter") == 1);
  CHECK(kinds.count("ws-ping") == 1);
}

TEST_CASE("cluster and SHOULD workloads render to scenarios the loader accepts", "[workload]") {
  std::set<std::string> kinds;
  for (std::uint64_t seed = 1; seed <= 150; ++seed) {
    for (const auto& [nodes, should] : std::vector<std::pair<int, bool>>{{3, false}, {1, true}}) {
      const Workload workload = workload_of(seed, 4, 40, nodes, should);
      for (const auto& op : workload.ops) kinds.insert(std::string(op_kind_name(op.kind)));
      const RenderedWorkload rendered = render_workload(workload);
      const LoadOutcome loaded = check_scenario_text(rendered.yaml, "generated.yaml");
      INFO("seed " << seed << ", " << nodes << " nodes\n" << rendered.yaml);
      REQUIRE(loaded.diagnostics.empty());
      REQUIRE(loaded.scenario);
      CHECK(loaded.scenario->steps.size() == rendered.steps);
      CHECK(loaded.scenario->clients.size() == rendered.clients);
      CHECK(rendered.ops_kept == workload.ops.size());
      CHECK(loaded.scenario->level == (should ? Level::kShould : Level::kMust));
    }
  }
  CHECK(kinds.count("crash-node") == 1);
  CHECK(kinds.count("restart-node") == 1);
  CHECK(kinds.count("bus-partition") == 1);
  CHECK(kinds.count("binary-frame") == 1);
  for (const char* extra : {"shutdown", "terminate", "watchlist-nodes", "quota-nodes"}) CHECK(kinds.count(extra) == 1);
}

// The extras come from a stream of their own: without them a seed's workload is what it was
// before they existed, and with them it is that one with the extras inserted. Live, none.
TEST_CASE("the extras leave every other operation of a seed as it was, and stay out of live workloads", "[workload]") {
  std::size_t extras = 0;
  for (std::uint64_t seed = 1; seed <= 100; ++seed) {
    for (const auto& [nodes, should] : std::vector<std::pair<int, bool>>{{1, false}, {3, false}, {1, true}}) {
      const Workload with = workload_of(seed, 4, 40, nodes, should);
      Workload without = workload_of(seed, 4, 40, nodes, should, false);
      std::vector<WorkloadOp> rest;
      for (const auto& op : with.ops) {
        if (!is_extra(op.kind)) rest.push_back(op);
        if (is_extra(op.kind)) {
          ++extras;
          CHECK(op.number > 1000);  // probe names and users of their own
        }
      }
      INFO("seed " << seed << ", " << nodes << " nodes, should " << should);
      CHECK(rest == without.ops);
      CHECK(
          std::none_of(without.ops.begin(), without.ops.end(), [](const WorkloadOp& op) { return is_extra(op.kind); }));
    }
  }
  CHECK(extras > 300);
  for (const bool should : {false, true}) {
    WorkloadOptions options;
    options.live = true;
    options.should = should;
    for (std::uint64_t seed = 1; seed <= 100; ++seed) {
      options.seed = seed;
      const Workload live = generate_workload(options);
      CHECK(std::none_of(live.ops.begin(), live.ops.end(), [](const WorkloadOp& op) { return is_extra(op.kind); }));
    }
  }
  // A live workload given one anyway (a hand-edited one) renders without it.
  WorkloadOptions options;
  options.live = true;
  options.seed = 5;
  Workload live = generate_workload(options);
  const std::size_t kept = render_workload(live).ops_kept;
  WorkloadOp filter;
  filter.kind = WorkloadOp::Kind::kWebhookFilter;
  filter.number = 1001;
  live.ops.push_back(filter);
  const RenderedWorkload rendered = render_workload(live);
  CHECK(rendered.ops_kept == kept);
  CHECK(rendered.yaml.find("webhook_endpoints") == std::string::npos);
}

// Issue 14: the defects added with issue 17's features and the cluster's last four are found by
// the extras, each by the probe made for it; the shrunk scenario is that probe.
TEST_CASE(
    "the extras find the defects of webhook filters, WebSocket pings, shutdown and the cluster's quota, "
    "watchlists and terminate",
    "[workload][shrink]") {
  struct Case {
    Defect defect;
    int nodes;
    bool should;
    const char* step;  // what the shrunk scenario holds
  };
  const std::vector<Case> cases = {
      {Defect::kWebhookFilterFirstEvent, 1, false, "endpoint: members"},
      {Defect::kWebhookFiltersIgnored, 1, false, "endpoint: occupancy"},
      {Defect::kNoWebSocketPong, 1, false, "ws_ping:"},
      {Defect::kShutdownWithoutClose, 1, true, "shutdown_server:"},
      {Defect::kTerminateLocalOnly, 3, false, "terminate_connections"},
      {Defect::kWatchlistPerNode, 3, false, "watchlist:"},
      {Defect::kConnectionQuotaPerNode, 3, false, "max_connections: 2"},
  };
  for (const auto& c : cases) {
    const Defects defects{c.defect};
    INFO(defect_name(c.defect));
    std::uint64_t seed = 1;
    while (seed <= 50 && !run_workload(workload_of(seed, 4, 40, c.nodes, c.should), defects).failed) ++seed;
    REQUIRE(seed <= 50);
    // Not without the extras: no other operation finds it.
    CHECK_FALSE(run_workload(workload_of(seed, 4, 40, c.nodes, c.should, false), defects).failed);
    const WorkloadShrink shrunk = shrink_workload(workload_of(seed, 4, 40, c.nodes, c.should), defects);
    CHECK(shrunk.run.failed);
    CHECK(shrunk.workload.ops.size() <= 2);
    CHECK(shrunk.rendered.yaml.find(c.step) != std::string::npos);
    CHECK_FALSE(run_workload_text(shrunk.rendered.yaml, {}).failed);
  }
}

TEST_CASE("the reference passes cluster and SHOULD workloads", "[workload]") {
  for (std::uint64_t seed = 1; seed <= 25; ++seed) {
    for (const auto& [nodes, should] : std::vector<std::pair<int, bool>>{{2, false}, {3, false}, {1, true}}) {
      const WorkloadRun run = run_workload(workload_of(seed, 4, 40, nodes, should), {});
      INFO("seed " << seed << ", " << nodes << " nodes, should " << should << ": " << run.failure);
      CHECK_FALSE(run.failed);
    }
  }
  // Any subset too: a connect to a node left down, a restart of one never crashed, is left out.
  Rng rng(11);
  for (std::uint64_t seed = 1; seed <= 20; ++seed) {
    Workload workload = workload_of(seed, 4, 40, 3);
    std::vector<WorkloadOp> kept;
    for (const auto& op : workload.ops) {
      if (rng.chance(2, 3)) kept.push_back(op);
    }
    workload.ops = kept;
    const WorkloadRun run = run_workload(workload, {});
    INFO("subset of cluster seed " << seed << ": " << run.failure);
    CHECK(run.loaded);
    CHECK_FALSE(run.failed);
  }
}

TEST_CASE("cluster workloads find a cluster-only defect, and the shrunk one crashes a node", "[workload][shrink]") {
  const Defects ghosts{Defect::kNoDeadNodeCleanup};
  std::uint64_t seed = 1;
  while (seed <= 200 && !run_workload(workload_of(seed, 4, 40, 3), ghosts).failed) ++seed;
  REQUIRE(seed <= 200);
  const WorkloadShrink shrunk = shrink_workload(workload_of(seed, 4, 40, 3), ghosts);
  CHECK(shrunk.run.failed);
  CHECK(shrunk.rendered.yaml.find("crash_node:") != std::string::npos);
  CHECK_FALSE(run_workload_text(shrunk.rendered.yaml, {}).failed);
}

TEST_CASE("the same seed gives the same workload, YAML and trace", "[workload]") {
  const Workload a = workload_of(42);
  const Workload b = workload_of(42);
  CHECK(a == b);
  CHECK(render_workload(a).yaml == render_workload(b).yaml);
  const WorkloadRun first = run_workload(a, {});
  const WorkloadRun second = run_workload(b, {});
  CHECK(first.trace_records > 0);
  CHECK(first.trace_digest == second.trace_digest);
  CHECK(render_workload(workload_of(43)).yaml != render_workload(a).yaml);
}

TEST_CASE("the reference engine passes generated workloads and any subset of them", "[workload]") {
  for (std::uint64_t seed = 1; seed <= 60; ++seed) {
    const WorkloadRun run = run_workload(workload_of(seed), {});
    INFO("seed " << seed << ": " << run.failure);
    CHECK_FALSE(run.failed);
  }
  // Operations that lost what they needed are left out by the model, so a subset is valid.
  Rng rng(7);
  for (std::uint64_t seed = 1; seed <= 30; ++seed) {
    Workload workload = workload_of(seed);
    std::vector<WorkloadOp> kept;
    for (const auto& op : workload.ops) {
      if (rng.chance(2, 3)) kept.push_back(op);
    }
    workload.ops = kept;
    const WorkloadRun run = run_workload(workload, {});
    INFO("subset of seed " << seed << ": " << run.failure);
    CHECK(run.loaded);
    CHECK_FALSE(run.failed);
  }
}

// Found by generated workloads, each once a false failure of the reference: a member list kept
// from before an unsubscribe judged after a refused re-subscribe (seed 11), and a batched
// member_removed ordered after the re-add that followed it in the same POST (seed 116).
TEST_CASE("the workloads that once failed the reference engine pass", "[workload]") {
  CHECK_FALSE(run_workload(workload_of(11), {}).failed);
  CHECK_FALSE(run_workload(workload_of(116, 8, 100), {}).failed);
}

TEST_CASE("a broken engine fails a workload, and the shrunk one still tells it from the reference",
          "[workload][shrink]") {
  const Defects echo{Defect::kEchoClientEvents};
  const std::uint64_t seed = first_failing_seed(echo, 200);
  REQUIRE(seed != 0);
  const Workload failing = workload_of(seed);
  const WorkloadShrink shrunk = shrink_workload(failing, echo);
  CHECK(shrunk.workload.ops.size() < failing.ops.size());
  CHECK(shrunk.rendered.steps < render_workload(failing).steps);
  CHECK(shrunk.run.failed);
  CHECK_FALSE(run_workload_text(shrunk.rendered.yaml, {}).failed);
  CHECK(run_workload_text(shrunk.rendered.yaml, echo).failed);
  // Deterministic: shrinking again ends with the same scenario.
  CHECK(shrink_workload(failing, echo).rendered.yaml == shrunk.rendered.yaml);
}

TEST_CASE("a race-only defect is found by the concurrent operations", "[workload][shrink]") {
  const Defects stale{Defect::kStaleVacatedCount};
  const std::uint64_t seed = first_failing_seed(stale, 300);
  REQUIRE(seed != 0);
  const WorkloadShrink shrunk = shrink_workload(workload_of(seed), stale);
  CHECK(shrunk.run.failed);
  CHECK(shrunk.rendered.concurrent >= 1);
  CHECK_FALSE(run_workload_text(shrunk.rendered.yaml, {}).failed);
}

// Subscription counting, checked without drawing anything new (seeds keep their operations):
// every other publish to a counted channel asks for its count, and a SHOULD workload ends by
// looking for counts on its presence channels.
TEST_CASE("workloads with subscription counting find a publish without the count and a count on presence",
          "[workload]") {
  const Defects no_info{Defect::kPublishInfoWithoutSubscriptionCount};
  CHECK(first_failing_seed(no_info, 50) != 0);
  const Defects on_presence{Defect::kSubscriptionCountOnPresence};
  std::uint64_t found = 0;
  for (std::uint64_t seed = 1; seed <= 50 && found == 0; ++seed) {
    if (run_workload(workload_of(seed, 4, 40, 1, true), on_presence).failed) found = seed;
  }
  CHECK(found != 0);
  CHECK(first_failing_seed(on_presence, 50) == 0);  // MUST workloads leave that SHOULD alone
}

namespace {

std::filesystem::path fixture(const std::string& name) {
  return pushsim::test::source_root() / "tests" / "harness" / "generated" / name;
}

std::string read_text(const std::filesystem::path& path) {
  std::ifstream in(path, std::ios::binary);
  return std::string(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
}

}  // namespace

// The same seed renders the same bytes on every build and machine: a golden file.
TEST_CASE("a workload renders byte for byte as its golden file", "[workload]") {
  const std::string golden = read_text(fixture("workload_seed_3.yaml"));
  REQUIRE_FALSE(golden.empty());
  CHECK(render_workload(workload_of(3)).yaml == golden);
}

// Scenarios `pushsim generate` wrote, as a user would commit them: each fails on the defect it
// was found against (a race-only one among them, caught by a plain run) and passes on the
// reference.
TEST_CASE("written scenarios fail on their defect and pass on the reference", "[workload]") {
  const std::vector<std::pair<std::string, Defect>> written = {
      {"generated_2_stale-vacated-count.yaml", Defect::kStaleVacatedCount},
      {"generated_4_no-user-id-on-client-event.yaml", Defect::kNoUserIdOnClientEvent},
      {"generated_4_no-dead-node-cleanup.yaml", Defect::kNoDeadNodeCleanup},  // --nodes 3
      {"generated_8_watchlist-events-per-connection.yaml", Defect::kWatchlistEventsPerConnection},
      {"generated_4_future-timestamp-accepted.yaml", Defect::kFutureTimestampAccepted},
      // The extras: a batch sent whole to the endpoint that wanted its first event; --nodes 3
      // for the cluster's three; a SHOULD one (--should), a failure all the same.
      {"generated_3_webhook-filter-first-event.yaml", Defect::kWebhookFilterFirstEvent},
      {"generated_2_shutdown-without-close.yaml", Defect::kShutdownWithoutClose},
      {"generated_4_terminate-local-only.yaml", Defect::kTerminateLocalOnly},
      {"generated_2_watchlist-per-node.yaml", Defect::kWatchlistPerNode},
      {"generated_1_connection-quota-per-node.yaml", Defect::kConnectionQuotaPerNode},
      // Subscription counting: a publish asked for the count (MUST), and no count on a presence
      // channel at the end of a SHOULD workload.
      {"generated_6_publish-info-without-subscription-count.yaml", Defect::kPublishInfoWithoutSubscriptionCount},
      {"generated_2_subscription-count-on-presence.yaml", Defect::kSubscriptionCountOnPresence},
  };
  for (const auto& [file, defect] : written) {
    INFO(file);
    const std::string text = read_text(fixture(file));
    REQUIRE_FALSE(text.empty());
    CHECK(run_workload_text(text, Defects{defect}, file).failed);
    const WorkloadRun reference = run_workload_text(text, {}, file);
    INFO(reference.failure);
    CHECK_FALSE(reference.failed);
  }
}

// Faults of the reference cluster that `pushsim generate --nodes` found, kept as written: each
// failed on the reference until it was fixed (a survivor claiming a dead node sent no new
// subscription_count; a member_added through the node outran the member_removed over the bus,
// and the subscriber got member_added for a member its list held).
TEST_CASE("generated findings about the reference cluster pass on it", "[workload]") {
  for (const std::string file : {"generated_27_reference_subscription_count_after_crash.yaml",
                                 "generated_1232_reference_member_events_crossing.yaml"}) {
    INFO(file);
    const std::string text = read_text(fixture(file));
    REQUIRE_FALSE(text.empty());
    const WorkloadRun reference = run_workload_text(text, {}, file);
    INFO(reference.failure);
    CHECK_FALSE(reference.failed);
  }
}
