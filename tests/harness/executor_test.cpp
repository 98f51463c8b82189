#include <catch2/catch.hpp>

#include "executor_test_support.hpp"
#include "harness/suite_runner.hpp"

namespace pushsim::harness {
namespace {

using test::run_must;
using test::run_text;
using test::scenario_text;

std::string first_line(const std::string& text) { return text.substr(0, text.find('\n')); }

const char* kPublicRoundTrip = R"(clients:
  alice:
  bob:
steps:
  - connect: alice
  - connect: bob
  - subscribe: { client: alice, channel: feed }
  - subscribe: { client: bob, channel: feed }
  - expect: { client: alice, event: "pusher_internal:subscription_succeeded", channel: feed }
  - expect: { client: bob, event: "pusher_internal:subscription_succeeded", channel: feed }
  - trigger: { channel: feed, event: news, data: { n: 1 }, exclude: "${bob.socket_id}" }
  - expect_response: { status: 200, body: {} }
  - expect: { client: alice, event: news, channel: feed, data: { n: 1 } }
  - expect_none: { client: bob, event: news, for: 500ms }
)";

TEST_CASE("A scenario whose steps all hold passes, each step with its times", "[executor]") {
  const ScenarioResult result = run_must(kPublicRoundTrip);
  CHECK(result.verdict == Verdict::kPass);
  CHECK(result.failures.empty());
  REQUIRE(result.steps.size() == 10);
  for (const auto& step : result.steps) CHECK(step.outcome == StepOutcome::kPassed);
  CHECK(result.steps[9].kind == "expect_none");
  CHECK(result.steps[9].ended_at - result.steps[9].started_at == 500 * kNsPerMs);
  CHECK(result.seed == 7);
  CHECK(result.id == "test.1");
  CHECK_FALSE(result.trace.empty());
}

TEST_CASE("An expect consumes its frame, so a second expect needs a second frame", "[executor]") {
  const ScenarioResult result = run_must(R"(clients:
  alice:
steps:
  - connect: alice
  - expect: { client: alice, event: "pusher:connection_established" }
  - expect: { client: alice, event: "pusher:connection_established", within: 300ms }
)");
  CHECK(result.verdict == Verdict::kFail);
  REQUIRE(result.failures.size() == 1);
  CHECK(first_line(result.failures[0]) ==
        "t.yaml:10:5: expect alice pusher:connection_established within 300ms: no matching frame at alice within "
        "300ms");
}

TEST_CASE("A failed expect names the place, the expectation, the closest frame and what arrived", "[executor]") {
  const ScenarioResult result = run_must(R"(clients:
  alice:
steps:
  - connect: alice
  - expect: { client: alice, event: "pusher:connection_established" }
  - expect: { client: alice, event: nothing-like-this, channel: x, within: 200ms }
)");
  CHECK(result.verdict == Verdict::kFail);
  REQUIRE(result.failures.size() == 1);
  const std::string& message = result.failures[0];
  CHECK(first_line(message) ==
        "t.yaml:10:5: expect alice nothing-like-this channel=x within 200ms: no matching frame at alice within 200ms");
  CHECK_THAT(message, Catch::Contains("\nexpected: {\"channel\":\"x\",\"event\":\"nothing-like-this\"}\n"));
  CHECK_THAT(message, Catch::Contains("\nclosest:  +0.024s pusher:connection_established"));
  CHECK_THAT(message, Catch::Contains("          channel: expected \"x\", got nothing (no such key)\n"));
  CHECK_THAT(message, Catch::Contains("\nreceived from +0.000s to +0.224s (1 frame)\n"));
  // The step stopped the scenario at its deadline.
  CHECK(result.steps[2].ended_at == result.steps[2].started_at + 200 * kNsPerMs);
}

TEST_CASE("expect_none fails on a matching frame and says when it came", "[executor]") {
  const ScenarioResult result = run_must(R"(clients:
  alice:
steps:
  - connect: alice
  - subscribe: { client: alice, channel: feed }
  - trigger: { channel: feed, event: boom, data: { n: 1 } }
  - expect_none: { client: alice, event: boom, for: 1s }
)");
  REQUIRE(result.failures.size() == 1);
  CHECK(result.failures[0] ==
        "t.yaml:11:5: expect_none alice event=boom for 1s: expected no frame matching {\"event\":\"boom\"} at alice "
        "for 1s, but at +0.046s got {\"event\":\"boom\",\"channel\":\"feed\",\"data\":\"{\\\"n\\\":1}\"}");
}

TEST_CASE("expect_close times out on an open connection", "[executor]") {
  const ScenarioResult result = run_must(R"(clients:
  alice:
steps:
  - connect: alice
  - expect_close: { client: alice, within: 2s }
)");
  REQUIRE(result.failures.size() == 1);
  CHECK(first_line(result.failures[0]) ==
        "t.yaml:9:5: expect_close alice within 2s: expected the server to close alice's connection within 2s; it "
        "is still open");
  CHECK(result.duration == result.steps[1].started_at + 2 * kNsPerSecond);
}

TEST_CASE("expect_close checks the code", "[executor]") {
  const ScenarioResult result = run_must(R"(clients:
  alice:
steps:
  - connect: { client: alice, app_key: nope }
  - expect_close: { client: alice, code: 4007 }
)");
  REQUIRE(result.failures.size() == 1);
  CHECK_THAT(result.failures[0], Catch::StartsWith("t.yaml:9:5: expect_close alice code=4007"));
  CHECK_THAT(result.failures[0], Catch::Contains(": expected close code 4007, got 4001 at +"));
}

TEST_CASE("expect_response reports the status and the body it got", "[executor]") {
  const ScenarioResult result = run_must(R"(clients:
  alice:
steps:
  - query: { path: /channels/x, params: { info: user_count } }
  - expect_response: { status: 200 }
)");
  REQUIRE(result.failures.size() == 1);
  CHECK(result.failures[0] ==
        "t.yaml:9:5: expect_response 200: status: expected 200, got 400 (body: {\"error\":\"user_count is only "
        "available for presence channels; x is public\"})");
}

TEST_CASE("expect_webhook shows the closest webhook event and every accepted one", "[executor]") {
  const ScenarioResult result = run_must(R"(clients:
  alice:
steps:
  - connect: alice
  - subscribe: { client: alice, channel: watched }
  - expect_webhook: { name: channel_vacated, channel: watched, within: 2s }
)");
  REQUIRE(result.failures.size() == 1);
  CHECK(result.failures[0] ==
        "t.yaml:10:5: expect_webhook channel_vacated channel=watched within 2s: no matching webhook within 2s\n"
        "expected: {\"channel\":\"watched\",\"name\":\"channel_vacated\"}\n"
        "closest:  +0.052s {\"channel\":\"watched\",\"name\":\"channel_occupied\"}\n"
        "          name: expected \"channel_vacated\", got \"channel_occupied\"\n"
        "accepted webhook events (1)\n"
        "  +0.052s {\"channel\":\"watched\",\"name\":\"channel_occupied\"}");
}

TEST_CASE("expect_no_webhook fails when one arrives in its span", "[executor]") {
  const ScenarioResult result = run_must(R"(clients:
  alice:
steps:
  - connect: alice
  - expect_no_webhook: { name: channel_occupied, for: 1s }
  - subscribe: { client: alice, channel: c }
  - expect_no_webhook: { name: channel_occupied, for: 1s }
)");
  REQUIRE(result.failures.size() == 1);
  CHECK(result.failures[0] ==
        "t.yaml:11:5: expect_no_webhook channel_occupied for 1s: expected no webhook matching "
        "{\"name\":\"channel_occupied\"} for 1s, but at +1.052s got {\"channel\":\"c\",\"name\":\"channel_occupied\"}");
  CHECK(result.steps[1].outcome == StepOutcome::kPassed);
}

// Two events in one batch reach alice in the order of the batch (one connection keeps order).
const char* kTwoEventsInOrder = R"(clients:
  alice:
steps:
  - connect: alice
  - subscribe: { client: alice, channel: feed }
  - expect: { client: alice, event: "pusher_internal:subscription_succeeded", channel: feed }
  - batch_trigger: [ { channel: feed, event: first }, { channel: feed, event: second } ]
)";

