#include <catch2/catch.hpp>

#include "executor_test_support.hpp"
#include "harness/scenario_vocabulary.hpp"
#include "harness/suite_runner.hpp"
#include "harness/target_profile.hpp"
#include "harness_test_support.hpp"

using namespace pushsim::harness;
using pushsim::harness::test::load;
using pushsim::harness::test::scenario_text;

namespace {

// The diagnostics of a profile text, one per line, as `pushsim lint` prints them.
std::string errors_of(const std::string& text) {
  const auto outcome = check_profile_text(text, "p.yaml");
  CHECK_FALSE(outcome.profile.has_value());
  return join_diagnostics(outcome.diagnostics);
}

TargetProfile profile_of(const std::string& text) {
  auto outcome = check_profile_text(text, "p.yaml");
  INFO(join_diagnostics(outcome.diagnostics));
  REQUIRE(outcome.profile.has_value());
  return *outcome.profile;
}

constexpr const char* kProfileHeader = "profile: demo\ndescription: a demo server\nserver: demo 1.0\n";

// A fresh sim target per scenario, counting how many were built.
TargetFactory counting_sim(int& built) {
  auto sim = sim_target_factory();
  return [sim, &built](const Scenario& scenario, std::uint64_t seed) {
    ++built;
    return sim(scenario, seed);
  };
}

const std::string kPassing = "clients:\n  alice:\nsteps:\n  - connect: alice\n";
const std::string kFailing =
    "clients:\n  alice:\nsteps:\n  - connect: alice\n"
    "  - expect: { client: alice, event: never, within: 10ms }\n";

}  // namespace

TEST_CASE("a profile loads with its connection, features and deviations", "[profile]") {
  const auto profile =
      profile_of(std::string(kProfileHeader) + R"(connection: { host: ws.example, port: 443, tls: true, path: /pusher }
features: [webhooks, client_events]
deviations:
  - scenario: connection.51
    reason: "activity_timeout is 30"
    link: https://example.com/a
  - scenario: "rest.*"
    reason: no REST validation
    link: http://example.com/b
)");
  CHECK(profile.name == "demo");
  CHECK(profile.description == "a demo server");
  CHECK(profile.server == "demo 1.0");
  CHECK(profile.features == std::set<std::string>{"client_events", "webhooks"});
  REQUIRE(profile.deviations.size() == 2);
  CHECK(profile.deviations[0].note ==
        DeviationNote{"connection.51", "activity_timeout is 30", "https://example.com/a"});
  CHECK(profile.deviations[0].where.to_string() == "p.yaml:7:15");
  CHECK(profile.deviations[1].note.scenario == "rest.*");
  CHECK(profile_ws_url(profile.connection) == "wss://ws.example:443/pusher");
  CHECK(profile_ws_url(ProfileConnection{}) == "ws://127.0.0.1:6001");
}

TEST_CASE("profile errors name the file, line and column of what is wrong", "[profile]") {
  CHECK(errors_of(std::string(kProfileHeader) + "features: [webhooks, web_hooks, webhooks]\n") ==
        "p.yaml:4:22: unknown feature 'web_hooks' in 'features' (expected one of: " + join_words(kKnownFeatures) +
            ")\np.yaml:4:33: feature 'webhooks' is listed twice in 'features'");
  CHECK(errors_of(std::string(kProfileHeader) + "features: []\ncolour: red\n") ==
        "p.yaml:5:1: unknown key 'colour' in profile (expected one of: profile, description, server, connection, "
        "features, deviations)");
  CHECK(errors_of(std::string(kProfileHeader)) == "p.yaml:1:1: missing key 'features' in profile");
  CHECK(errors_of("profile: Soketi!\ndescription: d\nserver: s\nfeatures: []\n") ==
        "p.yaml:1:10: bad profile name 'Soketi!' (expected lower-case letters, digits, '-' or '_', like soketi)");
  CHECK(errors_of(std::string(kProfileHeader) + "features: webhooks\n") ==
        "p.yaml:4:11: expected a list of features for 'features' in profile, found 'webhooks' (an empty list is [])");
  CHECK(errors_of(std::string(kProfileHeader) + "connection: { port: 70000 }\nfeatures: []\n") ==
        "p.yaml:4:21: expected an integer from 1 to 65535 for 'port' in 'connection' of profile, found '70000'");
}

