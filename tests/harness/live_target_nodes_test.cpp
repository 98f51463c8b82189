// A live target of several nodes: `node: K` reaches node K (two in-process servers that share
// nothing, so a trigger sent to one node reaches only that node's clients), crash_node and
// restart_node go to the node control, the scenarios a target cannot play are skipped with the
// reason, and REST calls to different nodes are judged as one publisher per node.
#include <catch2/catch.hpp>

#include <memory>
#include <utility>

#include "executor_test_support.hpp"
#include "harness/live_invariants.hpp"
#include "harness/live_target.hpp"
#include "net/serve_server.hpp"

namespace pushsim::harness {
namespace {

using test::failures_of;
using test::load;
using test::scenario_text;

// Two plain servers on ephemeral ports: node 0 and node 1 of a "cluster" that is none.
struct TwoServers {
  ServeServer nodes[2];

  TwoServers() {
    for (auto& node : nodes) {
      ServeOptions options;
      options.port = 0;
      options.io_threads = 1;
      options.seed = 1;
      options.shutdown_grace = std::chrono::milliseconds(200);
      REQUIRE_FALSE(node.start(options));
    }
  }

  LiveTargetOptions target() const {
    LiveTargetOptions options;
    options.app = AppCredentials{"app-id", "app-key", "app-secret"};
    options.node_urls = {nodes[0].ws_url(), nodes[1].ws_url()};
    options.ws_url = options.node_urls.front();
    return options;
  }
};

// Records what the target asks of the nodes' processes.
struct RecordingControl final : NodeControl {
  std::vector<std::string> calls;
  std::optional<std::string> crash(int node) override {
    calls.push_back("crash " + std::to_string(node));
    return std::nullopt;
  }
  std::optional<std::string> restart(int node) override {
    calls.push_back("restart " + std::to_string(node));
    return node == 0 ? std::optional<std::string>("node 0 is not down") : std::nullopt;
  }
};

const char* const kOnEachNode = R"(cluster: { nodes: 2 }
clients:
  alice:
  bob:
steps:
  - connect: { client: alice, node: 0 }
  - expect: { client: alice, event: "pusher:connection_established" }
  - connect: { client: bob, node: 1 }
  - expect: { client: bob, event: "pusher:connection_established" }
  - subscribe: { client: alice, channel: news }
  - expect: { client: alice, event: "pusher_internal:subscription_succeeded", channel: news }
  - subscribe: { client: bob, channel: news }
  - expect: { client: bob, event: "pusher_internal:subscription_succeeded", channel: news }
)";

}  // namespace

