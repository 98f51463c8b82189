#include <catch2/catch.hpp>

#include <functional>

#include "protocol/server/webhook_dispatcher.hpp"
#include "protocol/webhook_events.hpp"

using pushsim::test::event;

using namespace pushsim;

namespace {

constexpr TimeNs kT0 = kSimulationEpoch;
constexpr std::int64_t kT0Ms = 1'700'000'000'000;
constexpr int kNoAnswer = -1;

WebhookApp make_app(std::vector<WebhookConfig> hooks, bool batch = false, std::string id = "1") {
  return WebhookApp{{id, "app-key", "app-secret"}, std::move(hooks), batch};
}
WebhookApp one_hook_app() { return make_app({{"http://hook/a", {}}}); }

WebhookEvent occupied(std::string channel) { return event("channel_occupied", std::move(channel)); }
WebhookEvent vacated(std::string channel) { return event("channel_vacated", std::move(channel)); }
WebhookEvent added(std::string channel, std::string user) { return event("member_added", std::move(channel), user); }
WebhookEvent removed(std::string channel, std::string user) {
  return event("member_removed", std::move(channel), user);
}

std::vector<WebhookPost> tick(WebhookDispatcher& d, TimeNs now) {
  std::vector<WebhookPost> out;
  d.on_tick(now, out);
  return out;
}

std::vector<std::string> bodies(const std::vector<WebhookPost>& posts) {
  std::vector<std::string> out;
  for (const auto& p : posts) out.push_back(p.body);
  return out;
}

struct Sent {
  TimeNs at;
  WebhookPost post;
};

// Drives the dispatcher as a simulator would: tick at each deadline up to `end`, answering each
// post at once with responder(post), or never when it returns kNoAnswer.
std::vector<Sent> run(WebhookDispatcher& d, TimeNs end, const std::function<int(const WebhookPost&)>& responder) {
  std::vector<Sent> sent;
  for (int steps = 0; steps < 10'000; ++steps) {
    auto next = d.next_deadline();
    if (!next || *next > end) break;
    for (auto& post : tick(d, *next)) {
      const int status = responder(post);
      if (status != kNoAnswer) d.on_response(*next, post.delivery_id, status);
      sent.push_back({*next, std::move(post)});
    }
  }
  return sent;
}

std::vector<std::int64_t> offsets_s(const std::vector<Sent>& sent) {
  std::vector<std::int64_t> out;
  for (const auto& s : sent) out.push_back((s.at - kT0) / kNsPerSecond);
  return out;
}

}  // namespace

// --- envelope ------------------------------------------------------------------------------

TEST_CASE("an event is posted at once with the exact headers, body and a valid signature", "[webhook_dispatcher]") {
  WebhookDispatcher d{WebhookPolicy{}};
  d.emit(kT0, one_hook_app(), occupied("my-channel"));
  auto posts = tick(d, kT0);
  REQUIRE(posts.size() == 1);
  const auto& post = posts[0];
  const std::string body = R"({"time_ms":1700000000000,"events":[{"channel":"my-channel","name":"channel_occupied"}]})";
  CHECK(post.delivery_id == 1);
  CHECK(post.app_id == "1");
  CHECK(post.url == "http://hook/a");
  CHECK(post.attempt == 1);
  CHECK(post.body == body);
  CHECK(post.headers == std::vector<Header>{{"Content-Type", "application/json"},
                                            {"X-Pusher-Key", "app-key"},
                                            {"X-Pusher-Signature", hmac_sha256_hex("app-secret", body)}});
  CHECK(verify_webhook({"1", "app-key", "app-secret"}, post.headers, post.body) == std::nullopt);
  CHECK(verify_webhook({"1", "app-key", "other-secret"}, post.headers, post.body).has_value());
}

TEST_CASE("time_ms is the emission time in milliseconds", "[webhook_dispatcher]") {
  WebhookDispatcher d{WebhookPolicy{}};
  d.emit(kT0 + ms(1234) + 999, one_hook_app(), added("presence-room", "u1"));
  CHECK(
      bodies(tick(d, kT0 + ms(1234) + 999)) ==
      std::vector<std::string>{
          R"({"time_ms":1700000001234,"events":[{"channel":"presence-room","name":"member_added","user_id":"u1"}]})"});
}

