// The invariants: each one shown holding on a correct record and broken on a crafted one,
// then the deliberately broken engines they must catch in real simulated runs, next to the
// reference engine passing the very same scenario.
#include <catch2/catch.hpp>

#include <set>

#include "harness/explorer.hpp"
#include "harness/invariants.hpp"
#include "harness/scenario_loader.hpp"

using namespace pushsim;
using namespace pushsim::harness;

namespace {

// A record written by hand: what the simulator would have traced, made to order.
struct Crafted {
  fakes::Trace trace{fakes::RunId{"crafted", 1, "none"}};
  std::vector<fakes::RestExchange> rest;
  std::vector<fakes::WebhookBatch> webhooks;
  ServerEndState end{true, {}, {}, {}};
  fakes::EndpointId server = trace.endpoint("server");
  TimeNs now = 0;

  void record(fakes::TraceKind kind, const std::string& from, const std::string& to, std::uint64_t link,
              std::string text) {
    now += ms(1);
    trace.record(now, kind, trace.endpoint(from), trace.endpoint(to), link, std::move(text));
  }
  // A connection that got its socket_id "N.N".
  void connect(std::uint64_t link, const std::string& client) {
    record(fakes::TraceKind::kOpen, client, "server", link, "[open /app/app-key?protocol=7]");
    const std::string id = std::to_string(link) + "." + std::to_string(link);
    deliver(link, client,
            R"({"event":"pusher:connection_established","data":"{\"socket_id\":\")" + id +
                R"(\",\"activity_timeout\":120}"})");
  }
  void from_client(std::uint64_t link, const std::string& client, const std::string& text) {
    record(fakes::TraceKind::kDeliver, client, "server", link, text);
  }
  void subscribe(std::uint64_t link, const std::string& client, const std::string& channel) {
    from_client(link, client, R"({"event":"pusher:subscribe","data":{"channel":")" + channel + R"("}})");
  }
  void unsubscribe(std::uint64_t link, const std::string& client, const std::string& channel) {
    from_client(link, client, R"({"event":"pusher:unsubscribe","data":{"channel":")" + channel + R"("}})");
  }
  void send(std::uint64_t link, const std::string& client, const std::string& text) {
    record(fakes::TraceKind::kSend, "server", client, link, text);
  }
  void deliver(std::uint64_t link, const std::string& client, const std::string& text) {
    record(fakes::TraceKind::kDeliver, "server", client, link, text);
  }
  // A REST trigger the server handled `handled`-th and answered 200.
  void trigger(const std::string& event, const std::string& channel, std::uint64_t handled,
               const std::string& socket_id = "") {
    fakes::RestExchange exchange;
    exchange.handled = handled;
    exchange.request = HttpRequest{"POST",
                                   "/apps/1/events?auth_key=k",
                                   {},
                                   R"({"name":")" + event + R"(","channels":[")" + channel + R"("],"data":"{}")" +
                                       (socket_id.empty() ? "" : R"(,"socket_id":")" + socket_id + "\"") + "}"};
    exchange.response = HttpResponse{200, {}, "{}"};
    rest.push_back(exchange);
  }
  void hook(std::int64_t time_ms, const std::string& name, const std::string& channel, int status = 200,
            const std::string& user_id = "") {
    fakes::WebhookBatch batch;
    batch.valid = true;
    batch.status = status;
    batch.time_ms = time_ms;
    Json event{{"name", name}, {"channel", channel}};
    if (!user_id.empty()) event["user_id"] = user_id;
    batch.events.push_back(event);
    batch.body = std::to_string(time_ms) + event.dump();
    webhooks.push_back(batch);
  }

  // One POST carrying several events, in this order.
  void post(std::int64_t time_ms, const std::vector<std::pair<std::string, std::string>>& named_users,
            const std::string& channel) {
    fakes::WebhookBatch batch;
    batch.valid = true;
    batch.status = 200;
    batch.time_ms = time_ms;
    for (const auto& [name, user_id] : named_users) {
      Json event{{"name", name}, {"channel", channel}};
      if (!user_id.empty()) event["user_id"] = user_id;
      batch.events.push_back(event);
    }
    batch.body = std::to_string(time_ms) + Json(batch.events).dump();
    webhooks.push_back(batch);
  }