TEST_CASE("live nodes: a trigger sent to node 1 reaches node 1's client only, when the nodes share nothing",
          "[live][cluster]") {
  TwoServers servers;
  LiveTarget target(servers.target());
  REQUIRE_FALSE(target.start_error());
  CHECK(target.nodes() == 2);
  const auto result = run_scenario(load(scenario_text("must", std::string(kOnEachNode) + R"(
  - trigger: { channel: news, event: to-one, data: {}, node: 1 }
  - expect: { client: bob, event: to-one, channel: news }
  - expect_none: { client: alice, event: to-one, for: 200ms }
)")),
                                   target, 7);
  INFO(failures_of(result));
  CHECK(result.verdict == Verdict::kPass);
  CHECK(servers.nodes[0].connection_count() == 1);
  CHECK(servers.nodes[1].connection_count() == 1);
}

TEST_CASE("live nodes: a cluster check fails on two servers that share nothing", "[live][cluster]") {
  TwoServers servers;
  LiveTarget target(servers.target());
  const auto result = run_scenario(load(scenario_text("must", std::string(kOnEachNode) + R"(
  - trigger: { channel: news, event: across, data: {}, node: 0 }
  - expect: { client: bob, event: across, channel: news, within: 500ms }
)")),
                                   target, 7);
  REQUIRE(result.verdict == Verdict::kFail);
  CHECK(failures_of(result).find("no matching frame at bob") != std::string::npos);
}

TEST_CASE("live nodes: clients naming no node go to node 0, or round the nodes when spread", "[live][cluster]") {
  const std::string body = R"(clients:
  a:
  b:
  c:
steps:
  - connect: a
  - expect: { client: a, event: "pusher:connection_established" }
  - connect: b
  - expect: { client: b, event: "pusher:connection_established" }
  - connect: c
  - expect: { client: c, event: "pusher:connection_established" }
)";
  for (const bool spread : {false, true}) {
    TwoServers servers;
    LiveTargetOptions options = servers.target();
    options.spread_clients = spread;
    LiveTarget target(options);
    const auto result = run_scenario(load(scenario_text("must", body)), target, 7);
    INFO(failures_of(result));
    REQUIRE(result.verdict == Verdict::kPass);
    CHECK(servers.nodes[0].connection_count() == (spread ? 2u : 3u));
    CHECK(servers.nodes[1].connection_count() == (spread ? 1u : 0u));
  }
}

TEST_CASE("live nodes: crash_node and restart_node go to the node control, its refusal fails the step",
          "[live][cluster]") {
  TwoServers servers;
  auto control = std::make_shared<RecordingControl>();
  LiveTargetOptions options = servers.target();
  options.node_control = control;
  LiveTarget target(options);
  const auto result = run_scenario(load(scenario_text("must", R"(cluster: { nodes: 2 }
clients:
  alice:
steps:
  - crash_node: 1
  - restart_node: 1
  - restart_node: 0
)")),
                                   target, 7);
  CHECK(control->calls == std::vector<std::string>{"crash 1", "restart 1", "restart 0"});
  REQUIRE(result.verdict == Verdict::kFail);
  CHECK(failures_of(result).find("node 0 is not down") != std::string::npos);
}

TEST_CASE("live nodes: what a live target of N nodes cannot play is skipped with the reason", "[live][cluster]") {
  LiveTargetOptions options;
  options.node_urls = {"ws://127.0.0.1:1", "ws://127.0.0.1:2"};
  options.ws_url = options.node_urls.front();
  const auto skip = [](LiveTargetOptions given, const std::string& body) {
    LiveTarget target(std::move(given));
    REQUIRE_FALSE(target.start_error());
    return target.cannot_play(load(scenario_text("must", body))).value_or("");
  };
  const std::string three = "cluster: { nodes: 3 }\nclients:\n  a:\nsteps:\n  - connect: { client: a, node: 2 }\n";
  CHECK(skip(options, three) ==
        "a cluster of 3 nodes; this target has 2 (one --target URL per node of a clustered server)");
  const std::string crash = "cluster: { nodes: 2 }\nclients:\n  a:\nsteps:\n  - concurrently:\n      - crash_node: 1\n";
  CHECK(skip(options, crash) ==
        "crash_node and restart_node need the nodes' server processes (--server-cmd once per --target)");
  const std::string partition = "cluster: { nodes: 2 }\nclients:\n  a:\nsteps:\n  - partition_nodes: [0, 1]\n";
  CHECK(skip(options, partition).find("partition_nodes and heal_nodes cut the bus between nodes") == 0);
  options.node_control = std::make_shared<RecordingControl>();
  CHECK(skip(options, crash).empty());  // the default wait cap, 5 s, covers kClusterDeathNoticed + 1 s
  options.wait_max = std::chrono::milliseconds(2'000);
  CHECK(skip(options, crash) ==
        "crash_node: the cluster notices a dead node within 5000 ms (kClusterDeathNoticed and 1 s of slack), "
        "longer than one live wait may take (--live-wait-cap 2000 ms)");
  CHECK(skip(options, "clients:\n  a:\nsteps:\n  - connect: a\n").empty());
}

TEST_CASE("live nodes: REST triggers to different nodes are ordered per node, as in simulation", "[live][cluster]") {
  const auto established = [](const std::string& id) {
    return R"({"event":"pusher:connection_established","data":"{\"socket_id\":\")" + id +
           R"(\",\"activity_timeout\":120}"})";
  };
  const auto event = [](const std::string& name) {
    return R"({"event":")" + name + R"(","channel":"room","data":"{}"})";
  };
  const auto trigger = [](const std::string& name, const std::string& via) {
    return "POST /apps/1/events?auth_signature=ff" + via + "\n" + R"({"name":")" + name +
           R"(","channels":["room"],"data":"{}"})";
  };
  const auto run = [&](const std::string& via_first, const std::string& via_second) {
    std::vector<TraceLine> trace{
        {1, "connect", "alice", "server", "/app/app-key?protocol=7"},
        {2, "deliver", "server", "alice", established("1.1")},
        {3, "send", "alice", "server", R"({"event":"pusher:subscribe","data":{"channel":"room"}})"},
        {10, "http_request", "app", "server", trigger("e1", via_first)},
        {11, "http_response", "server", "app", "200 {}"},
        {12, "http_request", "app", "server", trigger("e2", via_second)},
        {13, "http_response", "server", "app", "200 {}"},
        {20, "deliver", "server", "alice", event("e2")},
        {21, "deliver", "server", "alice", event("e1")},
    };
    std::vector<std::string> names;
    for (const auto& violation : check_live_invariants(trace, {})) names.push_back(violation.name);
    return names;
  };
  CHECK(run(" via node 0", " via node 1").empty());  // nothing orders calls to two nodes
  CHECK(run(" via node 1", " via node 1") == std::vector<std::string>{"publisher-order"});
  CHECK(run("", "") == std::vector<std::string>{"publisher-order"});
}

TEST_CASE("live nodes: after a crash_node the webhooks' alternation is not judged (deliveries in flight died)",
          "[live][cluster]") {
  const auto hook = [](const std::string& name, std::int64_t time_ms, std::uint64_t post) {
    return ObservedWebhook{time_ms * 1'000'000, Json{{"name", name}, {"channel", "room"}, {"user_id", "u2"}}, time_ms,
                           1, post};
  };
  // u2's member_added went down with node 1; the survivor's member_removed arrives alone.
  const std::vector<ObservedWebhook> hooks{hook("member_removed", 5, 1)};
  std::vector<TraceLine> trace{{1, "connect", "carol", "server", "/app/app-key?protocol=7 on node 2"}};
  std::vector<std::string> names;
  for (const auto& violation : check_live_invariants(trace, hooks)) names.push_back(violation.name);
  CHECK(names == std::vector<std::string>{"member-webhooks-alternate"});
  trace.push_back({2, "fault", "node 1", "server", "crash_node (SIGKILL)"});
  CHECK(check_live_invariants(trace, hooks).empty());
}

}  // namespace pushsim::harness