TEST_CASE("after_previous holds an expect to frames after the one the client's last expect took", "[executor]") {
  const ScenarioResult in_order =
      run_must(std::string(kTwoEventsInOrder) + R"(  - expect: { client: alice, event: first }
  - expect: { client: alice, event: second, after_previous: true }
)");
  CHECK(in_order.verdict == Verdict::kPass);
  const ScenarioResult reversed =
      run_must(std::string(kTwoEventsInOrder) + R"(  - expect: { client: alice, event: second }
  - expect: { client: alice, event: first, after_previous: true, within: 300ms }
)");
  REQUIRE(reversed.failures.size() == 1);
  CHECK(first_line(reversed.failures[0]) ==
        "t.yaml:13:5: expect alice first after_previous within 300ms: no matching frame at alice after the "
        "previous one within 300ms");
}

TEST_CASE("expect_none with after_previous ignores frames before the last expect's", "[executor]") {
  const ScenarioResult ignored =
      run_must(std::string(kTwoEventsInOrder) + R"(  - expect: { client: alice, event: second }
  - expect_none: { client: alice, channel: feed, after_previous: true, for: 300ms }
)");
  CHECK(ignored.verdict == Verdict::kPass);
  const ScenarioResult counted =
      run_must(std::string(kTwoEventsInOrder) + R"(  - expect: { client: alice, event: second }
  - expect_none: { client: alice, channel: feed, for: 300ms }
)");
  REQUIRE(counted.failures.size() == 1);
  CHECK(first_line(counted.failures[0]).find("expected no frame matching {\"channel\":\"feed\"} at alice for 300ms") !=
        std::string::npos);
}

