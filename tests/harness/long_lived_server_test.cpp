// Scenarios sharing one long-lived server, as a CI job runs them against a server it started
// once: with a run token each run's names are its own, so a second run (and parallel
// scenarios) give the verdicts of a fresh server. Without one, the second scenario to use a
// cache channel meets the first one's cached event: the leak the run token exists for.
#include <catch2/catch.hpp>

#include <algorithm>
#include <map>

#include "executor_test_support.hpp"
#include "harness/isolated_target.hpp"
#include "harness/live_target.hpp"
#include "harness/scenario_loader.hpp"
#include "harness/suite_runner.hpp"
#include "net/serve_server.hpp"
#include "support/free_port.hpp"
#include "test_paths.hpp"

namespace pushsim::harness {
namespace {

// Cache channels keep their last event, webhooks about a channel come 3 s after it empties
// (into the next scenario's wait), presence and REST listings count whoever is there.
const std::vector<std::string> kLeaky = {"cache.1", "cache.2", "cache.3",    "webhooks.2", "webhooks.3", "rest.34",
                                         "rest.36", "rest.39", "presence.3", "signin.11",  "signin.8"};

std::vector<Scenario> scenarios(const std::vector<std::string>& ids) {
  auto suite = load_suite({pushsim::test::source_root() / "scenarios"});
  REQUIRE(suite.ok());
  SuiteFilter filter;
  filter.only = ids;
  auto selected = select_scenarios(*suite, filter);
  REQUIRE(selected.size() == ids.size());
  return selected;
}

// One pushsim serve for the whole test, with its webhooks going to a fixed port that each
// scenario's listener takes in turn (as --webhook-listen does against a real server).
struct LongLivedServer {
  LongLivedServer() : webhook_port(pushsim::test::free_loopback_port()) {
    ServeOptions options;
    options.port = 0;
    options.io_threads = 1;
    options.seed = 11;
    AppConfig app;
    app.id = "1";
    app.key = "app-key";
    app.secret = "app-secret";
    app.webhooks.push_back(WebhookConfig{"http://127.0.0.1:" + std::to_string(webhook_port) + "/webhooks", {}});
    options.apps.push_back(app);
    REQUIRE_FALSE(server.start(options));
  }

  // With webhooks, each scenario's listener takes the fixed port in turn, so one job only (as
  // --webhook-listen HOST:PORT); without, the target lacks the feature and those are skipped.
  std::map<std::string, Verdict> run(const std::string& run_token, unsigned jobs, bool webhooks = true,
                                     const std::vector<std::string>& ids = kLeaky) {
    REQUIRE((jobs == 1 || !webhooks));
    LiveTargetOptions live;
    live.name = server.ws_url();
    live.ws_url = server.ws_url();
    live.run_token = run_token;
    if (webhooks) {
      live.webhook_port = webhook_port;
    } else {
      live.features = builtin_reference_profile().features;
      live.features->erase("webhooks");
    }
    SuiteOptions options;
    options.jobs = jobs;
    const auto result = run_suite(scenarios(ids), live_target_factory(live), live.name, options);
    std::map<std::string, Verdict> verdicts;
    failures.clear();
    for (const auto& scenario : result.scenarios) {
      INFO(scenario.id << ": " << test::failures_of(scenario));
      CHECK(verdicts.emplace(scenario.id, scenario.verdict).second);
      failures += scenario.id + ": " + test::failures_of(scenario) + "\n";
    }
    return verdicts;
  }

  std::uint16_t webhook_port;
  ServeServer server;
  // The last run's failures, scenario by scenario, for a check on its verdicts to show.
  std::string failures;
};

// What a fresh server gives: every scenario passes, but those needing webhooks are skipped
// when the target has none.
std::map<std::string, Verdict> fresh_verdicts(bool webhooks) {
  std::map<std::string, Verdict> out;
  for (const auto& scenario : scenarios(kLeaky)) {
    const auto& needs = scenario.requires_features;
    const bool skipped = !webhooks && std::find(needs.begin(), needs.end(), "webhooks") != needs.end();
    out[scenario.id] = skipped ? Verdict::kSkipped : Verdict::kPass;
  }
  return out;
}

}  // namespace

TEST_CASE("long-lived server: two runs in a row, each with its own run token, both pass as on a fresh server") {
  LongLivedServer server;
  const auto first = server.run("first1", 1);
  INFO(server.failures);
  CHECK(first == fresh_verdicts(true));
  const auto second = server.run("secnd2", 1);
  INFO(server.failures);
  CHECK(second == fresh_verdicts(true));
}

TEST_CASE("long-lived server: four scenarios at a time give the verdicts of one at a time") {
  LongLivedServer server;
  const auto expected = fresh_verdicts(false);
  const auto four = server.run("jobs4a", 4, false);
  INFO(server.failures);
  CHECK(four == expected);
  const auto one = server.run("jobs1b", 1, false);
  INFO(server.failures);
  CHECK(one == expected);
}

TEST_CASE("long-lived server: without a run token, a cache channel leaks from one scenario into the next") {
  LongLivedServer server;
  const auto verdicts = server.run("", 1, true, {"cache.1", "cache.2", "cache.3"});
  INFO(server.failures);
  // cache.1 publishes to cache-scores and passes; cache.2 and cache.3 then expect a cache
  // miss on the same channel and meet cache.1's event instead.
  CHECK(verdicts.at("cache.1") == Verdict::kPass);
  CHECK(verdicts.at("cache.2") == Verdict::kFail);
  CHECK(verdicts.at("cache.3") == Verdict::kFail);
}

}  // namespace pushsim::harness

