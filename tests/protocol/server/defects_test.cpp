// Each deliberately broken engine variant must behave differently from the reference in the
// way its name says, or selftest would be proving nothing. Every case runs the same steps on
// the reference and on the variant and checks both outcomes.
#include <algorithm>
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
    auto response =
        f.post("/events", Json{{"name", "e"}, {"data", "1"}, {"channel", "ch"}, {"socket_id", f.socket_id(a)}});
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

TEST_CASE("defects silent-refusals and subscription-error-refusals change how a refusal reads", "[defects]") {
  auto run = [](std::optional<Defect> d) {
    auto f = make(d);
    auto a = f.connect();
    f.send(a, R"({"event":"pusher:subscribe","data":{"channel":"private-x","auth":"app-key:0000"}})");
    std::vector<std::string> events;
    for (const auto& frame : parsed(f.take(a))) events.push_back(frame.value("event", ""));
    return events;
  };
  CHECK(run(std::nullopt) == std::vector<std::string>{"pusher:error"});
  CHECK(run(Defect::kSilentRefusals).empty());
  CHECK(run(Defect::kSubscriptionErrorRefusals) == std::vector<std::string>{"pusher:subscription_error"});
}

TEST_CASE("defect announced-socket-id-mismatch announces another socket_id", "[defects]") {
  auto run = [](std::optional<Defect> d) {
    auto f = make(d);
    auto a = f.open();
    const auto frames = parsed(f.take(a));
    REQUIRE(frames.size() == 1);
    return Json::parse(frames[0]["data"].get<std::string>())["socket_id"].get<std::string>() == f.socket_id(a);
  };
  CHECK(run(std::nullopt));
  CHECK_FALSE(run(Defect::kAnnouncedSocketIdMismatch));
}

TEST_CASE("defect lists-vacated-channels keeps a left channel in GET /channels", "[defects]") {
  auto run = [](std::optional<Defect> d) {
    auto f = make(d);
    auto a = f.connect();
    f.subscribe(a, "ch");
    f.unsubscribe(a, "ch");
    return Json::parse(f.get("/channels").body)["channels"].size();
  };
  CHECK(run(std::nullopt) == 0);
  CHECK(run(Defect::kListsVacatedChannels) == 1);
}

TEST_CASE("defect cache-before-succeeded sends the cached event first", "[defects]") {
  auto run = [](std::optional<Defect> d) {
    auto f = make(d);
    f.publish("cache-x", "e", "1");
    auto a = f.connect();
    f.subscribe(a, "cache-x");
    std::vector<std::string> events;
    for (const auto& frame : parsed(f.take(a))) events.push_back(frame.value("event", ""));
    return events;
  };
  CHECK(run(std::nullopt) == std::vector<std::string>{"pusher_internal:subscription_succeeded", "e"});
  CHECK(run(Defect::kCacheBeforeSucceeded) == std::vector<std::string>{"e", "pusher_internal:subscription_succeeded"});
}

TEST_CASE("defect no-socket-id-in-client-event-webhook drops socket_id from the webhook", "[defects]") {
  auto run = [](std::optional<Defect> d) {
    auto f = make(d);
    auto a = f.connect(), b = f.connect();
    f.subscribe(a, "private-x"), f.subscribe(b, "private-x");
    f.take_webhooks();
    f.send(a, R"({"event":"client-typing","channel":"private-x","data":{}})");
    for (const auto& hook : f.take_webhooks()) {
      if (hook.value("name", "") == "client_event") return hook.value("socket_id", "");
    }
    return std::string("no webhook");
  };
  CHECK_FALSE(run(std::nullopt).empty());
  CHECK(run(std::nullopt) != "no webhook");
  CHECK(run(Defect::kNoSocketIdInClientEventWebhook).empty());
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
  const auto info = std::find_if(all_defects().begin(), all_defects().end(),
                                 [](const DefectInfo& d) { return d.defect == Defect::kMemberCountAfterBroadcast; });
  REQUIRE(info != all_defects().end());
  CHECK(info->race_only);
  CHECK(info->race_scenario == "races.member-count-after-broadcast");
}

// ---- race-only defects ------------------------------------------------------------------------
// Each shows only when a second input lands inside kRaceWindow after the first. Every case runs
// that interleaving on the reference and on the variant, and also the same inputs spaced wider
// than the window, where the variant must behave exactly like the reference.