// alice joins while the receiver fails 6 deliveries: the three attempts of channel_occupied and
// member_added fail, and they arrive only after channel_vacated and member_removed.
const char* kRetriedJoin = R"(clients:
  alice: { user_id: u1 }
steps:
  - connect: alice
  - webhook_failures: { count: 6, status: 500 }
  - subscribe: { client: alice, channel: presence-room }
  - advance: 500ms
  - unsubscribe: { client: alice, channel: presence-room }
  - advance: 20s
)";

TEST_CASE("expect_webhook_state orders webhook events by time_ms, not by arrival", "[executor]") {
  const ScenarioResult result =
      run_must(std::string(kRetriedJoin) + R"(  - expect_webhook_state: { channel: presence-room, state: vacated }
  - expect_webhook_state: { channel: presence-room, user_id: u1, state: absent }
)");
  CHECK(result.verdict == Verdict::kPass);
  const ScenarioResult wrong = run_must(
      std::string(kRetriedJoin) + R"(  - expect_webhook_state: { channel: presence-room, user_id: u1, state: member }
)");
  REQUIRE(wrong.failures.size() == 1);
  CHECK(
      wrong.failures[0] ==
      "t.yaml:14:5: expect_webhook_state presence-room user_id=u1 member within 1s: expected the webhooks to leave "
      "presence-room user u1 member within 1s, but by time_ms it is absent\n"
      "the events that decide it, in arrival order:\n"
      "  +3.531s time_ms 1700000000526 {\"channel\":\"presence-room\",\"name\":\"member_removed\",\"user_id\":\"u1\"}\n"
      "  +7.103s time_ms 1700000000035 {\"channel\":\"presence-room\",\"name\":\"member_added\",\"user_id\":\"u1\"}");
}

// alice's subscribe and unsubscribe reach the server at the same instant, so member_added and
// member_removed share their time_ms; failures hold member_added back until after the removal.
const char* kTiedJoin = R"(clients:
  alice: { user_id: u1 }
  bob: { user_id: u2 }
