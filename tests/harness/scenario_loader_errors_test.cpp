#include <unistd.h>
#include <catch2/catch.hpp>

#include <filesystem>
#include <fstream>

#include "harness/scenario_loader.hpp"
#include "harness_test_support.hpp"
#include "protocol/random.hpp"

using namespace pushsim;
using namespace pushsim::harness;
using pushsim::harness::test::fixtures;
using pushsim::harness::test::read_text;

namespace {

const std::string kHeader =
    "id: errors.1\n"
    "name: errors\n"
    "level: must\n"
    "section: \"1\"\n"
    "clients:\n"
    "  alice: { user_id: u1 }\n"
    "steps:\n"
    "  - connect: alice\n";

std::vector<std::string> messages(const LoadOutcome& outcome) {
  std::vector<std::string> out;
  for (const auto& diagnostic : outcome.diagnostics) out.push_back(diagnostic.to_string());
  return out;
}

}  // namespace

TEST_CASE("a minimal scenario loads, with clients declared after the steps", "[loader]") {
  const std::string text =
      "steps:\n  - connect: alice\n  - advance: 1s\n"
      "id: min.1\nname: minimal\nlevel: info\nsection: 7.4\nclients: { alice: }\n";
  auto loaded = load_scenario_text(text, "min.yaml");
  REQUIRE(loaded.ok());
  CHECK(loaded->level == Level::kInfo);
  CHECK(loaded->section == "7.4");
  CHECK(loaded->steps.size() == 2);
  CHECK(loaded->tags.empty());
  CHECK_FALSE(loaded->simulation_only.has_value());
}

TEST_CASE("all errors of a file are reported, in file order", "[loader]") {
  const std::string text = kHeader +
                           "  - subscribe: { client: carol, channel: a }\n"         // line 9
                           "  - advance: soon\n"                                    // line 10
                           "  - expect: { client: alice, event: e, wihtin: 1s }\n"  // line 11
                           "level: should\n";                                       // line 12
  const auto outcome = check_scenario_text(text, "many.yaml");
  CHECK_FALSE(outcome.scenario.has_value());
  CHECK(messages(outcome) == std::vector<std::string>{
                                 "many.yaml:9:26: unknown client 'carol' (declared clients: alice)",
                                 "many.yaml:10:14: bad duration 'soon' (expected a number followed by ms, s or m)",
                                 "many.yaml:11:40: unknown key 'wihtin' in expect step (expected one of: client, "
                                 "event, channel, data, user_id, within, after_previous)",
                                 "many.yaml:12:1: duplicate key 'level' in scenario (first given at 3:1)",
                             });
}

TEST_CASE("errors found late are still listed in file order", "[loader]") {
  // The header is checked before the steps, whatever their place in the file.
  const std::string text = "steps:\n  - advance: soon\nid: order.1\nname: n\nlevel: may\nsection: \"1\"\n";
  CHECK(messages(check_scenario_text(text, "order.yaml")) ==
        std::vector<std::string>{
            "order.yaml:2:14: bad duration 'soon' (expected a number followed by ms, s or m)",
            "order.yaml:5:8: unknown level 'may' (expected one of: must, should, info)",
        });
}

TEST_CASE("errors are capped per file with a count of the rest", "[loader]") {
  std::string text = kHeader;
  for (int i = 0; i < 60; ++i) text += "  - advance: never\n";
  const auto outcome = check_scenario_text(text, "cap.yaml");
  REQUIRE(outcome.diagnostics.size() == kErrorsPerFileMax + 1);
  CHECK(outcome.diagnostics.front().to_string() ==
        "cap.yaml:9:14: bad duration 'never' (expected a number followed by ms, s or m)");
  CHECK(outcome.diagnostics.back().to_string() == "cap.yaml: too many errors: 10 more not shown");
}

TEST_CASE("load_scenario_text joins every message into the error", "[loader]") {
  auto loaded = load_scenario_text(kHeader + "  - advance: x\n  - advance: y\n", "two.yaml");
  REQUIRE_FALSE(loaded.ok());
  CHECK(loaded.error().message ==
        "two.yaml:9:14: bad duration 'x' (expected a number followed by ms, s or m)\n"
        "two.yaml:10:14: bad duration 'y' (expected a number followed by ms, s or m)");
}

