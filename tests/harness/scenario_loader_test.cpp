#include <catch2/catch.hpp>

#include <set>

#include "harness/expected_value.hpp"
#include "harness/scenario_loader.hpp"
#include "harness/scenario_metadata.hpp"
#include "harness_test_support.hpp"

using namespace pushsim;
using namespace pushsim::harness;
using pushsim::harness::test::fixtures;
using pushsim::harness::test::read_text;

namespace {

const std::string kFile = "every_step.yaml";

SourceLocation at(int line, int column) { return SourceLocation{kFile, line, column}; }

Scenario load_every_step() {
  auto loaded = load_scenario_text(read_text(fixtures() / "scenarios" / kFile), kFile);
  if (!loaded) FAIL(loaded.error().message);
  return std::move(loaded).value();
}

}  // namespace

TEST_CASE("a scenario's header loads into the model", "[loader]") {
  const Scenario scenario = load_every_step();
  CHECK(scenario.id == "format.1");
  CHECK(scenario.where == at(2, 5));
  CHECK(scenario.name == "every step kind loads");
  CHECK(scenario.level == Level::kShould);
  CHECK(scenario.section == "3.4");
  CHECK(scenario.tags == std::vector<std::string>{"format", "presence"});
  CHECK(scenario.requires_features == std::vector<std::string>{"client_events", "webhooks"});
  CHECK(scenario.simulation_only == "partitions and exact latency need the simulated network");
}

TEST_CASE("clients load in declaration order with user, info and app", "[loader]") {
  const Scenario scenario = load_every_step();
  REQUIRE(scenario.clients.size() == 3);
  CHECK(scenario.clients[0] == Client{at(10, 3), "alice", "u1", Json{{"name", "Alice"}}, std::nullopt});
  CHECK(scenario.clients[1] == Client{at(11, 3), "bob", "u2", std::nullopt, "second"});
  CHECK(scenario.clients[2] == Client{at(12, 3), "carol", std::nullopt, std::nullopt, std::nullopt});
  CHECK(scenario.find_client("bob") == &scenario.clients[1]);
  CHECK(scenario.find_client("dave") == nullptr);
}

TEST_CASE("connection steps load into typed structs", "[loader]") {
  const Scenario scenario = load_every_step();
  const auto& s = scenario.steps;
  REQUIRE(s.size() == 54);
  CHECK(s[0] == Step{ConnectStep{at(14, 5), "alice", {}, {}, {}}});
  CHECK(s[1] == Step{ConnectStep{at(15, 5), "bob", "other-key", 6, "/app/other-key?protocol=6"}});
  CHECK(s[2] == Step{ConnectStep{at(16, 5), "carol", {}, {}, {}}});
  CHECK(s[3] == Step{SubscribeStep{at(17, 5), "alice", "presence-room", {}, {}}});
  // Member by member: aggregate-initialised, with the Json after the auth's string, GCC 12 at -O3
  // takes the exception cleanup of auth.literal for a read of an uninitialised string.
  SubscribeStep wrong_signature;
  wrong_signature.where = at(18, 5);
  wrong_signature.client = "bob";
  wrong_signature.channel = "presence-room";
  wrong_signature.auth.kind = AuthChoice::Kind::kWrongSignature;
  wrong_signature.channel_data = Json{{"user_id", 2}, {"user_info", {{"n", 1}}}};
  CHECK(s[4] == Step{wrong_signature});
  CHECK(s[5] ==
        Step{SubscribeStep{at(23, 5), "carol", "private-a", {AuthChoice::Kind::kLiteral, "app-key:deadbeef"}, {}}});
  CHECK(s[6] == Step{SubscribeStep{at(24, 5), "carol", "private-b", {AuthChoice::Kind::kLiteral, "garbage"}, {}}});
  CHECK(s[7] == Step{UnsubscribeStep{at(25, 5), "carol", "private-b"}});
  CHECK(s[8] == Step{SigninStep{at(26, 5), "alice", {}}});
  CHECK(s[9] == Step{SigninStep{at(27, 5), "bob", {AuthChoice::Kind::kOtherSocket, ""}}});
  CHECK(s[10] ==
        Step{ClientEventStep{at(28, 5), "alice", "presence-room", "client-typing", Json{{"who", "${alice.user_id}"}}}});
  CHECK(s[11] == Step{SendStep{at(29, 5), "bob", "{\"event\":\"pusher:ping\""}});
}