namespace {

constexpr DurationNs kInside = kRaceWindow / 5;   // the second input lands in the window
constexpr DurationNs kOutside = kRaceWindow * 2;  // ... or after it closed

RestFixture make_with_delay(std::optional<Defect> defect, AppConfig app = test_app()) {
  EngineOptions options = test_options();
  options.webhooks.removal_delay = seconds(3);  // the official delay, which a rejoin cancels
  if (defect) options.defects.add(*defect);
  return RestFixture(std::move(app), options);
}

std::vector<std::string> webhook_names(const std::vector<Json>& hooks) {
  std::vector<std::string> out;
  for (const auto& hook : hooks) out.push_back(hook.value("name", ""));
  return out;
}

// "event:user_id" for each presence member frame, in arrival order.
std::vector<std::string> member_events(const std::vector<std::string>& frames) {
  std::vector<std::string> out;
  for (const auto& frame : parsed(frames)) {
    const std::string event = frame.value("event", "");
    if (!event.starts_with("pusher_internal:member_")) continue;
    const std::string what = event.substr(std::string_view("pusher_internal:member_").size());
    out.push_back(what + ":" + Json::parse(frame["data"].get<std::string>()).value("user_id", ""));
  }
  return out;
}

std::vector<std::string> event_data(const std::vector<std::string>& frames, const std::string& event) {
  std::vector<std::string> out;
  for (const auto& frame : parsed(frames)) {
    if (frame.value("event", "") == event) out.push_back(frame["data"].get<std::string>());
  }
  return out;
}

using Names = std::vector<std::string>;

}  // namespace

TEST_CASE("every race-only defect names a race scenario, and only those do", "[defects][race]") {
  std::size_t race_only = 0;
  for (const auto& info : all_defects()) {
    CHECK(info.race_only == !info.race_scenario.empty());
    // A race scenario, or a cluster scenario for the cluster-only ones.
    const bool cluster_only = info.summary.starts_with("cluster:");
    if (info.race_only) CHECK(info.race_scenario.starts_with(cluster_only ? "cluster." : "races."));
    race_only += info.race_only ? 1 : 0;
  }
  CHECK(race_only >= 6);
}

TEST_CASE("defect stale-vacated-count: a join inside the window is followed by channel_vacated", "[defects][race]") {
  auto run = [](std::optional<Defect> d, DurationNs join_after) {
    auto f = make_with_delay(d);
    auto a = f.connect(), b = f.connect();
    f.subscribe(a, "room");
    f.advance(seconds(1));
    f.take_webhooks();
    f.unsubscribe(a, "room");  // the last subscriber leaves ...
    f.advance(join_after);
    f.subscribe(b, "room");  // ... and somebody joins
    f.advance(seconds(5));
    return webhook_names(f.take_webhooks());
  };
  CHECK(run(std::nullopt, kInside) == Names{});  // vacated waits out its delay; the join cancels it
  CHECK(run(Defect::kStaleVacatedCount, kInside) == Names{"channel_occupied", "channel_vacated"});
  CHECK(run(std::nullopt, kOutside) == Names{});
  CHECK(run(Defect::kStaleVacatedCount, kOutside) == Names{});
}

TEST_CASE("defect late-member-removed: a rejoin inside the window is followed by member_removed", "[defects][race]") {
  auto run = [](std::optional<Defect> d, DurationNs join_after) {
    auto f = make_with_delay(d);
    auto first = f.connect(), second = f.connect(), watcher = f.connect();
    f.join_presence(first, "presence-r", "u1");
    f.join_presence(watcher, "presence-r", "u2");
    f.advance(seconds(1));
    f.take(first);
    f.take_webhooks();
    f.unsubscribe(first, "presence-r");  // u1's only connection in the channel leaves ...
    f.advance(join_after);
    f.join_presence(second, "presence-r", "u1");  // ... while u1 joins on another one
    f.advance(seconds(5));
    return std::pair(member_events(f.take(watcher)), webhook_names(f.take_webhooks()));
  };
  const Names in_order{"removed:u1", "added:u1"};
  CHECK(run(std::nullopt, kInside) == std::pair(in_order, Names{}));
  CHECK(run(Defect::kLateMemberRemoved, kInside) ==
        std::pair(Names{"added:u1", "removed:u1"}, Names{"member_added", "member_removed"}));
  CHECK(run(std::nullopt, kOutside) == std::pair(in_order, Names{}));
  CHECK(run(Defect::kLateMemberRemoved, kOutside) == std::pair(in_order, Names{}));
}

TEST_CASE("defect recycled-socket-ids: excluding a closed socket skips its id's next owner", "[defects][race]") {
  auto run = [](std::optional<Defect> d) {
    auto f = make(d);
    auto a = f.connect(), b = f.connect();
    const std::string closed_socket = f.socket_id(a);
    CHECK(f.socket_id(a) != f.socket_id(b));  // live connections never share an id
    f.close(a);
    auto c = f.connect();  // opened after a closed: the variant hands it a's id
    f.subscribe(c, "news");
    f.take(c);
    f.publish("news", "update", "{}", closed_socket);
    return count_event(f.take(c), "update");
  };
  CHECK(run(std::nullopt) == 1);
  CHECK(run(Defect::kRecycledSocketIds) == 0);
}