TEST_CASE("a file is named by its path as given", "[loader]") {
  const auto path = fixtures() / "malformed" / "unknown_client.yaml";
  auto loaded = load_scenario_file(path);
  REQUIRE_FALSE(loaded.ok());
  CHECK(loaded.error().message == path.string() + ":10:26: unknown client 'carol' (declared clients: alice, bob)");
}

TEST_CASE("a missing file or a folder is a diagnostic, not an exception", "[loader]") {
  CHECK(load_scenario_file(fixtures() / "no-such-file.yaml").error().message ==
        (fixtures() / "no-such-file.yaml").string() + ": cannot read the file");
  CHECK(load_scenario_file(fixtures()).error().message == fixtures().string() + ": cannot read the file");
}

TEST_CASE("files over the size limit are refused before parsing", "[loader]") {
  const std::string text = kHeader + "# " + std::string(kScenarioFileBytesMax, 'x') + "\n";
  CHECK(load_scenario_text(text, "big.yaml").error().message ==
        "big.yaml:1:1: expected a scenario file of at most 1048576 bytes, found " + std::to_string(text.size()));
}

TEST_CASE("a file is read whole however long, and one over the size limit is refused", "[loader]") {
  const auto folder = std::filesystem::temp_directory_path() / ("pushsim-loader-" + std::to_string(::getpid()));
  std::filesystem::create_directories(folder);
  const auto write = [&](const std::string& name, const std::string& text) {
    std::ofstream(folder / name, std::ios::binary) << text;
    return folder / name;
  };
  // The comment comes first: a file cut short would lose the scenario after it.
  const auto long_file = write("long.yaml", "# " + std::string(100 * 1024, 'x') + "\n" + kHeader);
  const auto loaded = load_scenario_file(long_file);
  REQUIRE(loaded.ok());
  CHECK(loaded.value().id == "errors.1");
  const auto big_file = write("big.yaml", kHeader + "# " + std::string(kScenarioFileBytesMax, 'x') + "\n");
  CHECK_THAT(load_scenario_file(big_file).error().message,
             Catch::StartsWith(big_file.string() + ":1:1: expected a scenario file of at most 1048576 bytes, found "));
  std::filesystem::remove_all(folder);
}

TEST_CASE("a trailing document marker with nothing after it is not a second document", "[loader]") {
  CHECK(load_scenario_text(kHeader + "---\n", "trailing.yaml").ok());
  CHECK(load_scenario_text("---\n" + kHeader + "...\n", "framed.yaml").ok());
}

TEST_CASE("string fields take any scalar; typed fields want their type", "[loader]") {
  auto loaded =
      load_scenario_text(kHeader +
                             "  - subscribe: { client: alice, channel: 123 }\n"
                             "  - client_event: { client: alice, channel: private-x, event: client-e,\n"
                             "                    data: { n: 1, f: 1.5, t: true, s: \"1\", z: ~, q: 'true' } }\n",
                         "typing.yaml");
  REQUIRE(loaded.ok());
  CHECK(std::get<SubscribeStep>(loaded->steps[1].action).channel == "123");
  CHECK(std::get<ClientEventStep>(loaded->steps[2].action).data ==
        Json{{"n", 1}, {"f", 1.5}, {"t", true}, {"s", "1"}, {"z", nullptr}, {"q", "true"}});
}

TEST_CASE("socket_id variables are usable after the concurrently block that connects", "[loader]") {
  const std::string text = kHeader.substr(0, kHeader.find("steps:")) + "  bob:\nsteps:\n" +
                           "  - concurrently:\n      - connect: alice\n      - connect: bob\n"
                           "  - trigger: { channel: a, event: e, exclude: bob, data: \"${alice.socket_id}\" }\n";
  CHECK(load_scenario_text(text, "after_block.yaml").ok());
}