TEST_CASE("REST steps load with data encoded as it will be sent", "[loader]") {
  const Scenario scenario = load_every_step();
  const auto& s = scenario.steps;
  REQUIRE(s.size() == 54);
  CHECK(s[12] == Step{TriggerStep{at(30, 5),
                                  {"presence-room", "other"},
                                  false,
                                  "news",
                                  "{\"x\":1}",
                                  Exclude{Exclude::Kind::kClient, "bob"},
                                  "user_count"}});
  CHECK(s[13] == Step{TriggerStep{at(31, 5),
                                  {"presence-room"},
                                  true,
                                  "raw",
                                  "not json",
                                  Exclude{Exclude::Kind::kSocketId, "${alice.socket_id}"},
                                  {}}});
  CHECK(s[14] == Step{TriggerStep{at(32, 5), {"a"}, true, "e", "{}", Exclude{Exclude::Kind::kSocketId, "1.2.3"}, {}}});
  CHECK(s[15] == Step{BatchTriggerStep{at(33, 5),
                                       {
                                           BatchItem{at(35, 11), "a", "e1", "d1", {}, {}},
                                           BatchItem{at(36, 11), "b", "e2", "[1,2]",
                                                     Exclude{Exclude::Kind::kClient, "alice"}, "subscription_count"},
                                       }}});
  CHECK(s[16] == Step{BatchTriggerStep{at(37, 5), {BatchItem{at(37, 22), "c", "e3", "{}", {}, {}}}}});
  CHECK(s[17] == Step{QueryStep{at(38, 5), "/channels/presence-room", {{"info", "user_count"}}}});
  CHECK(s[18] == Step{ExpectResponseStep{at(39, 5), 200, Json{{"occupied", true}, {"user_count", 1}}}});
  CHECK(s[19] == Step{RequestStep{at(40, 5),
                                  "POST",
                                  "/events",
                                  {{"a", "1"}, {"a", "2"}},
                                  R"({"channels":["a"],"data":"{}","name":"e"})",
                                  Signing::kStaleTimestamp}});
  CHECK(s[20] == Step{RequestStep{at(46, 5), "GET", "/channels", {}, {}, Signing::kValid}});
}

TEST_CASE("expectations load with their deadlines and defaults", "[loader]") {
  const Scenario scenario = load_every_step();
  const auto& s = scenario.steps;
  REQUIRE(s.size() == 54);
  CHECK(s[21] == Step{ExpectStep{at(47, 5), "alice", "pusher_internal:subscription_succeeded", "presence-room",
                                 Json{{"presence", {{"count", 1}}}}, "u1", ms(1500)}});
  CHECK(s[22] == Step{ExpectStep{at(49, 5), "bob", "news", {}, {}, {}, seconds(1)}});
  CHECK(s[23] == Step{ExpectNoneStep{at(50, 5), "bob", "news", "presence-room", Json{{"x", 1}}, ms(500)}});
  CHECK(s[24] == Step{ExpectCloseStep{at(51, 5), "carol", 4009, seconds(2)}});
  CHECK(s[25] == Step{ExpectWebhookStep{at(52, 5), "member_added", "presence-room", "u2", {}, {}, seconds(5)}});
  CHECK(s[26] ==
        Step{ExpectWebhookStep{at(53, 5), "client_event", {}, {}, "client-typing", Json{{"who", "u1"}}, seconds(60)}});
  CHECK(s[27] == Step{ExpectNoWebhookStep{at(54, 5), "channel_vacated", "presence-room", "u2", seconds(3)}});
  CHECK(s[28] == Step{ExpectNoWebhookStep{at(55, 5), {}, {}, {}, ms(250)}});
}

TEST_CASE("time and fault steps load", "[loader]") {
  const Scenario scenario = load_every_step();
  const auto& s = scenario.steps;
  REQUIRE(s.size() == 54);
  CHECK(s[29] == Step{AdvanceStep{at(56, 5), seconds(2)}});
  CHECK(s[30] == Step{PartitionStep{at(57, 5), "alice"}});
  CHECK(s[31] == Step{HealStep{at(58, 5), "alice"}});
  CHECK(s[32] == Step{DropStep{at(59, 5), "bob"}});
  CHECK(s[33] == Step{LatencyStep{at(60, 5), "alice", ms(10), ms(200)}});
  CHECK(s[34] == Step{LatencyStep{at(61, 5), {}, 0, ms(1)}});
  CHECK(s[35] == Step{WebhookFailuresStep{at(62, 5), 3, 503}});
  CHECK(s[36] == Step{WebhookFailuresStep{at(63, 5), 1, 0}});
  CHECK(s[37] == Step{AuthRefuseStep{at(64, 5), "carol", "private-a"}});
  CHECK(s[38] == Step{AuthRefuseStep{at(65, 5), {}, {}}});
  CHECK(s[39] == Step{DisconnectStep{at(66, 5), "alice", 4000, false}});
  CHECK(s[40] == Step{DisconnectStep{at(67, 5), "carol", {}, true}});
  CHECK(s[43] == Step{DisconnectStep{at(75, 5), "bob", {}, false}});
  CHECK(s[44] == Step{ExpectWebhookStateStep{at(76, 5), "presence-room", "u2", ExpectWebhookStateStep::State::kAbsent,
                                             seconds(2)}});
}