  std::vector<std::string> names() const {
    InvariantInput input;
    input.trace = &trace;
    input.rest = &rest;
    input.webhooks = webhooks.empty() ? nullptr : &webhooks;  // none recorded: webhooks are not judged
    input.app_of_key = {{"app-key", "1"}};
    input.webhook_app_id = "1";
    input.end = end;
    std::vector<std::string> out;
    for (const auto& v : check_invariants(input)) out.push_back(v.name);
    return out;
  }
};

std::string event_on(const std::string& event, const std::string& channel) {
  return R"({"event":")" + event + R"(","channel":")" + channel + R"(","data":"{}"})";
}

std::string presence_frame(const std::string& event, const std::string& user) {
  return R"({"event":"pusher_internal:)" + event + R"(","channel":"presence-r","data":"{\"user_id\":\")" + user +
         R"(\"}"})";
}

std::string succeeded(const std::string& ids_json, int count) {
  return R"({"event":"pusher_internal:subscription_succeeded","channel":"presence-r","data":"{\"presence\":{\"ids\":)" +
         ids_json + R"(,\"hash\":{},\"count\":)" + std::to_string(count) + R"(}}"})";
}

using Names = std::vector<std::string>;

}  // namespace

TEST_CASE("no-duplicate-delivery: one publication reaches a connection once", "[invariants]") {
  Crafted c;
  c.connect(1, "alice");
  c.subscribe(1, "alice", "news");
  c.trigger("flash", "news", 1);
  c.deliver(1, "alice", event_on("flash", "news"));
  CHECK(c.names().empty());
  c.deliver(1, "alice", event_on("flash", "news"));
  CHECK(c.names() == Names{"no-duplicate-delivery"});
  c.trigger("flash", "news", 2);  // published twice after all: twice is right
  CHECK(c.names().empty());
}

TEST_CASE("exclusion-respected: not to the excluded socket, not back to the sender", "[invariants]") {
  Crafted c;
  c.connect(1, "alice");
  c.connect(2, "bob");
  c.subscribe(1, "alice", "private-x");
  c.subscribe(2, "bob", "private-x");
  c.trigger("flash", "private-x", 1, "1.1");
  c.deliver(2, "bob", event_on("flash", "private-x"));
  CHECK(c.names().empty());
  c.deliver(1, "alice", event_on("flash", "private-x"));
  CHECK(c.names() == Names{"exclusion-respected"});

  Crafted e;
  e.connect(1, "alice");
  e.connect(2, "bob");
  e.subscribe(1, "alice", "private-x");
  e.subscribe(2, "bob", "private-x");
  e.from_client(1, "alice", R"({"event":"client-typing","channel":"private-x","data":{}})");
  e.deliver(2, "bob", event_on("client-typing", "private-x"));
  CHECK(e.names().empty());
  e.deliver(1, "alice", event_on("client-typing", "private-x"));
  CHECK(e.names() == Names{"exclusion-respected"});
}

TEST_CASE("publisher-order: in the order the server received them", "[invariants]") {
  auto run = [](bool in_order) {
    Crafted c;
    c.connect(1, "alice");
    c.subscribe(1, "alice", "news");
    c.trigger("second", "news", 2);  // sent first, but the server handled it second
    c.trigger("first", "news", 1);
    c.deliver(1, "alice", event_on(in_order ? "first" : "second", "news"));
    c.deliver(1, "alice", event_on(in_order ? "second" : "first", "news"));
    return c.names();
  };
  CHECK(run(true).empty());
  CHECK(run(false) == Names{"publisher-order"});
}

TEST_CASE("no-event-after-unsubscribe: nothing sent once the server knows", "[invariants]") {
  Crafted c;
  c.connect(1, "alice");
  c.subscribe(1, "alice", "news");
  c.send(1, "alice", event_on("a", "news"));
  c.unsubscribe(1, "alice", "news");
  c.deliver(1, "alice", event_on("a", "news"));  // was in flight: fine
  c.subscribe(1, "alice", "news");
  c.send(1, "alice", event_on("b", "news"));  // subscribed again: fine
  CHECK(c.names().empty());
  c.unsubscribe(1, "alice", "news");
  c.send(1, "alice", event_on("c", "news"));
  CHECK(c.names() == Names{"no-event-after-unsubscribe"});
}