TEST_CASE("client_event webhooks carry the relayed event fields", "[webhook_dispatcher]") {
  WebhookDispatcher d{WebhookPolicy{}};
  WebhookEvent e{"client_event", "presence-room", "u1", "client-typing", Json{{"x", 1}}, "123.456", std::nullopt};
  d.emit(kT0, one_hook_app(), e);
  CHECK(bodies(tick(d, kT0)) ==
        std::vector<std::string>{
            R"({"time_ms":1700000000000,"events":[{"channel":"presence-room","data":{"x":1},)"
            R"("event":"client-typing","name":"client_event","socket_id":"123.456","user_id":"u1"}]})"});
}

// --- filtering ------------------------------------------------------------------------------

TEST_CASE("an event goes to every URL that wants it, in config order, once per URL", "[webhook_dispatcher]") {
  auto app = make_app({{"http://hook/a", {"channel_occupied"}},
                       {"http://hook/b", {"member_added"}},
                       {"http://hook/c", {}},
                       {"http://hook/a", {}}});  // a again: still one POST to a
  WebhookDispatcher d{WebhookPolicy{}};
  d.emit(kT0, app, occupied("ch"));
  auto posts = tick(d, kT0);
  REQUIRE(posts.size() == 2);
  CHECK(posts[0].url == "http://hook/a");
  CHECK(posts[0].delivery_id == 1);
  CHECK(posts[1].url == "http://hook/c");
  CHECK(posts[1].delivery_id == 2);
  CHECK(posts[0].body == posts[1].body);
}

TEST_CASE("an event no config wants is neither posted nor kept", "[webhook_dispatcher]") {
  WebhookDispatcher d{WebhookPolicy{}};
  d.emit(kT0, make_app({{"http://hook/a", {"member_added"}}}), occupied("ch"));
  CHECK(d.pending() == 0);
  CHECK(d.next_deadline() == std::nullopt);
  CHECK(tick(d, kT0).empty());
}

TEST_CASE("without batching each event is its own POST, in emission order", "[webhook_dispatcher]") {
  WebhookDispatcher d{WebhookPolicy{}};
  d.emit(kT0, one_hook_app(), occupied("b"));
  d.emit(kT0, one_hook_app(), occupied("a"));
  d.emit(kT0, one_hook_app(), added("presence-a", "u1"));
  CHECK(bodies(tick(d, kT0)) ==
        std::vector<std::string>{
            R"({"time_ms":1700000000000,"events":[{"channel":"b","name":"channel_occupied"}]})",
            R"({"time_ms":1700000000000,"events":[{"channel":"a","name":"channel_occupied"}]})",
            R"({"time_ms":1700000000000,"events":[{"channel":"presence-a","name":"member_added","user_id":"u1"}]})"});
}

// --- delayed removals and cancellation ----------------------------------------------------

TEST_CASE("channel_vacated waits removal_delay and keeps its creation time", "[webhook_dispatcher]") {
  WebhookDispatcher d{WebhookPolicy{}};
  d.emit(kT0, one_hook_app(), vacated("ch"));
  CHECK(tick(d, kT0).empty());
  CHECK(d.next_deadline() == kT0 + seconds(3));
  CHECK(tick(d, kT0 + seconds(3) - 1).empty());
  CHECK(bodies(tick(d, kT0 + seconds(3))) ==
        std::vector<std::string>{R"({"time_ms":1700000000000,"events":[{"channel":"ch","name":"channel_vacated"}]})"});
}

TEST_CASE("vacated then occupied within the delay sends nothing at all", "[webhook_dispatcher]") {
  WebhookDispatcher d{WebhookPolicy{}};
  d.emit(kT0, one_hook_app(), vacated("ch"));
  d.emit(kT0 + seconds(2), one_hook_app(), occupied("ch"));
  CHECK(d.pending() == 0);
  CHECK(d.next_deadline() == std::nullopt);
  CHECK(tick(d, kT0 + seconds(10)).empty());
}

TEST_CASE("vacated then occupied after the delay sends both, in order", "[webhook_dispatcher]") {
  WebhookDispatcher d{WebhookPolicy{}};
  d.emit(kT0, one_hook_app(), vacated("ch"));
  auto first = tick(d, kT0 + seconds(3));
  d.emit(kT0 + seconds(4), one_hook_app(), occupied("ch"));
  auto second = tick(d, kT0 + seconds(4));
  CHECK(bodies(first) ==
        std::vector<std::string>{R"({"time_ms":1700000000000,"events":[{"channel":"ch","name":"channel_vacated"}]})"});
  CHECK(bodies(second) ==
        std::vector<std::string>{R"({"time_ms":1700000004000,"events":[{"channel":"ch","name":"channel_occupied"}]})"});
}