TEST_CASE("expect_refused and the sharper matching fields load", "[loader]") {
  const Scenario scenario = load_every_step();
  const auto& s = scenario.steps;
  REQUIRE(s.size() == 54);
  CHECK(s[45] == Step{ExpectRefusedStep{at(77, 5), "alice", "private-a", seconds(2)}});
  ExpectWebhookStep webhook{at(78, 5), "client_event", {}, {}, {}, exact_marker(Json{{"who", "u1"}}), seconds(5)};
  webhook.socket_id = "${alice.socket_id}";
  webhook.subscription_count = 2;
  webhook.batch_size = 3;
  webhook.absent = {"user_id"};
  CHECK(s[46] == Step{webhook});
  ExpectStep expect{at(80, 5), "alice", "e", {}, Json{{"a", present_marker()}, {"b", absent_marker()}}, {}, seconds(1)};
  expect.absent = {"user_id"};
  CHECK(s[47] == Step{expect});
  CHECK(s[48] == Step{CrashNodeStep{at(81, 5), 1}});
  CHECK(s[49] == Step{RestartNodeStep{at(82, 5), 1}});
  CHECK(s[50] == Step{PartitionNodesStep{at(83, 5), 0, 1}});
  CHECK(s[51] == Step{HealNodesStep{at(84, 5), std::pair(1, 0)}});
  CHECK(s[52] == Step{ExpectPongStep{at(85, 5), "alice", "hi", seconds(1)}});
  CHECK(s[53] == Step{ShutdownServerStep{at(86, 5)}});
  CHECK(scenario.cluster_nodes == 2);
}

TEST_CASE("concurrently and one_of hold nested steps", "[loader]") {
  const Scenario scenario = load_every_step();
  const auto& s = scenario.steps;
  REQUIRE(s.size() == 54);
  CHECK(s[41] == Step{ConcurrentlyStep{at(68, 5),
                                       {
                                           Step{ConnectStep{at(69, 9), "alice", {}, {}, {}}},
                                           Step{SubscribeStep{at(70, 9), "alice", "c", {}, {}}},
                                       }}});
  CHECK(s[42] ==
        Step{OneOfStep{at(71, 5),
                       {
                           {Step{ExpectStep{at(72, 11), "alice", "a", {}, {}, {}, seconds(1)}}},
                           {Step{ExpectStep{at(73, 11), "alice", "b", {}, {}, {}, seconds(1)}},
                            Step{ExpectStep{at(74, 11), "alice", "c", {}, Json("${alice.socket_id}"), {}, seconds(1)}}},
                       }}});
}

TEST_CASE("every step kind appears in the every-step fixture", "[loader]") {
  const Scenario scenario = load_every_step();
  std::set<std::size_t> kinds;
  for (const auto& step : scenario.steps) kinds.insert(step.action.index());
  CHECK(kinds.size() == std::variant_size_v<StepAction>);
}

TEST_CASE("describe_step prints one line per step", "[loader]") {
  const Scenario scenario = load_every_step();
  CHECK(describe_step(scenario.steps[12]) ==
        "trigger presence-room,other news \"{\\\"x\\\":1}\" exclude=bob info=user_count");
  CHECK(describe_step(scenario.steps[23]) ==
        "expect_none bob event=news channel=presence-room data={\"x\":1} for 500ms");
  CHECK(describe_step(scenario.steps[41]) == "concurrently [connect alice; subscribe alice c]");
  CHECK(step_kind(scenario.steps[42]) == "one_of");
}

TEST_CASE("race scenario steps load: kebab ids, after_previous, expect_webhook_state", "[loader]") {
  const std::string file = "race_steps.yaml";
  auto loaded = load_scenario_text(read_text(fixtures() / "scenarios" / file), file);
  if (!loaded) FAIL(loaded.error().message);
  const Scenario& scenario = *loaded;
  auto where = [&](int line) { return SourceLocation{file, line, 5}; };
  CHECK(scenario.id == "races.race-steps-load");
  const auto& s = scenario.steps;
  REQUIRE(s.size() == 6);
  CHECK(s[1] == Step{ExpectStep{where(10), "alice", "first", {}, {}, {}, seconds(1), false}});
  CHECK(s[2] == Step{ExpectStep{where(11), "alice", "second", {}, {}, {}, seconds(30), true}});
  CHECK(s[3] == Step{ExpectNoneStep{where(12), "alice", {}, "room", {}, seconds(30), true}});
  using State = ExpectWebhookStateStep::State;
  CHECK(s[4] == Step{ExpectWebhookStateStep{where(13), "room", {}, State::kVacated, seconds(1)}});
  CHECK(s[5] ==
        Step{ExpectWebhookStateStep{where(14), "presence-room", "${alice.user_id}", State::kMember, seconds(5)}});
  CHECK(describe_step(s[2]) == "expect alice second after_previous within 30s");
  CHECK(describe_step(s[5]) == "expect_webhook_state presence-room user_id=${alice.user_id} member within 5s");
}

TEST_CASE("scenario ids are area.N or area.kebab-name", "[loader]") {
  for (const char* good : {"presence.12", "races.trigger-racing-subscribe", "races.a1-b2", "bugs_x.x"}) {
    CAPTURE(good);
    CHECK(is_scenario_id(good));
  }
  for (const char* bad :
       {"races.Trigger", "races.-a", "races.a-", "races.a--b", "races.1a-b", "races.", "races.a_b", ".a", "Races.a"}) {
    CAPTURE(bad);
    CHECK_FALSE(is_scenario_id(bad));
  }
}
