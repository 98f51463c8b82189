#pragma once
// A hand-built result model for the golden tests: every verdict, a nested step, a trace, and
// text that needs escaping. Built by hand (not by running) so that the goldens change only
// when a writer changes.
#include <catch2/catch.hpp>

#include <filesystem>
#include <fstream>
#include <sstream>

#include "harness/protocol_document.hpp"
#include "harness/run_result.hpp"
#include "test_paths.hpp"

namespace pushsim::reports::test {

// A protocol document with the sample run's section 3.4 but not its 7.3, so the goldens show
// a linked section and an unlinked one.
inline harness::ProtocolDocument sample_protocol() {
  return harness::parse_protocol_document("## 3. Subscribing\n\n### 3.4 Presence semantics\n");
}

// A step result built member by member: aggregate-initialised, with strings after `where`, GCC 12
// at -O3 takes the exception cleanup of where.file for a read of an uninitialised string
// (-Wmaybe-uninitialized, which fails a Release build).
inline harness::StepResult step_result(std::string kind, std::string description, harness::SourceLocation where,
                                       harness::StepOutcome outcome, DurationNs started_at, DurationNs ended_at,
                                       std::string message) {
  harness::StepResult step;
  step.kind = std::move(kind);
  step.description = std::move(description);
  step.where = std::move(where);
  step.outcome = outcome;
  step.started_at = started_at;
  step.ended_at = ended_at;
  step.message = std::move(message);
  return step;
}

inline harness::RunResult sample_run() {
  using namespace pushsim::harness;
  RunResult run;
  run.target = "sim";
  run.root_seed = 42;
  run.wall_ns = 12'345'678;

  ScenarioResult pass;
  pass.id = "public.1";
  pass.name = "a published event reaches every subscriber";
  pass.section = "7.3";
  pass.file = "scenarios/public/public_1.yaml";
  pass.tags = {"public", "smoke"};
  pass.seed = 1234567890123456789ULL;
  pass.duration = 61 * kNsPerMs;
  pass.wall_ns = 2'000'000;
  const StepResult connect = step_result("connect", "connect alice", {"scenarios/public/public_1.yaml", 8, 5},
                                         StepOutcome::kPassed, 0, 24 * kNsPerMs, "");
  pass.steps.push_back(connect);
  pass.trace.push_back(TraceEntry{0, "open", "alice", "server", ""});
  pass.trace.push_back(TraceEntry{24 * kNsPerMs, "deliver", "server", "alice",
                                  R"({"event":"pusher:connection_established","data":"{}"})"});

  ScenarioResult fail = pass;
  fail.id = "presence.3";
  fail.name = "member_added <once> & \"only\" once";
  fail.level = Level::kMust;
  fail.section = "3.4";
  fail.file = "scenarios/presence/presence_3.yaml";
  fail.tags = {"presence"};
  fail.verdict = Verdict::kFail;
  fail.seed = 7;
  const StepResult expect =
      step_result("expect", "expect alice pusher_internal:member_added", {"scenarios/presence/presence_3.yaml", 12, 5},
                  StepOutcome::kFailed, 24 * kNsPerMs, 1024 * kNsPerMs,
                  "no matching frame at alice within 1s\nexpected: {\"event\":\"x\"}");
  fail.steps.push_back(expect);
  StepResult block = step_result("concurrently", "concurrently (1 steps)",
                                 {"scenarios/presence/presence_3.yaml", 13, 5}, StepOutcome::kNotRun, 0, 0, "");
  block.children = {connect};
  block.children[0].outcome = StepOutcome::kNotRun;
  fail.steps.push_back(block);
  fail.failures = {
      "scenarios/presence/presence_3.yaml:12:5: expect alice: no matching frame at alice within 1s\n"
      "expected: {\"event\":\"x\"}\x01"};

  ScenarioResult non_strict = pass;
  non_strict.id = "webhooks.4";
  non_strict.name = "removal delay";
  non_strict.level = Level::kShould;
  non_strict.verdict = Verdict::kNonStrict;
  non_strict.failures = {"webhooks_4.yaml:9:5: expect_no_webhook: got one"};
  non_strict.steps.clear();
  non_strict.trace.clear();

  ScenarioResult skipped = non_strict;
  skipped.id = "public.4";
  skipped.name = "subscription_count";
  skipped.level = Level::kMust;
  skipped.verdict = Verdict::kSkipped;
  skipped.skip_reason = "target 'sim' lacks feature 'subscription_count'";
  skipped.failures.clear();
  skipped.duration = 0;
  skipped.wall_ns = 0;

  ScenarioResult info = non_strict;
  info.id = "public.9";
  info.name = "informational";
  info.level = Level::kInfo;
  info.verdict = Verdict::kInformational;
  info.failures.clear();

  run.scenarios = {pass, fail, non_strict, skipped, info};
  return run;
}

// sample_run() against a profile: one failure it lists (a known deviation) and one pass it
// lists (an unexpected pass), besides the usual verdicts.
inline harness::RunResult profiled_run() {
  using namespace pushsim::harness;
  RunResult run = sample_run();
  run.target = "ws://127.0.0.1:6001";
  run.profile = "soketi";
  ScenarioResult deviated = run.scenarios[1];
  deviated.id = "connection.51";
  deviated.name = "activity_timeout is the official 120 seconds";
  deviated.level = Level::kShould;
  deviated.verdict = Verdict::kKnownDeviation;
  deviated.deviation = DeviationNote{"connection.51", "activity_timeout is 30 <not 120>",
                                     "https://github.com/soketi/soketi/blob/057530e/src/ws-handler.ts"};
  ScenarioResult fixed = run.scenarios[0];
  fixed.id = "rest.6";
  fixed.name = "a stale auth_timestamp is refused";
  fixed.verdict = Verdict::kUnexpectedPass;
  fixed.deviation = DeviationNote{"rest.*", "auth_timestamp is never checked", "javascript:alert(1)"};
  run.scenarios.push_back(deviated);
  run.scenarios.push_back(fixed);
  return run;
}

inline std::filesystem::path golden(const std::string& name) {
  return pushsim::test::source_root() / "tests" / "reports" / "golden" / name;
}

// Compares with the golden file; PUSHSIM_UPDATE_GOLDEN=1 rewrites it instead.
inline void check_golden(const std::string& name, const std::string& actual) {
  const auto path = golden(name);
  if (std::getenv("PUSHSIM_UPDATE_GOLDEN") != nullptr) {
    std::ofstream(path, std::ios::binary) << actual;
  }
  std::ifstream in(path, std::ios::binary);
  std::ostringstream expected;
  expected << in.rdbuf();
  INFO("golden file " << path.string() << " (PUSHSIM_UPDATE_GOLDEN=1 rewrites it)");
  CHECK(actual == expected.str());
}

}  // namespace pushsim::reports::test