TEST_CASE("an occupied arriving exactly when the delay ends no longer cancels", "[webhook_dispatcher]") {
  WebhookDispatcher d{WebhookPolicy{}};
  d.emit(kT0, one_hook_app(), vacated("ch"));
  d.emit(kT0 + seconds(3), one_hook_app(), occupied("ch"));  // the driver had not ticked yet
  auto posts = tick(d, kT0 + seconds(3));
  REQUIRE(posts.size() == 2);
  CHECK(posts[0].body == R"({"time_ms":1700000000000,"events":[{"channel":"ch","name":"channel_vacated"}]})");
  CHECK(posts[1].body == R"({"time_ms":1700000003000,"events":[{"channel":"ch","name":"channel_occupied"}]})");
}

TEST_CASE("occupied of another channel or another app does not cancel a pending vacated", "[webhook_dispatcher]") {
  WebhookDispatcher d{WebhookPolicy{}};
  d.emit(kT0, one_hook_app(), vacated("ch"));
  d.emit(kT0 + seconds(1), one_hook_app(), occupied("other"));
  d.emit(kT0 + seconds(1), make_app({{"http://hook/a", {}}}, false, "2"), occupied("ch"));
  auto early = tick(d, kT0 + seconds(1));
  REQUIRE(early.size() == 2);
  CHECK(early[0].app_id == "1");
  CHECK(early[0].body == R"({"time_ms":1700000001000,"events":[{"channel":"other","name":"channel_occupied"}]})");
  CHECK(early[1].app_id == "2");
  CHECK(bodies(tick(d, kT0 + seconds(3))) ==
        std::vector<std::string>{R"({"time_ms":1700000000000,"events":[{"channel":"ch","name":"channel_vacated"}]})"});
}

TEST_CASE("member_added cancels a pending member_removed of the same user only", "[webhook_dispatcher]") {
  WebhookDispatcher d{WebhookPolicy{}};
  d.emit(kT0, one_hook_app(), removed("presence-room", "u1"));
  d.emit(kT0, one_hook_app(), removed("presence-room", "u2"));
  d.emit(kT0 + seconds(1), one_hook_app(), added("presence-room", "u1"));   // cancels u1's pair
  d.emit(kT0 + seconds(1), one_hook_app(), added("presence-other", "u2"));  // other channel: kept
  CHECK(d.pending() == 2);
  CHECK(
      bodies(tick(d, kT0 + seconds(3))) ==
      std::vector<std::string>{
          R"({"time_ms":1700000001000,"events":[{"channel":"presence-other","name":"member_added","user_id":"u2"}]})",
          R"({"time_ms":1700000000000,"events":[{"channel":"presence-room","name":"member_removed","user_id":"u2"}]})"});
}

TEST_CASE("a quick presence rejoin cancels both the member and the channel pairs", "[webhook_dispatcher]") {
  WebhookDispatcher d{WebhookPolicy{}};
  d.emit(kT0, one_hook_app(), removed("presence-room", "u1"));
  d.emit(kT0, one_hook_app(), vacated("presence-room"));
  d.emit(kT0 + ms(500), one_hook_app(), occupied("presence-room"));
  d.emit(kT0 + ms(500), one_hook_app(), added("presence-room", "u1"));
  CHECK(d.pending() == 0);
  CHECK(tick(d, kT0 + seconds(5)).empty());
}

TEST_CASE("a vacated no config wants still cancels the occupied one does", "[webhook_dispatcher]") {
  WebhookDispatcher d{WebhookPolicy{}};
  auto app = make_app({{"http://hook/a", {"channel_occupied"}}});
  d.emit(kT0, app, vacated("ch"));
  d.emit(kT0 + seconds(1), app, occupied("ch"));
  CHECK(tick(d, kT0 + seconds(5)).empty());
}

TEST_CASE("a zero removal delay sends removals at once and nothing cancels them", "[webhook_dispatcher]") {
  WebhookPolicy policy;
  policy.removal_delay = 0;
  WebhookDispatcher d{policy};
  d.emit(kT0, one_hook_app(), vacated("ch"));
  d.emit(kT0, one_hook_app(), occupied("ch"));
  CHECK(bodies(tick(d, kT0)) ==
        std::vector<std::string>{R"({"time_ms":1700000000000,"events":[{"channel":"ch","name":"channel_vacated"}]})",
                                 R"({"time_ms":1700000000000,"events":[{"channel":"ch","name":"channel_occupied"}]})"});
}