TEST_CASE("after one_of, only connects made in every branch count", "[loader]") {
  const std::string base = kHeader.substr(0, kHeader.find("steps:")) + "  bob:\nsteps:\n  - connect: alice\n";
  const std::string both = base +
                           "  - one_of:\n      - - connect: bob\n      - - connect: bob\n"
                           "  - send: { client: alice, text: \"${bob.socket_id}\" }\n";
  CHECK(load_scenario_text(both, "both.yaml").ok());
  const std::string one = base +
                          "  - one_of:\n      - - connect: bob\n      - - advance: 1s\n"
                          "  - send: { client: alice, text: \"${bob.socket_id}\" }\n";
  CHECK(load_scenario_text(one, "one.yaml").error().message ==
        "one.yaml:13:34: '${bob.socket_id}' needs the socket_id of 'bob', known only after its connect step (and "
        "outside the concurrently block holding it)");
}

TEST_CASE("a misspelt required key is reported once, as unknown", "[loader]") {
  auto outcome =
      check_scenario_text(kHeader + "  - unsubscribe: { client: alice, chanel: a, extra: 1 }\n", "typo.yaml");
  CHECK(messages(outcome) == std::vector<std::string>{
                                 "typo.yaml:9:35: unknown key 'chanel' in unsubscribe step (expected one of: client, "
                                 "channel)",
                                 "typo.yaml:9:46: unknown key 'extra' in unsubscribe step (expected one of: client, "
                                 "channel)",
                             });
}

TEST_CASE("a stray comma is a syntax error, not an endless parse", "[loader]") {
  // yaml-cpp 0.7's LoadAll loops forever on these (jbeder/yaml-cpp#1040).
  CHECK(load_scenario_text(",", "comma.yaml").error().message ==
        "comma.yaml:1:1: YAML syntax error: unexpected ',' (a ',' belongs inside [ ] or { })");
  CHECK(load_scenario_text("\"x\",,", "comma.yaml").error().message ==
        "comma.yaml:1:4: YAML syntax error: unexpected ',' (a ',' belongs inside [ ] or { })");
  CHECK(load_scenario_text(kHeader + "---\n,\n", "comma.yaml").error().message ==
        "comma.yaml:10:1: YAML syntax error: unexpected ',' (a ',' belongs inside [ ] or { })");
}

TEST_CASE("aliases cannot blow a small file up into a huge one", "[loader]") {
  // Levels of ten aliases make one value of 55,556 nodes (under the per-value limit);
  // naming it in 20 steps passes the per-file budget of a million at the 17th.
  std::string text = kHeader + "  - client_event: { client: alice, channel: private-a, event: client-e, data: [\n";
  text += "      &l0 [1, 1, 1, 1, 1, 1, 1, 1, 1, 1],\n";
  for (int level = 1; level <= 3; ++level) {
    text += "      &l" + std::to_string(level) + " [";
    for (int i = 0; i < 10; ++i) text += (i ? ", *l" : "*l") + std::to_string(level - 1);
    text += "],\n";
  }
  text += "      &big [*l3, *l3, *l3, *l3, *l3]] }\n";
  for (int i = 0; i < 20; ++i)
    text += "  - client_event: { client: alice, channel: private-a, event: client-e, data: *big }\n";
  const auto outcome = check_scenario_text(text, "aliases.yaml");
  REQUIRE_FALSE(outcome.diagnostics.empty());
  CHECK(outcome.diagnostics.front().to_string() ==
        "aliases.yaml:31:73: values of this file hold more than 1000000 nodes in all (aliases?)");
}

TEST_CASE("every prefix of a valid file loads or fails cleanly, byte by byte", "[loader][fuzz]") {
  const std::string text = read_text(fixtures() / "scenarios" / "every_step.yaml");
  REQUIRE(text.size() > 1000);
  std::size_t loaded = 0;
  for (std::size_t length = 0; length <= text.size(); ++length) {
    LoadOutcome outcome;
    REQUIRE_NOTHROW(outcome = check_scenario_text(std::string_view(text).substr(0, length), "prefix.yaml"));
    // Either a scenario or at least one diagnostic, never both, never neither.
    REQUIRE(outcome.scenario.has_value() == outcome.diagnostics.empty());
    for (const auto& diagnostic : outcome.diagnostics) REQUIRE_FALSE(diagnostic.message.empty());
    loaded += outcome.scenario ? 1 : 0;
  }
  CHECK(loaded >= 1);  // the whole file, at least
}

