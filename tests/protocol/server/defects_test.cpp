// Each deliberately broken engine variant must behave differently from the reference in the
// way its name says, or selftest would be proving nothing. Every case runs the same steps on
// the reference and on the variant and checks both outcomes.
#include <catch2/catch.hpp>

#include <functional>
#include <set>

#include "rest_fixture.hpp"

using namespace pushsim;
using namespace pushsim::test;

namespace {

RestFixture make(std::optional<Defect> defect, AppConfig app = test_app()) {
  EngineOptions options = test_options();
  if (defect) options.defects.add(*defect);
  return RestFixture(std::move(app), options);
}

std::size_t count_event(const std::vector<std::string>& frames, const std::string& event) {
  std::size_t n = 0;
  for (const auto& frame : parsed(frames)) n += frame.value("event", "") == event ? 1 : 0;
  return n;
}

std::size_t count_webhook(const std::vector<Json>& hooks, const std::string& name) {
  std::size_t n = 0;
  for (const auto& hook : hooks) n += hook.value("name", "") == name ? 1 : 0;
  return n;
}

const std::string kAlice = R"({"user_id":"u1","user_info":{"name":"Alice"}})";
const std::string kBob = R"({"user_id":"u2"})";

}  // namespace

TEST_CASE("every defect has a unique kebab-case name that parses back", "[defects]") {
  std::set<std::string_view> names;
  for (const auto& info : all_defects()) {
    CHECK(parse_defect(info.name) == info.defect);
    CHECK(defect_name(info.defect) == info.name);
    CHECK_FALSE(info.summary.empty());
    names.insert(info.name);
  }
  CHECK(names.size() == all_defects().size());
  CHECK(all_defects().size() >= 12);
  CHECK_FALSE(parse_defect("no-such-defect").has_value());
}

TEST_CASE("defect echo-client-events sends a client event back to its sender", "[defects]") {
  auto run = [](std::optional<Defect> d) {
    auto f = make(d);
    auto a = f.connect(), b = f.connect();
    f.subscribe(a, "private-x"), f.subscribe(b, "private-x");
    f.take(a), f.take(b);
    f.send(a, R"({"event":"client-typing","channel":"private-x","data":{}})");
    return count_event(f.take(a), "client-typing");
  };
  CHECK(run(std::nullopt) == 0);
  CHECK(run(Defect::kEchoClientEvents) == 1);
}

TEST_CASE("defect client-events-on-public relays client events on public channels", "[defects]") {
  auto run = [](std::optional<Defect> d) {
    auto f = make(d);
    auto a = f.connect(), b = f.connect();
    f.subscribe(a, "public-x"), f.subscribe(b, "public-x");
    f.take(a), f.take(b);
    f.send(a, R"({"event":"client-typing","channel":"public-x","data":{}})");
    return count_event(f.take(b), "client-typing");
  };
  CHECK(run(std::nullopt) == 0);
  CHECK(run(Defect::kClientEventsOnPublic) == 1);
}

TEST_CASE("defect ignore-socket-exclusion delivers to the excluded socket", "[defects]") {
  auto run = [](std::optional<Defect> d) {
    auto f = make(d);
    auto a = f.connect();
    f.subscribe(a, "ch");
    f.take(a);
    auto response = f.post("/events", Json{{"name", "e"}, {"data", "1"}, {"channel", "ch"}, {"socket_id", f.socket_id(a)}});
    REQUIRE(response.status == 200);
    return count_event(f.take(a), "e");
  };
  CHECK(run(std::nullopt) == 0);
  CHECK(run(Defect::kIgnoreSocketExclusion) == 1);
}

TEST_CASE("defect ignore-batch-exclusion drops socket_id from batch items only", "[defects]") {
  auto run = [](std::optional<Defect> d, bool batch) {
    auto f = make(d);
    auto a = f.connect();
    f.subscribe(a, "ch");
    f.take(a);
    Json item = {{"name", "e"}, {"data", "1"}, {"channel", "ch"}, {"socket_id", f.socket_id(a)}};
    auto response = batch ? f.post("/batch_events", Json{{"batch", Json::array({item})}}) : f.post("/events", item);
    REQUIRE(response.status == 200);
    return count_event(f.take(a), "e");
  };
  CHECK(run(std::nullopt, true) == 0);
  CHECK(run(Defect::kIgnoreBatchExclusion, true) == 1);
  CHECK(run(Defect::kIgnoreBatchExclusion, false) == 0);
}

TEST_CASE("defect member-added-per-connection announces a user's second connection", "[defects]") {
  auto run = [](std::optional<Defect> d) {
    auto f = make(d);
    auto watcher = f.connect(), tab1 = f.connect(), tab2 = f.connect();
    f.join_presence(watcher, "presence-r", "u2");
    f.join_presence(tab1, "presence-r", "u1");
    f.join_presence(tab2, "presence-r", "u1");
    return count_event(f.take(watcher), "pusher_internal:member_added");
  };
  CHECK(run(std::nullopt) == 1);
  CHECK(run(Defect::kMemberAddedPerConnection) == 2);
}