TEST_CASE("events emitted after a delayed removal but due before it go out first", "[webhook_dispatcher]") {
  WebhookDispatcher d{WebhookPolicy{}};
  d.emit(kT0, one_hook_app(), vacated("a"));
  d.emit(kT0 + seconds(1), one_hook_app(), occupied("b"));
  auto posts = run(d, kT0 + seconds(10), [](const WebhookPost&) { return 200; });
  REQUIRE(posts.size() == 2);
  CHECK(offsets_s(posts) == std::vector<std::int64_t>{1, 3});
  CHECK(posts[0].post.body == R"({"time_ms":1700000001000,"events":[{"channel":"b","name":"channel_occupied"}]})");
  CHECK(posts[1].post.body == R"({"time_ms":1700000000000,"events":[{"channel":"a","name":"channel_vacated"}]})");
}

// --- batching -------------------------------------------------------------------------------

TEST_CASE("a batching app sends events due within the window in one POST at its end", "[webhook_dispatcher]") {
  WebhookDispatcher d{WebhookPolicy{}};
  auto app = make_app({{"http://hook/a", {}}}, /*batch=*/true);
  d.emit(kT0, app, occupied("a"));
  d.emit(kT0 + ms(20), app, added("presence-b", "u1"));
  d.emit(kT0 + ms(50), app, occupied("c"));  // exactly at the window's end: still in
  d.emit(kT0 + ms(51), app, occupied("d"));  // next batch
  CHECK(d.next_deadline() == kT0 + ms(50));
  CHECK(tick(d, kT0 + ms(49)).empty());
  CHECK(bodies(tick(d, kT0 + ms(50))) ==
        std::vector<std::string>{R"({"time_ms":1700000000000,"events":[{"channel":"a","name":"channel_occupied"},)"
                                 R"({"channel":"presence-b","name":"member_added","user_id":"u1"},)"
                                 R"({"channel":"c","name":"channel_occupied"}]})"});
  CHECK(d.next_deadline() == kT0 + ms(101));
  CHECK(bodies(tick(d, kT0 + ms(101))) ==
        std::vector<std::string>{R"({"time_ms":1700000000051,"events":[{"channel":"d","name":"channel_occupied"}]})"});
}

TEST_CASE("a batch is filtered per URL, each endpoint gets only what it asked for", "[webhook_dispatcher]") {
  // soketi #836: batched webhooks reached endpoints whose filters only part of the batch passed.
  auto app = make_app({{"http://hook/occupancy", {"channel_occupied", "channel_vacated"}},
                       {"http://hook/members", {"member_added"}},
                       {"http://hook/all", {}},
                       {"http://hook/client", {"client_event"}}},
                      /*batch=*/true);
  WebhookDispatcher d{WebhookPolicy{}};
  d.emit(kT0, app, occupied("presence-room"));
  d.emit(kT0 + ms(10), app, added("presence-room", "u1"));
  auto posts = tick(d, kT0 + ms(50));
  REQUIRE(posts.size() == 3);
  CHECK(posts[0].url == "http://hook/occupancy");
  CHECK(posts[0].body ==
        R"({"time_ms":1700000000000,"events":[{"channel":"presence-room","name":"channel_occupied"}]})");
  CHECK(posts[1].url == "http://hook/members");
  CHECK(posts[1].body ==
        R"({"time_ms":1700000000000,"events":[{"channel":"presence-room","name":"member_added","user_id":"u1"}]})");
  CHECK(posts[2].url == "http://hook/all");
  CHECK(posts[2].body == R"({"time_ms":1700000000000,"events":[{"channel":"presence-room","name":"channel_occupied"},)"
                         R"({"channel":"presence-room","name":"member_added","user_id":"u1"}]})");
  for (const auto& p : posts) CHECK(verify_webhook({"1", "app-key", "app-secret"}, p.headers, p.body) == std::nullopt);
}

TEST_CASE("the broken variant filters a batch by its first event and posts it whole", "[webhook_dispatcher]") {
  // Defect::kWebhookFilterFirstEvent, soketi #836 as REPORTED-BUGS 13 describes it.
  auto app = make_app({{"http://hook/occupancy", {"channel_occupied"}}, {"http://hook/members", {"member_added"}}},
                      /*batch=*/true);
  WebhookPolicy policy;
  policy.filter_by_first_event = true;
  WebhookDispatcher d{policy};
  d.emit(kT0, app, occupied("presence-room"));
  d.emit(kT0 + ms(10), app, added("presence-room", "u1"));
  auto posts = tick(d, kT0 + ms(50));
  REQUIRE(posts.size() == 1);  // the members endpoint gets nothing
  CHECK(posts[0].url == "http://hook/occupancy");
  CHECK(posts[0].body.find("member_added") != std::string::npos);  // an event its filter refuses
}