steps:
  - connect: bob
  - subscribe: { client: bob, channel: presence-room }
  - expect_webhook: { name: member_added, user_id: u2, within: 5s }
  - connect: alice
  - webhook_failures: { count: 4, status: 500 }
  - concurrently:
      - subscribe: { client: alice, channel: presence-room }
      - unsubscribe: { client: alice, channel: presence-room }
  - advance: 20s
)";

TEST_CASE("expect_webhook_state counts a removal as later than an add of the same millisecond", "[executor]") {
  const ScenarioResult result = run_must(
      std::string(kTiedJoin) + R"(  - expect_webhook_state: { channel: presence-room, user_id: u1, state: absent }
)");
  CHECK(result.verdict == Verdict::kPass);
  const ScenarioResult wrong = run_must(
      std::string(kTiedJoin) + R"(  - expect_webhook_state: { channel: presence-room, user_id: u1, state: member }
)");
  REQUIRE(wrong.failures.size() == 1);
  // Same time_ms, member_added arrived last: only the removal-is-later rule makes this absent.
  CHECK(
      wrong.failures[0] ==
      "t.yaml:18:5: expect_webhook_state presence-room user_id=u1 member within 1s: expected the webhooks to leave "
      "presence-room user u1 member within 1s, but by time_ms it is absent\n"
      "the events that decide it, in arrival order:\n"
      "  +4.098s time_ms 1700000000081 {\"channel\":\"presence-room\",\"name\":\"member_removed\",\"user_id\":\"u1\"}\n"
      "  +7.142s time_ms 1700000000081 {\"channel\":\"presence-room\",\"name\":\"member_added\",\"user_id\":\"u1\"}");
}

TEST_CASE("expect_webhook_state waits for the state, and counts no webhook as vacated", "[executor]") {
  const ScenarioResult result = run_must(R"(clients:
  alice:
steps:
  - connect: alice
  - expect_webhook_state: { channel: room, state: vacated }
  - subscribe: { client: alice, channel: room }
  - expect_webhook_state: { channel: room, state: occupied, within: 2s }
  - unsubscribe: { client: alice, channel: room }
  - expect_webhook_state: { channel: room, state: vacated, within: 5s }
  - expect_webhook_state: { channel: room, state: occupied, within: 1s }
)");
  REQUIRE(result.failures.size() == 1);
  CHECK(result.steps[5].outcome == StepOutcome::kPassed);
  CHECK(result.failures[0] ==
        "t.yaml:14:5: expect_webhook_state room occupied within 1s: expected the webhooks to leave room occupied "
        "within 1s, but by time_ms it is vacated\n"
        "the events that decide it, in arrival order:\n"
        "  +0.052s time_ms 1700000000035 {\"channel\":\"room\",\"name\":\"channel_occupied\"}\n"
        "  +3.065s time_ms 1700000000054 {\"channel\":\"room\",\"name\":\"channel_vacated\"}");
}

TEST_CASE("The first failing step ends the scenario; later steps are not run", "[executor]") {
  const ScenarioResult result = run_must(R"(clients:
  alice:
steps:
  - connect: alice
  - expect: { client: alice, event: never, within: 100ms }
  - advance: 1m
  - expect: { client: alice, event: never }
)");
  REQUIRE(result.steps.size() == 4);
  CHECK(result.steps[1].outcome == StepOutcome::kFailed);
  CHECK(result.steps[2].outcome == StepOutcome::kNotRun);
  CHECK(result.steps[3].outcome == StepOutcome::kNotRun);
  CHECK(result.duration < kNsPerSecond);
}

TEST_CASE("A run over its virtual-time cap fails instead of running on", "[executor]") {
  ExecutorOptions options;
  options.time_max = 5 * kNsPerSecond;
  const ScenarioResult result = run_must(R"(clients:
  alice:
steps:
  - connect: alice
  - advance: 60m
  - expect: { client: alice, event: never }
)",
                                         {}, options);
  REQUIRE(result.failures.size() == 1);
  CHECK(result.failures[0] == "t.yaml:10:5: expect alice never within 1s: time cap reached: the scenario ran for 5s");
  CHECK(result.duration == 5 * kNsPerSecond);
}