TEST_CASE("deviation errors: missing reason, a link that is not a web link, a pattern given twice", "[profile]") {
  const std::string text = std::string(kProfileHeader) + R"(features: []
deviations:
  - scenario: connection.51
    link: https://example.com
  - scenario: connection.52
    reason: r
    link: see the docs
  - scenario: Connection 53
    reason: r
    link: https://example.com
  - scenario: connection.51
    reason: again
    link: https://example.com
)";
  CHECK(errors_of(text) ==
        "p.yaml:6:5: missing key 'reason' in deviation\n"
        "p.yaml:10:11: expected an http(s):// link to where upstream documents the deviation, found 'see the docs'\n"
        "p.yaml:11:15: bad scenario pattern 'Connection 53' in deviation (expected an id like presence.12 or a glob "
        "like presence.*)\n"
        "p.yaml:14:15: scenario 'connection.51' has two deviations (first at 6:15)");
}

TEST_CASE("bad YAML and empty files are diagnostics, not exceptions", "[profile]") {
  CHECK(errors_of("") ==
        "p.yaml:1:1: expected a profile (a map with profile, description, server and features), "
        "found an empty file");
  CHECK(errors_of("profile: [unclosed\n").starts_with("p.yaml:2:1: YAML syntax error"));
  CHECK(errors_of("- a list\n") == "p.yaml:1:1: expected a map for profile, found a list");
}

TEST_CASE("a profile file is told from a scenario file by its profile key", "[profile]") {
  CHECK(looks_like_profile(std::string(kProfileHeader) + "features: []\n"));
  CHECK_FALSE(looks_like_profile(scenario_text("must", kPassing)));
  CHECK_FALSE(looks_like_profile("profile: [unclosed\n"));
  CHECK_FALSE(looks_like_profile(""));
}