TEST_CASE("the broken variant that ignores filters posts every event to every endpoint", "[webhook_dispatcher]") {
  auto app = make_app({{"http://hook/occupancy", {"channel_occupied"}}, {"http://hook/members", {"member_added"}}});
  WebhookPolicy policy;
  policy.ignore_filters = true;
  WebhookDispatcher d{policy};
  d.emit(kT0, app, added("presence-room", "u1"));
  auto posts = tick(d, kT0);
  REQUIRE(posts.size() == 2);
  CHECK(posts[0].url == "http://hook/occupancy");
  CHECK(posts[1].url == "http://hook/members");
}

TEST_CASE("batches are per app: two batching apps never share a POST", "[webhook_dispatcher]") {
  WebhookDispatcher d{WebhookPolicy{}};
  d.emit(kT0, make_app({{"http://hook/a", {}}}, true, "1"), occupied("x"));
  d.emit(kT0 + ms(1), make_app({{"http://hook/a", {}}}, true, "2"), occupied("y"));
  auto first = tick(d, kT0 + ms(50));
  REQUIRE(first.size() == 1);
  CHECK(first[0].app_id == "1");
  CHECK(first[0].body == R"({"time_ms":1700000000000,"events":[{"channel":"x","name":"channel_occupied"}]})");
  auto second = tick(d, kT0 + ms(51));
  REQUIRE(second.size() == 1);
  CHECK(second[0].app_id == "2");
  CHECK(second[0].body == R"({"time_ms":1700000000001,"events":[{"channel":"y","name":"channel_occupied"}]})");
}

TEST_CASE("a delayed removal joins the batch of the time it falls due", "[webhook_dispatcher]") {
  WebhookDispatcher d{WebhookPolicy{}};
  auto app = make_app({{"http://hook/a", {}}}, true);
  d.emit(kT0, app, vacated("a"));
  d.emit(kT0 + seconds(3) + ms(10), app, occupied("b"));
  CHECK(tick(d, kT0 + seconds(3) + ms(49)).empty());
  CHECK(bodies(tick(d, kT0 + seconds(3) + ms(50))) ==
        std::vector<std::string>{R"({"time_ms":1700000000000,"events":[{"channel":"a","name":"channel_vacated"},)"
                                 R"({"channel":"b","name":"channel_occupied"}]})"});
}

// --- retries --------------------------------------------------------------------------------

TEST_CASE("a failing receiver sees retries with doubling back-off and the same body", "[webhook_dispatcher]") {
  WebhookDispatcher d{WebhookPolicy{}};
  d.emit(kT0, one_hook_app(), occupied("ch"));
  auto sent = run(d, kT0 + seconds(40), [](const WebhookPost&) { return 500; });
  CHECK(offsets_s(sent) == std::vector<std::int64_t>{0, 1, 3, 7, 15, 31});
  for (std::size_t i = 0; i < sent.size(); ++i) {
    CHECK(sent[i].post.attempt == static_cast<int>(i) + 1);
    CHECK(sent[i].post.delivery_id == i + 1);
    CHECK(sent[i].post.body == sent[0].post.body);
    CHECK(sent[i].post.headers == sent[0].post.headers);
    CHECK(sent[i].post.url == "http://hook/a");
  }
}

TEST_CASE("the back-off stops doubling at retry_max_backoff", "[webhook_dispatcher]") {
  WebhookPolicy policy;
  policy.retry_max_backoff = seconds(5);
  WebhookDispatcher d{policy};
  d.emit(kT0, one_hook_app(), occupied("ch"));
  auto sent = run(d, kT0 + seconds(30), [](const WebhookPost&) { return 503; });
  CHECK(offsets_s(sent) == std::vector<std::int64_t>{0, 1, 3, 7, 12, 17, 22, 27});
}

TEST_CASE("retries stop once the retry window has passed since the first attempt", "[webhook_dispatcher]") {
  WebhookPolicy policy;
  policy.retry_window = seconds(10);
  WebhookDispatcher d{policy};
  d.emit(kT0, one_hook_app(), occupied("ch"));
  auto sent = run(d, kT0 + seconds(1000), [](const WebhookPost&) { return 500; });
  // Failures at 0, 1, 3 and 7 s are inside the window and retried; the one at 15 s is not.
  CHECK(offsets_s(sent) == std::vector<std::int64_t>{0, 1, 3, 7, 15});
  CHECK(d.in_flight() == 0);
  CHECK(d.next_deadline() == std::nullopt);
}