TEST_CASE("defect cache-written-after-fanout: a subscriber inside the window gets the old event", "[defects][race]") {
  auto run = [](std::optional<Defect> d, DurationNs subscribe_after) {
    auto f = make(d);
    f.publish("cache-x", "update", "v1");
    f.advance(seconds(1));
    auto a = f.connect();
    f.publish("cache-x", "update", "v2");
    f.advance(subscribe_after);
    f.subscribe(a, "cache-x");
    f.advance(seconds(1));
    return event_data(f.take(a), "update");
  };
  CHECK(run(std::nullopt, kInside) == Names{"v2"});
  CHECK(run(Defect::kCacheWrittenAfterFanout, kInside) == Names{"v1"});
  CHECK(run(std::nullopt, kOutside) == Names{"v2"});
  CHECK(run(Defect::kCacheWrittenAfterFanout, kOutside) == Names{"v2"});
}

TEST_CASE("defect stale-subscription-count: a join's count arrives after a newer one", "[defects][race]") {
  auto run = [](std::optional<Defect> d, DurationNs leave_after) {
    AppConfig app = test_app();
    app.subscription_count = true;
    auto f = make(d, app);
    auto a = f.connect(), b = f.connect(), c = f.connect();
    f.subscribe(a, "ch");
    f.subscribe(b, "ch");
    f.advance(seconds(1));
    f.take(a);
    f.subscribe(c, "ch");  // 3 ...
    f.advance(leave_after);
    f.unsubscribe(b, "ch");  // ... then 2
    f.advance(seconds(1));
    return subscription_counts(f.take(a));
  };
  CHECK(run(std::nullopt, kInside) == std::vector<int>{3, 2});
  CHECK(run(Defect::kStaleSubscriptionCount, kInside) == std::vector<int>{2, 3});
  CHECK(run(std::nullopt, kOutside) == std::vector<int>{3, 2});
  CHECK(run(Defect::kStaleSubscriptionCount, kOutside) == std::vector<int>{3, 2});
}

TEST_CASE("defect relay-to-unsubscribed: a client event reaches a connection after its unsubscribe",
          "[defects][race]") {
  auto run = [](std::optional<Defect> d, DurationNs unsubscribe_after) {
    auto f = make(d);
    auto a = f.connect(), b = f.connect();
    f.subscribe(a, "private-x");
    f.subscribe(b, "private-x");
    f.advance(seconds(1));
    f.take(a);
    f.send(b, R"({"event":"client-typing","channel":"private-x","data":{}})");
    f.advance(unsubscribe_after);
    const std::size_t before = count_event(f.take(a), "client-typing");
    f.unsubscribe(a, "private-x");
    f.advance(seconds(1));
    return std::pair(before, count_event(f.take(a), "client-typing"));
  };
  using Counts = std::pair<std::size_t, std::size_t>;  // relayed before / after a's unsubscribe
  CHECK(run(std::nullopt, kInside) == Counts{1, 0});
  CHECK(run(Defect::kRelayToUnsubscribed, kInside) == Counts{0, 1});
  CHECK(run(std::nullopt, kOutside) == Counts{1, 0});
  CHECK(run(Defect::kRelayToUnsubscribed, kOutside) == Counts{1, 0});
}

TEST_CASE("defect restamped-webhook-retry: a retried member_added reads as newer than the removal", "[defects][race]") {
  // Drives the engine's webhook outputs by hand: the fixture answers every POST 200, and here
  // the first POST of u2's member_added must fail.
  auto run = [](std::optional<Defect> d) {
    EngineOptions options = test_options();
    if (d) options.defects.add(*d);
    RestFixture f(test_app(), options);
    std::map<std::string, std::int64_t> time_ms;  // "name:user_id" -> time_ms of its accepted POST
    bool failed_once = false;
    auto answer_posts = [&] {
      for (auto& output : f.engine.take_outputs()) {
        auto* post = std::get_if<WebhookPost>(&output);
        if (post == nullptr) continue;
        const Json body = Json::parse(post->body);
        const Json& event = body["events"][0];
        const std::string key = event.value("name", "") + ":" + event.value("user_id", "");
        const bool fail = key == "member_added:u2" && !failed_once;
        failed_once = failed_once || fail;
        if (!fail) time_ms[key] = body["time_ms"].get<std::int64_t>();
        f.engine.on_webhook_response(f.now, post->delivery_id, fail ? 500 : 200);
      }
    };
    auto a = f.connect(), b = f.connect();
    f.engine.on_text(f.now, a, f.subscribe_frame(a, "presence-r", kAlice).dump());
    f.engine.on_text(f.now, b, f.subscribe_frame(b, "presence-r", kBob).dump());
    f.engine.on_tick(f.now);
    answer_posts();  // u2's member_added fails and waits for its retry
    f.now += ms(500);
    f.engine.on_closed(f.now, b);  // member_removed u2, created after member_added
    for (int i = 0; i < 10; ++i) {
      f.now += ms(500);
      f.engine.on_tick(f.now);
      answer_posts();
    }
    REQUIRE(time_ms.count("member_added:u2") == 1);
    REQUIRE(time_ms.count("member_removed:u2") == 1);
    return time_ms["member_added:u2"] < time_ms["member_removed:u2"];
  };
  CHECK(run(std::nullopt));
  CHECK_FALSE(run(Defect::kRestampedWebhookRetry));
}