TEST_CASE("presence: removed after added, one member per user, lists converge", "[invariants]") {
  SECTION("member_removed for a user never added") {
    Crafted c;
    c.connect(1, "alice");
    c.deliver(1, "alice", succeeded(R"([\"u1\"])", 1));
    c.deliver(1, "alice", presence_frame("member_added", "u2"));
    c.deliver(1, "alice", presence_frame("member_removed", "u2"));
    CHECK(c.names().empty());
    c.deliver(1, "alice", presence_frame("member_removed", "u3"));
    CHECK(c.names() == Names{"member-removed-after-added"});
  }
  SECTION("member_added for a member already held, or a list with a user twice") {
    Crafted c;
    c.connect(1, "alice");
    c.deliver(1, "alice", succeeded(R"([\"u1\",\"u2\"])", 2));
    c.deliver(1, "alice", presence_frame("member_added", "u2"));
    CHECK(c.names() == Names{"one-member-per-user"});
    Crafted d;
    d.connect(1, "alice");
    d.deliver(1, "alice", succeeded(R"([\"u1\",\"u1\"])", 2));
    CHECK(d.names() == Names{"one-member-per-user"});
  }
  SECTION("the client's list against the server's once quiet") {
    Crafted c;
    c.connect(1, "alice");
    c.subscribe(1, "alice", "presence-r");
    c.deliver(1, "alice", succeeded(R"([\"u1\"])", 1));
    c.end.members["1/presence-r"] = {"u1", "u2"};
    CHECK(c.names() == Names{"members-converge"});
    c.end.settled = false;  // not quiet: not judged
    CHECK(c.names().empty());
    c.end.settled = true;
    c.end.members["1/presence-r"] = {"u1"};
    CHECK(c.names().empty());
  }
  SECTION("after an unsubscribe and a refused re-subscribe the client holds no list") {
    Crafted c;
    c.connect(1, "alice");
    c.subscribe(1, "alice", "presence-r");
    c.deliver(1, "alice", succeeded(R"([\"u1\",\"u2\"])", 2));
    c.unsubscribe(1, "alice", "presence-r");
    c.subscribe(1, "alice", "presence-r");  // refused: no subscription_succeeded follows
    c.end.members["1/presence-r"] = {"u2"};
    CHECK(c.names().empty());
    c.deliver(1, "alice", succeeded(R"([\"u1\",\"u2\"])", 2));  // accepted after all, with a stale list
    CHECK(c.names() == Names{"members-converge"});
  }
}