TEST_CASE("the default window retries for five minutes and then gives up", "[webhook_dispatcher]") {
  WebhookDispatcher d{WebhookPolicy{}};
  d.emit(kT0, one_hook_app(), occupied("ch"));
  auto sent = run(d, kT0 + seconds(3600), [](const WebhookPost&) { return 500; });
  // 0,1,3,7,15,31,63 then every 60 s: 123,...,303; 303 is past 300 s, so the last.
  REQUIRE(sent.size() == 11);
  CHECK(offsets_s(sent).back() == 303);
  CHECK(d.next_deadline() == std::nullopt);
}

TEST_CASE("a zero retry window means a single attempt", "[webhook_dispatcher]") {
  WebhookPolicy policy;
  policy.retry_window = 0;
  WebhookDispatcher d{policy};
  d.emit(kT0, one_hook_app(), occupied("ch"));
  auto sent = run(d, kT0 + seconds(100), [](const WebhookPost&) { return 500; });
  CHECK(sent.size() == 1);
}

TEST_CASE("max_attempts bounds retries even with a zero back-off", "[webhook_dispatcher]") {
  WebhookPolicy policy;
  policy.retry_initial_backoff = 0;
  policy.retry_max_backoff = 0;
  policy.max_attempts = 4;
  WebhookDispatcher d{policy};
  d.emit(kT0, one_hook_app(), occupied("ch"));
  auto sent = run(d, kT0 + seconds(1), [](const WebhookPost&) { return 500; });
  CHECK(offsets_s(sent) == std::vector<std::int64_t>{0, 0, 0, 0});
  CHECK(d.next_deadline() == std::nullopt);
}

TEST_CASE("no answer within response_timeout counts as a failure", "[webhook_dispatcher]") {
  WebhookDispatcher d{WebhookPolicy{}};
  d.emit(kT0, one_hook_app(), occupied("ch"));
  REQUIRE(tick(d, kT0).size() == 1);
  CHECK(d.in_flight() == 1);
  CHECK(d.next_deadline() == kT0 + seconds(10));
  CHECK(tick(d, kT0 + seconds(10)).empty());
  CHECK(d.in_flight() == 0);
  CHECK(d.next_deadline() == kT0 + seconds(11));
  auto retry = tick(d, kT0 + seconds(11));
  REQUIRE(retry.size() == 1);
  CHECK(retry[0].attempt == 2);
  CHECK(retry[0].delivery_id == 2);
}

TEST_CASE("a receiver that never answers is retried after each timeout", "[webhook_dispatcher]") {
  WebhookDispatcher d{WebhookPolicy{}};
  d.emit(kT0, one_hook_app(), occupied("ch"));
  auto sent = run(d, kT0 + seconds(60), [](const WebhookPost&) { return kNoAnswer; });
  // post at t, timeout at t+10, retry after back-off: 0, 11, 23, 37, 55.
  CHECK(offsets_s(sent) == std::vector<std::int64_t>{0, 11, 23, 37, 55});
}

TEST_CASE("status 0 (no connection) is a failure like any non-2xx", "[webhook_dispatcher]") {
  for (int status : {0, 199, 301, 404, 500}) {
    WebhookDispatcher d{WebhookPolicy{}};
    d.emit(kT0, one_hook_app(), occupied("ch"));
    auto posts = tick(d, kT0);
    d.on_response(kT0 + ms(5), posts.at(0).delivery_id, status);
    CHECK(d.next_deadline() == kT0 + ms(5) + seconds(1));
  }
}

TEST_CASE("a 2xx answer ends the delivery, even after failures", "[webhook_dispatcher]") {
  for (int status : {200, 202, 204, 299}) {
    WebhookDispatcher d{WebhookPolicy{}};
    d.emit(kT0, one_hook_app(), occupied("ch"));
    int answers = 0;
    auto sent = run(d, kT0 + seconds(600), [&](const WebhookPost&) { return ++answers < 3 ? 500 : status; });
    CHECK(offsets_s(sent) == std::vector<std::int64_t>{0, 1, 3});
    CHECK(d.in_flight() == 0);
    CHECK(d.next_deadline() == std::nullopt);
  }
}

TEST_CASE("a late answer to a timed-out delivery is ignored and the retry still goes", "[webhook_dispatcher]") {
  WebhookDispatcher d{WebhookPolicy{}};
  d.emit(kT0, one_hook_app(), occupied("ch"));
  auto first = tick(d, kT0);
  CHECK(tick(d, kT0 + seconds(10)).empty());
  d.on_response(kT0 + seconds(10) + ms(1), first.at(0).delivery_id, 200);
  CHECK(d.next_deadline() == kT0 + seconds(11));
  auto retry = tick(d, kT0 + seconds(11));
  REQUIRE(retry.size() == 1);
  CHECK(retry[0].attempt == 2);
  d.on_response(kT0 + seconds(12), first.at(0).delivery_id, 200);  // the old id, again
  CHECK(d.in_flight() == 1);
  d.on_response(kT0 + seconds(12), retry[0].delivery_id, 200);
  CHECK(d.in_flight() == 0);
  CHECK(d.next_deadline() == std::nullopt);
}