TEST_CASE("random mutations of a valid file never throw", "[loader][fuzz]") {
  const std::string text = read_text(fixtures() / "scenarios" / "every_step.yaml");
  static constexpr char kBytes[] = {'{',  '}', '[', ']', ':', '-', ' ',  '\n', '&',    '*', '!', '"',
                                    '\'', '#', '|', '>', '$', '%', '\t', '\0', '\xff', 'a', '1', ','};
  Rng rng(20240601);
  for (int round = 0; round < 1500; ++round) {
    std::string mutated = text;
    const auto edits = 1 + rng.below(4);
    for (std::uint64_t e = 0; e < edits && !mutated.empty(); ++e) {
      const auto position = static_cast<std::size_t>(rng.below(mutated.size()));
      const char byte = kBytes[rng.below(sizeof kBytes)];
      switch (rng.below(3)) {
        case 0: mutated[position] = byte; break;
        case 1: mutated.insert(position, 1, byte); break;
        default: mutated.erase(position, 1 + rng.below(8)); break;
      }
    }
    CAPTURE(round);
    LoadOutcome outcome;
    REQUIRE_NOTHROW(outcome = check_scenario_text(mutated, "mutated.yaml"));
    REQUIRE(outcome.scenario.has_value() == outcome.diagnostics.empty());
  }
}

TEST_CASE("webhook endpoints, ws pings, pongs and a shutdown load; bad ones are refused where they are", "[loader]") {
  const std::string good = kHeader +
                           "  - send: { client: alice, ws_ping: hi }\n"
                           "  - expect_pong: { client: alice, data: hi, within: 2s }\n"
                           "  - expect_webhook: { name: member_added, endpoint: members }\n"
                           "  - expect_no_webhook: { endpoint: members, for: 1s }\n"
                           "  - shutdown_server:\n"
                           "webhook_endpoints:\n"
                           "  members: [member_added, member_removed]\n";
  auto loaded = load_scenario_text(good, "good.yaml");
  REQUIRE(loaded.ok());
  REQUIRE(loaded->webhook_endpoints.size() == 1);
  CHECK(loaded->webhook_endpoints[0].name == "members");
  CHECK(loaded->webhook_endpoints[0].event_types == std::vector<std::string>{"member_added", "member_removed"});
  REQUIRE(loaded->steps.size() == 6);
  CHECK(std::get<SendStep>(loaded->steps[1].action).ws_ping == std::optional<std::string>("hi"));
  CHECK(std::get<ExpectPongStep>(loaded->steps[2].action).payload == std::optional<std::string>("hi"));
  CHECK(std::get<ExpectWebhookStep>(loaded->steps[3].action).endpoint == std::optional<std::string>("members"));
  CHECK(std::get<ExpectNoWebhookStep>(loaded->steps[4].action).endpoint == std::optional<std::string>("members"));
  CHECK(std::holds_alternative<ShutdownServerStep>(loaded->steps[5].action));

  const std::string bad = kHeader +
                          "  - expect_webhook: { name: member_added, endpoint: nobody }\n"  // line 9
                          "  - send: { client: alice, ws_ping: hi, text: x }\n"             // line 10
                          "webhook_endpoints:\n"
                          "  members: [member_gone]\n";  // line 12
  const auto outcome = check_scenario_text(bad, "bad.yaml");
  CHECK_FALSE(outcome.scenario.has_value());
  const auto found = messages(outcome);
  REQUIRE(found.size() == 3);
  CHECK(found[0].starts_with("bad.yaml:9:"));
  CHECK(found[0].find("endpoint 'nobody' is not in the scenario's webhook_endpoints (members)") != std::string::npos);
  CHECK(found[1].starts_with("bad.yaml:10:"));
  CHECK(found[2].starts_with("bad.yaml:12:"));
  CHECK(found[2].find("unknown webhook event 'member_gone'") != std::string::npos);
}