TEST_CASE("An expect whose deadline passes the cap says it was cut short", "[executor]") {
  ExecutorOptions options;
  options.time_max = 2 * kNsPerSecond;
  const ScenarioResult result = run_must(
      "clients:\n  alice:\nsteps:\n  - connect: alice\n"
      "  - expect: { client: alice, event: never, within: 10s }\n",
      {}, options);
  REQUIRE(result.failures.size() == 1);
  CHECK_THAT(first_line(result.failures[0]),
             Catch::EndsWith("no matching frame at alice within 10s (cut short by the scenario's time cap of 2s)"));
}

TEST_CASE("A run over its step cap fails", "[executor]") {
  ExecutorOptions options;
  options.steps_max = 2;
  const ScenarioResult result = run_must(
      "clients:\n  alice:\nsteps:\n  - connect: alice\n  - advance: 1s\n"
      "  - advance: 1s\n",
      {}, options);
  REQUIRE(result.failures.size() == 1);
  CHECK(result.failures[0] == "t.yaml:10:5: advance 1s: step cap reached: more than 2 steps run");
}

TEST_CASE("one_of passes when a later branch holds, and keeps that branch's consumption", "[executor]") {
  const ScenarioResult result = run_must(R"(clients:
  alice:
steps:
  - connect: alice
  - one_of:
    - - expect: { client: alice, event: a, within: 100ms }
    - - expect: { client: alice, event: "pusher:connection_established" }
  - expect: { client: alice, event: "pusher:connection_established", within: 100ms }
)");
  REQUIRE(result.steps.size() == 3);
  CHECK(result.steps[1].outcome == StepOutcome::kPassed);
  REQUIRE(result.steps[1].children.size() == 2);
  CHECK(result.steps[1].children[0].outcome == StepOutcome::kFailed);
  CHECK(result.steps[1].children[1].outcome == StepOutcome::kPassed);
  // The branch that held consumed the frame: the next expect finds none.
  CHECK(result.steps[2].outcome == StepOutcome::kFailed);
}

TEST_CASE("one_of fails when no branch holds and gives each branch's reason", "[executor]") {
  const ScenarioResult result = run_must(R"(clients:
  alice:
steps:
  - connect: alice
  - one_of:
    - - expect: { client: alice, event: a, within: 100ms }
    - - expect: { client: alice, event: b, within: 100ms }
)");
  REQUIRE(result.failures.size() == 1);
  CHECK_THAT(result.failures[0], Catch::StartsWith("t.yaml:9:5: one_of [expect alice a within 100ms] | [expect alice b "
                                                   "within 100ms]: no branch held:\n-- branch 1: "
                                                   "10:9 expect alice a within 100ms: no matching frame"));
  CHECK_THAT(result.failures[0], Catch::Contains("\n-- branch 2: 11:9 expect alice b within 100ms: no matching"));
}

TEST_CASE("A failed one_of branch gives back what it consumed", "[executor]") {
  const ScenarioResult result = run_must(R"(clients:
  alice:
steps:
  - connect: alice
  - one_of:
    - - expect: { client: alice, event: "pusher:connection_established" }
      - expect: { client: alice, event: never, within: 100ms }
    - - expect: { client: alice, event: "pusher:connection_established" }
)");
  CHECK(result.verdict == Verdict::kPass);
}

TEST_CASE("concurrently issues its steps at one instant and counts deadlines from its start", "[executor]") {
  const ScenarioResult result = run_must(R"(clients:
  alice:
  bob:
steps:
  - concurrently:
      - connect: alice
      - connect: bob
      - expect: { client: alice, event: "pusher:connection_established", within: 100ms }
      - expect: { client: bob, event: "pusher:connection_established", within: 100ms }
)");
  CHECK(result.verdict == Verdict::kPass);
  REQUIRE(result.steps.size() == 1);
  REQUIRE(result.steps[0].children.size() == 4);
  CHECK(result.steps[0].children[0].started_at == 0);
  CHECK(result.steps[0].children[1].started_at == 0);  // the connect did not wait
  CHECK(result.steps[0].ended_at <= 100 * kNsPerMs);
}