namespace {

AppConfig counted_app() {
  AppConfig app = test_app();
  app.subscription_count = true;
  return app;
}

// 102 connections on "crowd" (the 101st opened the throttle's window, the 102nd is held), then
// `after` of virtual time: the counts the first subscriber got and the subscription_count
// webhooks, from the 101st subscribe on.
std::pair<std::vector<int>, std::vector<int>> crowd_counts(std::optional<Defect> d, DurationNs after) {
  auto f = make(d, counted_app());
  std::vector<ConnectionId> ids;
  for (int i = 0; i < 100; ++i) {
    ids.push_back(f.connect());
    f.subscribe(ids.back(), "crowd");
  }
  f.take(ids.front());
  f.take_webhooks();
  for (int i = 0; i < 2; ++i) f.subscribe(f.connect(), "crowd");
  f.advance(after);
  std::vector<int> hooks;
  for (const auto& hook : f.take_webhooks()) {
    if (hook.value("name", "") == "subscription_count") hooks.push_back(hook["subscription_count"].get<int>());
  }
  return {subscription_counts(f.take(ids.front())), hooks};
}

}  // namespace

TEST_CASE("defect subscription-count-unthrottled sends every change above 100 subscribers at once", "[defects]") {
  using Counts = std::pair<std::vector<int>, std::vector<int>>;
  CHECK(crowd_counts(std::nullopt, 0) == Counts{{101}, {101}});
  CHECK(crowd_counts(Defect::kSubscriptionCountUnthrottled, 0) == Counts{{101, 102}, {101, 102}});
}

TEST_CASE("defect throttled-count-dropped never sends the count held until the window's end", "[defects]") {
  using Counts = std::pair<std::vector<int>, std::vector<int>>;
  CHECK(crowd_counts(std::nullopt, seconds(5)) == Counts{{101, 102}, {101, 102}});
  CHECK(crowd_counts(Defect::kThrottledCountDropped, seconds(5)) == Counts{{101}, {101}});
  CHECK(crowd_counts(Defect::kThrottledCountDropped, seconds(60)) == Counts{{101}, {101}});
}

TEST_CASE("defect subscription-count-on-presence counts presence subscriptions", "[defects]") {
  auto run = [](std::optional<Defect> d) {
    auto f = make(d, counted_app());
    auto a = f.connect();
    auto b = f.connect();
    f.join_presence(a, "presence-room", "u1");
    f.join_presence(b, "presence-room", "u2");
    return std::pair(subscription_counts(f.take(a)), count_webhook(f.take_webhooks(), "subscription_count"));
  };
  CHECK(run(std::nullopt) == std::pair(std::vector<int>{}, std::size_t{0}));
  CHECK(run(Defect::kSubscriptionCountOnPresence) == std::pair(std::vector<int>{2}, std::size_t{2}));
}

TEST_CASE("defect publish-info-without-subscription-count leaves the count out of publish info", "[defects]") {
  auto run = [](std::optional<Defect> d) {
    auto f = make(d, counted_app());
    f.subscribe(f.connect(), "ch");
    const Json item = {{"name", "e"}, {"data", "1"}, {"channel", "ch"}, {"info", "subscription_count"}};
    return std::pair(f.post("/events", item).body, f.post("/batch_events", Json{{"batch", Json::array({item})}}).body);
  };
  CHECK(run(std::nullopt) == std::pair(std::string(R"({"channels":{"ch":{"subscription_count":1}}})"),
                                       std::string(R"({"batch":[{"subscription_count":1}]})")));
  CHECK(run(Defect::kPublishInfoWithoutSubscriptionCount) ==
        std::pair(std::string(R"({"channels":{"ch":{}}})"), std::string(R"({"batch":[{}]})")));
}