TEST_CASE("webhooks alternate per channel by time_ms and end as the channel does", "[invariants]") {
  SECTION("a retry arriving late is put back in its place") {
    Crafted c;
    c.hook(1, "channel_occupied", "room");
    c.hook(9, "channel_occupied", "room");
    c.hook(5, "channel_vacated", "room");  // retried, arrived last
    c.end.occupied = {"1/room"};
    CHECK(c.names().empty());
  }
  SECTION("two occupied in a row") {
    Crafted c;
    c.hook(1, "channel_occupied", "room");
    c.hook(2, "channel_occupied", "room");
    c.end.occupied = {"1/room"};
    CHECK(c.names() == Names{"occupied-vacated-alternate"});
  }
  SECTION("the last one disagrees with the end state") {
    Crafted c;
    c.hook(1, "channel_occupied", "room");
    CHECK(c.names() == Names{"occupied-vacated-alternate"});  // the channel ended vacant
    c.end.occupied = {"1/room"};
    CHECK(c.names().empty());
  }
  SECTION("member webhooks per (channel, user)") {
    Crafted c;
    c.hook(1, "member_added", "presence-r", 200, "u1");
    c.hook(2, "member_added", "presence-r", 200, "u2");
    c.hook(3, "member_removed", "presence-r", 200, "u1");
    c.end.members["1/presence-r"] = {"u2"};
    CHECK(c.names().empty());
    c.hook(4, "member_removed", "presence-r", 200, "u1");
    CHECK(c.names() == Names{"member-webhooks-alternate"});
  }
  SECTION("within one millisecond a removal counts as later than an add, whatever the arrival order") {
    Crafted c;
    c.hook(2, "member_removed", "presence-r", 200, "u1");  // the add failed, was retried, arrived last
    c.hook(2, "member_added", "presence-r", 200, "u1");
    CHECK(c.names().empty());  // by arrival it would be a removal without an add
    c.hook(3, "member_removed", "presence-r", 200, "u1");
    CHECK(c.names() == Names{"member-webhooks-alternate"});  // two removals for one add
  }
  SECTION("events of one POST share its time_ms and keep its order") {
    Crafted c;
    c.hook(1, "member_added", "presence-r", 200, "u1");
    // The removal was already leaving in a batch when u1 came back: the re-add follows it.
    c.post(2, {{"member_removed", "u1"}, {"member_added", "u1"}}, "presence-r");
    c.end.members["1/presence-r"] = {"u1"};
    CHECK(c.names().empty());
    Crafted d;
    d.hook(1, "member_added", "presence-r", 200, "u1");
    d.post(2, {{"member_added", "u1"}, {"member_removed", "u1"}}, "presence-r");
    CHECK(d.names() == Names{"member-webhooks-alternate"});  // two adds in a row
  }
  SECTION("a delivery the server gave up on exempts its channel") {
    Crafted c;
    c.hook(1, "channel_occupied", "room");
    c.hook(5, "channel_vacated", "room", 500);  // never accepted
    CHECK(c.names().empty());
  }
}

TEST_CASE("subscription-count-converges: the latest count a subscriber got is the channel's", "[invariants]") {
  const auto count = [](int n) {
    return R"({"event":"pusher_internal:subscription_count","channel":"room","data":"{\"subscription_count\":)" +
           std::to_string(n) + R"(}"})";
  };
  Crafted c;
  c.connect(1, "alice");
  c.subscribe(1, "alice", "room");
  c.deliver(1, "alice", R"({"event":"pusher_internal:subscription_succeeded","channel":"room","data":"{}"})");
  c.deliver(1, "alice", count(1));
  c.deliver(1, "alice", count(2));
  c.end.subscriptions["1/room"] = 2;
  CHECK(c.names().empty());
  c.deliver(1, "alice", count(1));  // a stale count, late, over the newer one
  CHECK(c.names() == Names{"subscription-count-converges"});
  c.end.settled = false;  // not quiet: not judged
  CHECK(c.names().empty());
  c.end.settled = true;
  c.unsubscribe(1, "alice", "room");  // left: its count is no longer judged
  CHECK(c.names().empty());
  // A count sent before the server had the unsubscribe arrives after it, then a re-subscribe
  // is refused: the client holds no count for the channel.
  c.deliver(1, "alice", count(7));
  c.subscribe(1, "alice", "room");
  CHECK(c.names().empty());
}

// ---- the broken engines, caught in real simulated runs -------------------------------------

namespace {

Scenario scenario(const std::string& text) {
  auto loaded = load_scenario_text(text, "inline.yaml");
  if (!loaded) FAIL(loaded.error().message);
  return *loaded;
}

using NameSet = std::set<std::string>;

// The invariants a run of the scenario broke, with or without the defect.
NameSet broken(const Scenario& s, std::optional<Defect> defect) {
  RunSpec spec;
  if (defect) spec.defects.add(*defect);
  NameSet out;
  for (const auto& v : run_spec(s, spec).result.violations) out.insert(v.name);
  return out;
}

const std::string kHeader = "id: inv.1\nname: n\nlevel: info\nsection: \"1\"\n";

}  // namespace