namespace pushsim::harness {

TEST_CASE("live target factory: a run token isolates each scenario, unless it asks for its exact names") {
  LiveTargetOptions options;
  options.run_token = "k3x9qa";
  const auto factory = live_target_factory(options);
  const char* const kBody = "clients:\n  alice:\nsteps:\n  - connect: alice\n";
  const Scenario plain = test::load(test::scenario_text("must", kBody));
  auto isolated = factory(plain, 1);
  const auto* wrapper = dynamic_cast<const IsolatedTarget*>(isolated.get());
  REQUIRE(wrapper != nullptr);
  CHECK(wrapper->names().suffix() == "_k3x9qa_test.1_");
  const Scenario exact =
      test::load(test::scenario_text("must", std::string("exact_channel_names: checks the exact names\n") + kBody));
  CHECK(exact.exact_channel_names == "checks the exact names");
  CHECK(dynamic_cast<const LiveTarget*>(factory(exact, 1).get()) != nullptr);
  options.run_token.clear();
  CHECK(dynamic_cast<const LiveTarget*>(live_target_factory(options)(plain, 1).get()) != nullptr);
}

}  // namespace pushsim::harness

namespace pushsim::harness {
namespace {

// Two scenarios' targets on one server, as --jobs 2 runs them: `first` holds the fixed
// webhook port, `second` has an ephemeral listener the server does not know.
struct SharedServer : LongLivedServer {
  std::pair<std::unique_ptr<Target>, LiveTarget*> target(const std::string& scenario_id, bool webhooks) {
    LiveTargetOptions live;
    live.ws_url = server.ws_url();
    if (webhooks) live.webhook_port = webhook_port;
    auto inner = std::make_unique<LiveTarget>(live);
    LiveTarget* raw = inner.get();
    return {std::make_unique<IsolatedTarget>(std::move(inner), NameIsolation(isolation_suffix("shared", scenario_id))),
            raw};
  }
};

bool subscribed(Target& target, const std::string& client, const std::string& channel) {
  REQUIRE_FALSE(target.declare_client(ClientSpec{client, std::nullopt, std::nullopt, "default"}));
  REQUIRE_FALSE(target.connect(client, ConnectOptions{}));
  REQUIRE_FALSE(target.subscribe(client, channel, AuthChoice{}, std::nullopt));
  return target.wait_until(target.now() + 5 * kNsPerSecond, [&] {
    for (const auto& frame : target.frames(client)) {
      if (frame.frame && frame.frame->event == "pusher_internal:subscription_succeeded") return true;
    }
    return false;
  });
}

std::string dump_names(const std::vector<ObservedWebhook>& hooks) {
  std::string out;
  for (const auto& hook : hooks) out += hook.event.value("name", "") + " " + hook.event.value("channel", "") + "\n";
  return out;
}

}  // namespace

TEST_CASE("long-lived server: a scenario sees neither another's webhooks nor its channels in GET /channels") {
  SharedServer shared;
  // Named references rather than structured bindings, which lambdas may capture only from
  // clang 16 on.
  auto first_pair = shared.target("test.1", true);
  auto second_pair = shared.target("test.2", false);
  auto& first = first_pair.first;
  LiveTarget* first_inner = first_pair.second;
  auto& second = second_pair.first;
  LiveTarget* second_inner = second_pair.second;
  REQUIRE(subscribed(*first, "alice", "room"));
  REQUIRE(subscribed(*second, "bob", "news"));

  // The first scenario's listener gets the server's webhooks about both; it sees its own only.
  const auto own = [&] { return dump_names(first->webhooks()).find("channel_occupied room\n") != std::string::npos; };
  const auto theirs = [&] {
    return dump_names(first_inner->webhooks()).find("news_shared_test.2_") != std::string::npos;
  };
  REQUIRE(first->wait_until(first->now() + 5 * kNsPerSecond, [&] { return own() && theirs(); }));
  CHECK(dump_names(first->webhooks()) == "channel_occupied room\n");

  // The second scenario lists the server's channels: the first's "room" is not among them.
  REQUIRE_FALSE(second->rest(RestCall{"GET", "/channels", {}, "", Signing::kValid}));
  REQUIRE(second->wait_until(second->now() + 5 * kNsPerSecond,
                             [&] { return second->responses().back().answered_at.has_value(); }));
  CHECK(second_inner->responses().back().body.find("room_shared_test.1_") != std::string::npos);
  CHECK(second->responses().back().status == 200);
  CHECK(Json::parse(second->responses().back().body) == Json{{"channels", {{"news", Json::object()}}}});
}

}  // namespace pushsim::harness