TEST_CASE("Variables are substituted in data, with the socket_id the client got", "[executor]") {
  const ScenarioResult result = run_must(R"(clients:
  alice: { user_id: u1 }
steps:
  - connect: alice
  - subscribe: { client: alice, channel: feed }
  - expect: { client: alice, event: "pusher_internal:subscription_succeeded" }
  - trigger: { channel: feed, event: hello, data: { me: "${alice.socket_id}", user: "${alice.user_id}" } }
  - expect: { client: alice, event: hello, data: { me: "${alice.socket_id}", user: u1 } }
  - expect_none: { client: alice, event: hello, data: { me: "not-it" }, for: 100ms }
)");
  CHECK(result.verdict == Verdict::kPass);
}

TEST_CASE("Verdicts follow the level: SHOULD is non-strict, INFO informational", "[executor]") {
  const std::string failing =
      "clients:\n  alice:\nsteps:\n  - connect: alice\n"
      "  - expect: { client: alice, event: never, within: 10ms }\n";
  CHECK(run_text(scenario_text("should", failing)).verdict == Verdict::kNonStrict);
  CHECK(run_text(scenario_text("info", failing)).verdict == Verdict::kInformational);
  CHECK(run_text(scenario_text("must", failing)).verdict == Verdict::kFail);
  const std::string passing = "clients:\n  alice:\nsteps:\n  - connect: alice\n";
  CHECK(run_text(scenario_text("info", passing)).verdict == Verdict::kInformational);
  CHECK(run_text(scenario_text("should", passing)).verdict == Verdict::kPass);
}

// The reference engine has watchlists (protocol/server/signin_handler.cpp): the sim claims them.
TEST_CASE("The sim target, by default, runs a scenario that requires watchlists", "[executor]") {
  const ScenarioResult result =
      run_text(scenario_text("must", "requires: [watchlist]\nclients:\n  alice:\nsteps:\n  - connect: alice\n"));
  CHECK(result.verdict == Verdict::kPass);
}

TEST_CASE("A scenario requiring a feature the target lacks is skipped with the reason", "[executor]") {
  SimTargetOptions options;
  options.features = std::set<std::string>{"webhooks"};
  const ScenarioResult result = run_text(
      scenario_text("must", "requires: [client_events]\nclients:\n  alice:\nsteps:\n  - connect: alice\n"), options);
  CHECK(result.verdict == Verdict::kSkipped);
  CHECK(result.skip_reason == "target 'sim' lacks feature 'client_events'");
  REQUIRE(result.steps.size() == 1);
  CHECK(result.steps[0].outcome == StepOutcome::kNotRun);
  CHECK(result.trace.empty());
}

TEST_CASE("A refused auth gives a local subscription_error and sends nothing", "[executor]") {
  const ScenarioResult result = run_must(R"(clients:
  alice: { user_id: u1 }
steps:
  - auth_refuse: { channel: private-x }
  - connect: alice
  - subscribe: { client: alice, channel: private-x }
  - expect: { client: alice, event: "pusher:subscription_error", channel: private-x, data: { status: 403 } }
  - expect_none: { client: alice, event: "pusher_internal:subscription_succeeded", for: 500ms }
)");
  CHECK(result.verdict == Verdict::kPass);
}

TEST_CASE("Scenario seeds depend on the root seed and the id only", "[executor]") {
  CHECK(scenario_seed(1, "presence.3") == scenario_seed(1, "presence.3"));
  CHECK(scenario_seed(1, "presence.3") != scenario_seed(2, "presence.3"));
  CHECK(scenario_seed(1, "presence.3") != scenario_seed(1, "presence.4"));
}