TEST_CASE("an answer arriving at the response deadline counts as a timeout", "[webhook_dispatcher]") {
  WebhookDispatcher d{WebhookPolicy{}};
  d.emit(kT0, one_hook_app(), occupied("ch"));
  auto first = tick(d, kT0);
  d.on_response(kT0 + seconds(10), first.at(0).delivery_id, 200);
  CHECK(d.in_flight() == 1);
  CHECK(tick(d, kT0 + seconds(10)).empty());
  CHECK(d.next_deadline() == kT0 + seconds(11));
}

TEST_CASE("unknown and repeated delivery ids are ignored", "[webhook_dispatcher]") {
  WebhookDispatcher d{WebhookPolicy{}};
  d.on_response(kT0, 42, 500);
  CHECK(d.next_deadline() == std::nullopt);
  d.emit(kT0, one_hook_app(), occupied("ch"));
  auto posts = tick(d, kT0);
  d.on_response(kT0, 42, 200);
  CHECK(d.in_flight() == 1);
  d.on_response(kT0 + ms(1), posts.at(0).delivery_id, 500);
  d.on_response(kT0 + ms(2), posts.at(0).delivery_id, 200);  // too late: already failed
  CHECK(d.in_flight() == 0);
  CHECK(d.next_deadline() == kT0 + ms(1) + seconds(1));
}

TEST_CASE("a tick long after a timeout keeps the retry schedule of the deadline", "[webhook_dispatcher]") {
  WebhookDispatcher d{WebhookPolicy{}};
  d.emit(kT0, one_hook_app(), occupied("ch"));
  REQUIRE(tick(d, kT0).size() == 1);
  // The timeout happened at 10 s and the retry was due at 11 s: both are caught up at once.
  auto posts = tick(d, kT0 + seconds(20));
  REQUIRE(posts.size() == 1);
  CHECK(posts[0].attempt == 2);
  CHECK(d.next_deadline() == kT0 + seconds(30));
}

TEST_CASE("retries and new events due together go out in time order", "[webhook_dispatcher]") {
  WebhookDispatcher d{WebhookPolicy{}};
  d.emit(kT0, one_hook_app(), occupied("a"));
  auto first = tick(d, kT0);
  d.on_response(kT0, first.at(0).delivery_id, 500);  // retry due at 1 s
  d.emit(kT0 + ms(500), one_hook_app(), occupied("b"));
  d.emit(kT0 + seconds(1), one_hook_app(), occupied("c"));
  auto posts = tick(d, kT0 + seconds(2));
  REQUIRE(posts.size() == 3);
  CHECK(posts[0].body == R"({"time_ms":1700000000500,"events":[{"channel":"b","name":"channel_occupied"}]})");
  CHECK(posts[1].attempt == 2);
  CHECK(posts[1].body == first[0].body);
  CHECK(posts[2].body == R"({"time_ms":1700000001000,"events":[{"channel":"c","name":"channel_occupied"}]})");
  CHECK(posts[0].delivery_id == 2);
  CHECK(posts[1].delivery_id == 3);
  CHECK(posts[2].delivery_id == 4);
}

// --- determinism and bookkeeping ------------------------------------------------------------

TEST_CASE("the same inputs give byte-identical posts", "[webhook_dispatcher]") {
  auto scenario = [] {
    WebhookDispatcher d{WebhookPolicy{}};
    auto batching = make_app({{"http://hook/x", {"member_added"}}, {"http://hook/y", {}}}, true, "2");
    d.emit(kT0, one_hook_app(), vacated("a"));
    d.emit(kT0, batching, occupied("presence-b"));
    d.emit(kT0 + ms(10), batching, added("presence-b", "u1"));
    d.emit(kT0 + ms(20), one_hook_app(), removed("presence-c", "u9"));
    d.emit(kT0 + seconds(1), one_hook_app(), occupied("d"));
    int n = 0;
    return run(d, kT0 + seconds(400), [&](const WebhookPost&) { return (++n % 3 == 0) ? kNoAnswer : 500; });
  };
  auto once = scenario();
  auto twice = scenario();
  REQUIRE(once.size() == twice.size());
  CHECK(once.size() > 10);
  for (std::size_t i = 0; i < once.size(); ++i) {
    CHECK(once[i].at == twice[i].at);
    CHECK(once[i].post == twice[i].post);
  }
}