TEST_CASE("the first deviation whose glob matches the id applies", "[profile]") {
  const auto profile = profile_of(std::string(kProfileHeader) + R"(features: []
deviations:
  - { scenario: rest.1, reason: first, link: https://example.com/1 }
  - { scenario: "rest.*", reason: any rest, link: https://example.com/2 }
)");
  REQUIRE(find_deviation(profile, "rest.1") != nullptr);
  CHECK(find_deviation(profile, "rest.1")->note.reason == "first");
  REQUIRE(find_deviation(profile, "rest.12") != nullptr);
  CHECK(find_deviation(profile, "rest.12")->note.reason == "any rest");
  CHECK(find_deviation(profile, "public.1") == nullptr);
}

TEST_CASE("a scenario needing a feature the profile lacks is skipped before any target is built", "[profile]") {
  SuiteOptions options;
  options.profile = profile_of(std::string(kProfileHeader) + "features: [webhooks]\n");
  int built = 0;
  const Scenario needs = load(scenario_text("must", "requires: [client_events]\n" + kPassing));
  const ScenarioResult skipped = run_one(needs, counting_sim(built), options);
  CHECK(skipped.verdict == Verdict::kSkipped);
  CHECK(skipped.skip_reason == "profile 'demo' lacks feature 'client_events'");
  CHECK(built == 0);
  const Scenario has = load(scenario_text("must", "requires: [webhooks]\n" + kPassing));
  CHECK(run_one(has, counting_sim(built), options).verdict == Verdict::kPass);
  CHECK(built == 1);
}

TEST_CASE("a listed failure is a known deviation and a listed pass an unexpected pass", "[profile]") {
  SuiteOptions options;
  options.profile = profile_of(std::string(kProfileHeader) + R"(features: []
deviations:
  - { scenario: test.1, reason: "it never sends 'never'", link: https://example.com/issue/1 }
)");
  const auto run = [&](const std::string& level, const std::string& body) {
    return run_suite({load(scenario_text(level, body))}, sim_target_factory(), "sim", options);
  };
  const RunResult must_fails = run("must", kFailing);
  REQUIRE(must_fails.scenarios.size() == 1);
  const ScenarioResult& deviated = must_fails.scenarios[0];
  CHECK(deviated.verdict == Verdict::kKnownDeviation);
  REQUIRE(deviated.deviation.has_value());
  CHECK(deviated.deviation->link == "https://example.com/issue/1");
  CHECK_FALSE(deviated.failures.empty());  // what failed is still reported
  CHECK(must_fails.exit_code() == 0);
  CHECK(must_fails.profile == "demo");
  CHECK(run("should", kFailing).scenarios[0].verdict == Verdict::kKnownDeviation);
  const RunResult passes = run("must", kPassing);
  CHECK(passes.scenarios[0].verdict == Verdict::kUnexpectedPass);
  CHECK(passes.exit_code() == 0);
  // INFO scenarios are informational whatever they find; the note is kept.
  const RunResult info = run("info", kFailing);
  CHECK(info.scenarios[0].verdict == Verdict::kInformational);
  CHECK(info.scenarios[0].deviation.has_value());
}

TEST_CASE("without a profile nothing is marked, and a failure still fails", "[profile]") {
  const RunResult run = run_suite({load(scenario_text("must", kFailing))}, sim_target_factory(), "sim", SuiteOptions{});
  CHECK(run.scenarios[0].verdict == Verdict::kFail);
  CHECK_FALSE(run.scenarios[0].deviation.has_value());
  CHECK(run.profile.empty());
  CHECK(run.exit_code() == 1);
}

TEST_CASE("a deviation that matches no scenario of the suite is reported where it is written", "[profile]") {
  const auto profile = profile_of(std::string(kProfileHeader) + R"(features: []
deviations:
  - { scenario: test.1, reason: r, link: https://example.com }
  - { scenario: "test.*", reason: r, link: https://example.com }
  - { scenario: renamed.7, reason: r, link: https://example.com }
)");
  const std::vector<Scenario> suite{load(scenario_text("must", kPassing))};
  const auto unmatched = inapplicable_deviations(profile, suite);
  REQUIRE(unmatched.size() == 1);
  CHECK(unmatched[0].to_string() ==
        "p.yaml:8:17: deviation 'renamed.7' matches no scenario of the suite (renamed or removed?)");
}

TEST_CASE("the built-in reference profile claims every known feature and no deviation", "[profile]") {
  const TargetProfile reference = builtin_reference_profile();
  CHECK(reference.name == "reference");
  CHECK(reference.features.size() == std::size(kKnownFeatures));
  for (const auto feature : kKnownFeatures) CHECK(reference.features.count(std::string(feature)) == 1u);
  CHECK(reference.deviations.empty());
}

TEST_CASE("a deviation on scenarios the profile never runs is reported too", "[profile]") {
  const auto profile = profile_of(std::string(kProfileHeader) + R"(features: [webhooks]
deviations:
  - { scenario: "test.*", reason: r, link: https://example.com }
)");
  auto needs_client_events = load(scenario_text("must", "requires: [client_events]\n" + kPassing));
  auto simulation_only = load(scenario_text("must", "simulation_only: needs a partition\n" + kPassing));
  simulation_only.id = "test.2";
  auto runnable = load(scenario_text("must", kPassing));
  runnable.id = "test.3";
  const auto skipped_only = inapplicable_deviations(profile, {needs_client_events, simulation_only});
  REQUIRE(skipped_only.size() == 1);
  CHECK(skipped_only[0].message ==
        "deviation 'test.*' only matches scenarios that are never run against this profile (it is simulation-only)");
  CHECK(inapplicable_deviations(profile, {needs_client_events})[0].message ==
        "deviation 'test.*' only matches scenarios that are never run against this profile (profile 'demo' lacks "
        "feature 'client_events')");
  CHECK(inapplicable_deviations(profile, {needs_client_events, runnable, simulation_only}).empty());
}