TEST_CASE("defect member-removed-on-any-leave removes a user still connected elsewhere", "[defects]") {
  auto run = [](std::optional<Defect> d) {
    auto f = make(d);
    auto watcher = f.connect(), tab1 = f.connect(), tab2 = f.connect();
    f.join_presence(watcher, "presence-r", "u2");
    f.join_presence(tab1, "presence-r", "u1");
    f.join_presence(tab2, "presence-r", "u1");
    f.take(watcher);
    f.close(tab1);
    return count_event(f.take(watcher), "pusher_internal:member_removed");
  };
  CHECK(run(std::nullopt) == 0);
  CHECK(run(Defect::kMemberRemovedOnAnyLeave) == 1);
}

TEST_CASE("defects no-channel-vacated and no-vacated-on-disconnect lose channel_vacated", "[defects]") {
  auto run = [](std::optional<Defect> d, bool disconnect) {
    auto f = make(d);
    auto a = f.connect();
    f.subscribe(a, "ch");
    disconnect ? f.close(a) : f.unsubscribe(a, "ch");
    return count_webhook(f.take_webhooks(), "channel_vacated");
  };
  CHECK(run(std::nullopt, false) == 1);
  CHECK(run(std::nullopt, true) == 1);
  CHECK(run(Defect::kNoChannelVacated, false) == 0);
  CHECK(run(Defect::kNoChannelVacated, true) == 0);
  CHECK(run(Defect::kNoVacatedOnDisconnect, false) == 1);
  CHECK(run(Defect::kNoVacatedOnDisconnect, true) == 0);
}

TEST_CASE("defect wrong-webhook-signature posts webhooks that fail verification", "[defects]") {
  auto run = [](std::optional<Defect> d) {
    EngineOptions options = test_options();
    if (d) options.defects.add(*d);
    Rng rng(1);
    Engine engine(options, {test_app()}, rng);
    engine.on_open(kSimulationEpoch, 1, kTarget);
    engine.on_text(kSimulationEpoch, 1, R"({"event":"pusher:subscribe","data":{"channel":"ch"}})");
    engine.on_tick(kSimulationEpoch);
    std::vector<bool> verdicts;
    for (const auto& output : engine.take_outputs()) {
      if (const auto* post = std::get_if<WebhookPost>(&output)) {
        verdicts.push_back(!verify_webhook(test_app().credentials(), post->headers, post->body).has_value());
      }
    }
    return verdicts;
  };
  CHECK(run(std::nullopt) == std::vector<bool>{true});
  CHECK(run(Defect::kWrongWebhookSignature) == std::vector<bool>{false});
}

TEST_CASE("defect accept-bad-channel-auth lets a wrong signature subscribe", "[defects]") {
  auto run = [](std::optional<Defect> d) {
    auto f = make(d);
    auto a = f.connect();
    f.send(a, R"({"event":"pusher:subscribe","data":{"channel":"private-x","auth":"app-key:0000"}})");
    return count_event(f.take(a), "pusher_internal:subscription_succeeded");
  };
  CHECK(run(std::nullopt) == 0);
  CHECK(run(Defect::kAcceptBadChannelAuth) == 1);
}

TEST_CASE("defect miscount-subscription-count reports one too many", "[defects]") {
  auto run = [](std::optional<Defect> d) {
    AppConfig app = test_app();
    app.subscription_count = true;
    auto f = make(d, app);
    auto a = f.connect();
    f.subscribe(a, "ch");
    for (const auto& frame : parsed(f.take(a))) {
      if (frame.value("event", "") == "pusher_internal:subscription_count") {
        return Json::parse(frame["data"].get<std::string>())["subscription_count"].get<int>();
      }
    }
    return -1;
  };
  CHECK(run(std::nullopt) == 1);
  CHECK(run(Defect::kMiscountSubscriptionCount) == 2);
}

TEST_CASE("defect drop-cache-on-subscribe answers cache_miss after a publish", "[defects]") {
  auto run = [](std::optional<Defect> d) {
    auto f = make(d);
    f.publish("cache-x", "e", "1");
    auto a = f.connect();
    f.subscribe(a, "cache-x");
    return count_event(f.take(a), "pusher:cache_miss");
  };
  CHECK(run(std::nullopt) == 0);
  CHECK(run(Defect::kDropCacheOnSubscribe) == 1);
}

TEST_CASE("defect object-member-data sends member_added data as an object", "[defects]") {
  auto run = [](std::optional<Defect> d) {
    auto f = make(d);
    auto a = f.connect(), b = f.connect();
    f.join_presence(a, "presence-r", "u1");
    f.subscribe(b, "presence-r", kBob);
    for (const auto& frame : parsed(f.take(a))) {
      if (frame.value("event", "") == "pusher_internal:member_added") return frame["data"].is_string();
    }
    FAIL("no member_added");
    return false;
  };
  CHECK(run(std::nullopt));
  CHECK_FALSE(run(Defect::kObjectMemberData));
}