TEST_CASE("the invariants catch engines that echo client events or ignore exclusions", "[invariants][defects]") {
  const auto echo = scenario(kHeader + R"(clients: { alice: {}, bob: {} }
steps:
  - connect: alice
  - connect: bob
  - subscribe: { client: alice, channel: private-x }
  - subscribe: { client: bob, channel: private-x }
  - advance: 1s
  - client_event: { client: alice, channel: private-x, event: client-typing }
  - trigger: { channel: private-x, event: news, exclude: bob }
  - advance: 1s
)");
  CHECK(broken(echo, std::nullopt).empty());
  CHECK(broken(echo, Defect::kEchoClientEvents) == NameSet{"exclusion-respected"});
  CHECK(broken(echo, Defect::kIgnoreSocketExclusion) == NameSet{"exclusion-respected"});
}

TEST_CASE("the invariants catch engines that get presence membership wrong", "[invariants][defects]") {
  const auto two_tabs = scenario(kHeader + R"(clients:
  watcher: { user_id: u2 }
  tab1: { user_id: u1 }
  tab2: { user_id: u1 }
steps:
  - connect: watcher
  - subscribe: { client: watcher, channel: presence-r }
  - advance: 1s
  - connect: tab1
  - subscribe: { client: tab1, channel: presence-r }
  - advance: 1s
  - connect: tab2
  - subscribe: { client: tab2, channel: presence-r }
  - advance: 1s
  - disconnect: tab1
  - advance: 5s
)");
  CHECK(broken(two_tabs, std::nullopt).empty());
  // The watcher and tab1 each get member_added for u1 twice; the app gets two member_added webhooks.
  CHECK(broken(two_tabs, Defect::kMemberAddedPerConnection) ==
        NameSet{"one-member-per-user", "member-webhooks-alternate"});
  const NameSet removed = broken(two_tabs, Defect::kMemberRemovedOnAnyLeave);
  CHECK(removed.count("members-converge") == 1);
  CHECK(removed.count("member-webhooks-alternate") == 1);
}

TEST_CASE("the invariants catch an ignored unsubscribe and a missing channel_vacated", "[invariants][defects]") {
  const auto leave = scenario(kHeader + R"(clients: { alice: {} }
steps:
  - connect: alice
  - subscribe: { client: alice, channel: news }
  - advance: 1s
  - unsubscribe: { client: alice, channel: news }
  - advance: 1s
  - trigger: { channel: news, event: late }
  - advance: 1s
)");
  CHECK(broken(leave, std::nullopt).empty());
  // Ignored, the unsubscribe leaves the channel occupied, which its webhooks then rightly say.
  CHECK(broken(leave, Defect::kUnsubscribeIgnored) == NameSet{"no-event-after-unsubscribe"});
  CHECK(broken(leave, Defect::kNoChannelVacated) == NameSet{"occupied-vacated-alternate"});
}

TEST_CASE("a violation fails even an info scenario, with the invariant's name and place", "[invariants]") {
  const auto leave = scenario(kHeader + R"(clients: { alice: {} }
steps:
  - connect: alice
  - subscribe: { client: alice, channel: news }
  - advance: 1s
  - unsubscribe: { client: alice, channel: news }
  - advance: 1s
  - trigger: { channel: news, event: late }
  - advance: 1s
)");
  RunSpec spec;
  spec.defects.add(Defect::kUnsubscribeIgnored);
  const auto run = run_spec(leave, spec);
  CHECK(run.result.verdict == Verdict::kFail);
  REQUIRE_FALSE(run.result.failures.empty());
  CHECK_THAT(run.result.failures.front(),
             Catch::Contains("invariant no-event-after-unsubscribe") && Catch::Contains("trace record"));
  CHECK(run.signature == "invariant no-event-after-unsubscribe");
}

TEST_CASE("the invariants catch an engine whose subscription counts are wrong", "[invariants][defects]") {
  const auto counted = scenario(kHeader + R"(requires: [subscription_count]
clients: { alice: {}, bob: {} }
steps:
  - connect: alice
  - connect: bob
  - subscribe: { client: alice, channel: news }
  - advance: 1s
  - subscribe: { client: bob, channel: news }
  - advance: 1s
)");
  CHECK(broken(counted, std::nullopt).empty());
  CHECK(broken(counted, Defect::kMiscountSubscriptionCount) == NameSet{"subscription-count-converges"});
}