TEST_CASE("Same seed, same result model, byte for byte, whatever the job count", "[executor][determinism]") {
  std::vector<Scenario> suite;
  suite.push_back(test::load(scenario_text("must", kPublicRoundTrip)));
  Scenario second = suite.front();
  second.id = "test.2";
  suite.push_back(second);
  Scenario third = test::load(scenario_text("must", R"(clients:
  alice: { user_id: u1 }
  bob: { user_id: u2 }
steps:
  - latency: { min: 1ms, max: 80ms }
  - connect: alice
  - connect: bob
  - concurrently:
      - subscribe: { client: alice, channel: presence-r }
      - subscribe: { client: bob, channel: presence-r }
  - advance: 1s
)"));
  third.id = "test.3";
  suite.push_back(third);
  SuiteOptions one;
  one.root_seed = 99;
  SuiteOptions many = one;
  many.jobs = 3;
  const RunResult a = without_wall_times(run_suite(suite, sim_target_factory(), "sim", one));
  const RunResult b = without_wall_times(run_suite(suite, sim_target_factory(), "sim", many));
  CHECK(a == b);
  // Different seeds draw different latencies: the traces differ.
  SuiteOptions other = one;
  other.root_seed = 100;
  const RunResult c = without_wall_times(run_suite(suite, sim_target_factory(), "sim", other));
  CHECK(c.scenarios[2].trace != a.scenarios[2].trace);
  // Filtering keeps each scenario's seed.
  const RunResult alone = without_wall_times(run_suite({suite[2]}, sim_target_factory(), "sim", one));
  CHECK(alone.scenarios[0] == a.scenarios[2]);
}

}  // namespace
}  // namespace pushsim::harness

TEST_CASE("expect_refused passes on any documented refusal and fails on a success or on silence", "[executor]") {
  const std::string body = R"(clients:
  alice:
steps:
  - connect: alice
  - expect: { client: alice, event: "pusher:connection_established" }
  - subscribe: { client: alice, channel: private-foo, auth: wrong_signature }
  - expect_refused: { client: alice, channel: private-foo }
  - expect_none: { client: alice, for: 500ms }
)";
  // The reference answers pusher:error (code null); soketi's form is allowed as well.
  CHECK(run_must(body).verdict == Verdict::kPass);
  SimTargetOptions soketi_form;
  soketi_form.defects = Defects{Defect::kSubscriptionErrorRefusals};
  const ScenarioResult allowed = run_must(body, soketi_form);
  INFO(harness::test::failures_of(allowed));
  CHECK(allowed.verdict == Verdict::kPass);

  SimTargetOptions accepting;
  accepting.defects = Defects{Defect::kAcceptBadChannelAuth};
  const ScenarioResult accepted = run_must(body, accepting);
  REQUIRE(accepted.failures.size() == 1);
  CHECK(first_line(accepted.failures[0]).find("expected alice's subscription to private-foo to be refused") !=
        std::string::npos);
  CHECK(first_line(accepted.failures[0]).find("pusher_internal:subscription_succeeded") != std::string::npos);

  SimTargetOptions silent;
  silent.defects = Defects{Defect::kSilentRefusals};
  const ScenarioResult nothing = run_must(body, silent);
  REQUIRE(nothing.failures.size() == 1);
  CHECK(first_line(nothing.failures[0]) ==
        "t.yaml:11:5: expect_refused alice private-foo within 1s: no refusal of private-foo at alice within 1s "
        "(accepted: pusher:subscription_error on private-foo, or pusher:error without a channel or on it "
        "(docs/protocol.md §3.3))");
}

TEST_CASE("A failed expectation prints its matcher tags as written", "[executor]") {
  const ScenarioResult result = run_must(R"(clients:
  alice:
steps:
  - connect: alice
  - expect: { client: alice, event: "pusher:connection_established", data: { socket_id: !absent } }
)");
  REQUIRE(result.failures.size() == 1);
  INFO(result.failures[0]);
  CHECK(
      result.failures[0].find(R"(expected: {"data":{"socket_id":!absent},"event":"pusher:connection_established"})") !=
      std::string::npos);
  CHECK(result.failures[0].find("data.socket_id: expected no such key (!absent), got ") != std::string::npos);
}