TEST_CASE("defects on presence client events lose user_id in the frame or the webhook", "[defects]") {
  auto run = [](std::optional<Defect> d) {
    auto f = make(d);
    auto a = f.connect(), b = f.connect();
    f.join_presence(a, "presence-r", "u1");
    f.join_presence(b, "presence-r", "u2");
    f.take_webhooks();
    f.send(a, R"({"event":"client-typing","channel":"presence-r","data":{}})");
    bool frame_has = false, hook_has = false;
    for (const auto& frame : parsed(f.take(b))) frame_has = frame_has || frame.contains("user_id");
    for (const auto& hook : f.take_webhooks()) hook_has = hook_has || hook.contains("user_id");
    return std::pair(frame_has, hook_has);
  };
  CHECK(run(std::nullopt) == std::pair(true, true));
  CHECK(run(Defect::kNoUserIdOnClientEvent) == std::pair(false, true));
  CHECK(run(Defect::kNoUserIdInClientEventWebhook) == std::pair(true, false));
}

TEST_CASE("defect no-pong leaves pusher:ping unanswered", "[defects]") {
  auto run = [](std::optional<Defect> d) {
    auto f = make(d);
    auto a = f.connect();
    f.send(a, R"({"event":"pusher:ping","data":{}})");
    return count_event(f.take(a), "pusher:pong");
  };
  CHECK(run(std::nullopt) == 1);
  CHECK(run(Defect::kNoPong) == 0);
}

TEST_CASE("defect unsubscribe-ignored keeps delivering after unsubscribe", "[defects]") {
  auto run = [](std::optional<Defect> d) {
    auto f = make(d);
    auto a = f.connect();
    f.subscribe(a, "ch");
    f.unsubscribe(a, "ch");
    f.take(a);
    f.publish("ch", "e", "1");
    return count_event(f.take(a), "e");
  };
  CHECK(run(std::nullopt) == 0);
  CHECK(run(Defect::kUnsubscribeIgnored) == 1);
}

TEST_CASE("defect no-removal-delay turns a quick rejoin into a vacated/occupied pair", "[defects]") {
  auto run = [](std::optional<Defect> d) {
    EngineOptions options;  // the official 3 s removal delay
    if (d) options.defects.add(*d);
    RestFixture f(test_app(), options);
    auto a = f.connect();
    f.subscribe(a, "ch");
    f.advance(seconds(5));
    f.take_webhooks();
    f.unsubscribe(a, "ch");
    f.advance(ms(100));
    f.subscribe(a, "ch");
    f.advance(seconds(5));
    return count_webhook(f.take_webhooks(), "channel_vacated");
  };
  CHECK(run(std::nullopt) == 0);
  CHECK(run(Defect::kNoRemovalDelay) == 1);
}

TEST_CASE("defect stale-timestamp-accepted accepts a request signed 601 s ago", "[defects]") {
  auto run = [](std::optional<Defect> d) {
    auto f = make(d);
    auto request = f.signed_request("GET", "/apps/1/channels", {}, "", to_unix_seconds(f.now) - 601);
    return f.handle(request).status;
  };
  CHECK(run(std::nullopt) == 401);
  CHECK(run(Defect::kStaleTimestampAccepted) == 200);
}

TEST_CASE("defect member-count-after-broadcast hides a member who joined a moment before", "[defects][race]") {
  // Ids in the second joiner's subscription_succeeded, with the joins `gap` apart.
  auto ids_seen = [](std::optional<Defect> d, DurationNs gap) {
    auto f = make(d);
    auto first = f.connect(), second = f.connect();
    f.join_presence(first, "presence-r", "u1");
    f.now += gap;
    f.subscribe(second, "presence-r", R"({"user_id":"u2"})");
    std::set<std::string> ids;
    for (const auto& frame : parsed(f.take(second))) {
      if (frame.value("event", "") != "pusher_internal:subscription_succeeded") continue;
      const Json data = Json::parse(frame["data"].get<std::string>());
      for (const auto& id : data["presence"]["ids"]) ids.insert(id.get<std::string>());
    }
    return ids;
  };
  const std::set<std::string> both{"u1", "u2"};
  CHECK(ids_seen(std::nullopt, 0) == both);
  CHECK(ids_seen(Defect::kMemberCountAfterBroadcast, 0) == std::set<std::string>{"u2"});
  CHECK(ids_seen(Defect::kMemberCountAfterBroadcast, ms(1) / 2) == std::set<std::string>{"u2"});
  // Race-only: a join that comes later than the lag sees everyone, as with the reference.
  CHECK(ids_seen(Defect::kMemberCountAfterBroadcast, ms(2)) == both);
  const auto& info = all_defects().back();
  CHECK(info.defect == Defect::kMemberCountAfterBroadcast);
  CHECK(info.race_only);
  CHECK(info.race_scenario == "races.member-count-after-broadcast");
}