TEST_CASE("pending, in_flight and next_deadline follow the work left", "[webhook_dispatcher]") {
  WebhookDispatcher d{WebhookPolicy{}};
  CHECK(d.pending() == 0);
  CHECK(d.in_flight() == 0);
  CHECK(d.next_deadline() == std::nullopt);
  d.emit(kT0, one_hook_app(), removed("presence-r", "u1"));
  d.emit(kT0 + ms(100), one_hook_app(), occupied("a"));
  CHECK(d.pending() == 2);
  CHECK(d.next_deadline() == kT0 + ms(100));
  auto posts = tick(d, kT0 + ms(100));
  CHECK(posts.size() == 1);
  CHECK(d.pending() == 1);
  CHECK(d.in_flight() == 1);
  CHECK(d.next_deadline() == kT0 + seconds(3));
  d.on_response(kT0 + ms(200), posts.at(0).delivery_id, 200);
  CHECK(d.in_flight() == 0);
  CHECK(d.next_deadline() == kT0 + seconds(3));
}

// ---- removals held in a cluster's store (cluster_link.hpp) ------------------------------------

TEST_CASE("a held removal is posted at its due time only when the store still has its hold",
          "[webhook_dispatcher][cluster]") {
  WebhookDispatcher d{WebhookPolicy{}};
  std::vector<std::uint64_t> asked;
  bool still_held = true;
  d.set_release_check([&](const std::string& app_id, const WebhookEvent& e, std::uint64_t hold) {
    CHECK(app_id == "1");
    CHECK(e.name == "channel_vacated");
    asked.push_back(hold);
    return still_held;
  });
  d.emit(kT0, one_hook_app(), vacated("room"), 7);
  CHECK(tick(d, kT0 + WebhookPolicy{}.removal_delay - 1).empty());
  CHECK(asked.empty());  // not asked before it is due
  const auto posts = tick(d, kT0 + WebhookPolicy{}.removal_delay);
  REQUIRE(posts.size() == 1);
  CHECK(asked == std::vector<std::uint64_t>{7});
  d.on_response(kT0 + WebhookPolicy{}.removal_delay, posts[0].delivery_id, 200);

  still_held = false;  // another node cancelled it: nothing goes out
  d.emit(kT0, one_hook_app(), vacated("other"), 8);
  CHECK(tick(d, kT0 + seconds(60)).empty());
  CHECK(d.pending() == 0);
}

TEST_CASE("a held removal is not cancelled by a local add: the store decides", "[webhook_dispatcher][cluster]") {
  WebhookDispatcher d{WebhookPolicy{}};
  d.set_release_check([](const std::string&, const WebhookEvent&, std::uint64_t) { return true; });
  d.emit(kT0, one_hook_app(), removed("presence-room", "u1"), 3);
  d.emit(kT0 + ms(10), one_hook_app(), added("presence-room", "u1"));
  const auto posts = tick(d, kT0 + seconds(60));
  REQUIRE(posts.size() == 2);  // the add, and the removal the store still held
}

TEST_CASE("without batching each event has a POST of its own; the batch-always variant shares one",
          "[webhooks][defects]") {
  WebhookDispatcher reference{WebhookPolicy{}};
  reference.emit(kT0, one_hook_app(), occupied("a"));
  reference.emit(kT0 + ms(1), one_hook_app(), occupied("b"));
  auto posts = run(reference, kT0 + seconds(1), [](const WebhookPost&) { return 200; });
  CHECK(posts.size() == 2);

  WebhookPolicy broken;
  broken.batch_always = true;
  WebhookDispatcher batching{broken};
  batching.emit(kT0, one_hook_app(), occupied("a"));
  batching.emit(kT0 + ms(1), one_hook_app(), occupied("b"));
  auto batched = run(batching, kT0 + seconds(1), [](const WebhookPost&) { return 200; });
  REQUIRE(batched.size() == 1);
  CHECK(Json::parse(batched[0].post.body)["events"].size() == 2);
}

TEST_CASE("time_ms is Unix milliseconds; the time-in-seconds variant writes seconds", "[webhooks][defects]") {
  WebhookPolicy broken;
  broken.time_in_seconds = true;
  WebhookDispatcher d{broken};
  d.emit(kT0, one_hook_app(), occupied("a"));
  auto posts = tick(d, kT0);
  REQUIRE(posts.size() == 1);
  CHECK(Json::parse(posts[0].body)["time_ms"] == kT0Ms / 1000);
}
