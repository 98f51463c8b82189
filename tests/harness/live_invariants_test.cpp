// The invariants judged on what a live target observed (its trace lines and accepted webhooks):
// a clean run passes, and each kind of violation a live run can show is reported with its
// name and the trace line where it shows.
#include <catch2/catch.hpp>

#include <map>
#include <set>
#include <string>
#include <vector>

#include "harness/live_invariants.hpp"

namespace pushsim::harness {
namespace {

std::string established(const std::string& socket_id) {
  return R"({"event":"pusher:connection_established","data":"{\"socket_id\":\")" + socket_id +
         R"(\",\"activity_timeout\":120}"})";
}

std::string event(const std::string& name, int n) {
  return R"({"event":")" + name + R"(","channel":"room","data":"{\"n\":)" + std::to_string(n) + R"(}"})";
}

std::string subscribe(const std::string& channel) {
  return R"({"event":"pusher:subscribe","data":{"channel":")" + channel + R"("}})";
}

std::string trigger(const std::string& name, int n, const std::string& socket_id = "") {
  std::string body = R"({"name":")" + name + R"(","channels":["room"],"data":"{\"n\":)" + std::to_string(n) + R"(}")";
  if (!socket_id.empty()) body += R"(,"socket_id":")" + socket_id + R"(")";
  return "POST /apps/1/events?auth_signature=ff\n" + body + "}";
}

// alice (1.1) and bob (2.2) connect and subscribe to "room"; the app triggers e1 then e2.
std::vector<TraceLine> two_subscribers() {
  return {
      {1, "connect", "alice", "server", "/app/app-key?protocol=7"},
      {2, "deliver", "server", "alice", established("1.1")},
      {3, "connect", "bob", "server", "/app/app-key?protocol=7"},
      {4, "deliver", "server", "bob", established("2.2")},
      {5, "send", "alice", "server", subscribe("room")},
      {6, "send", "bob", "server", subscribe("room")},
      {10, "http_request", "app", "server", trigger("e1", 1)},
      {11, "http_response", "server", "app", "200 {}"},
      {12, "http_request", "app", "server", trigger("e2", 2)},
      {13, "http_response", "server", "app", "200 {}"},
  };
}

std::vector<std::string> names(const std::vector<InvariantViolation>& violations) {
  std::vector<std::string> out;
  for (const auto& v : violations) out.push_back(v.name);
  return out;
}

LiveMembers members_of(const std::string& key, std::map<std::string, std::set<std::string>> by_channel) {
  LiveMembers out;
  out.app_key = key;
  out.by_channel = std::move(by_channel);
  return out;
}

ObservedWebhook hook(const std::string& name, std::int64_t time_ms, std::uint64_t post) {
  return ObservedWebhook{time_ms * 1'000'000, Json{{"name", name}, {"channel", "room"}}, time_ms, 1, post};
}

TEST_CASE("live invariants: every delivery once and in order passes") {
  auto trace = two_subscribers();
  for (const char* who : {"alice", "bob"}) {
    trace.push_back({20, "deliver", "server", who, event("e1", 1)});
    trace.push_back({21, "deliver", "server", who, event("e2", 2)});
  }
  const std::vector<ObservedWebhook> hooks{hook("channel_occupied", 1, 1), hook("channel_vacated", 2, 2)};
  CHECK(check_live_invariants(trace, hooks).empty());
}

TEST_CASE("live invariants: a duplicate delivery is reported at the trace line where it shows") {
  auto trace = two_subscribers();
  trace.push_back({20, "deliver", "server", "bob", event("e1", 1)});
  trace.push_back({21, "deliver", "server", "bob", event("e1", 1)});
  const auto violations = check_live_invariants(trace, {});
  REQUIRE(names(violations) == std::vector<std::string>{"no-duplicate-delivery"});
  CHECK(violations[0].position == trace.size() - 1);
  CHECK(violations[0].message.find("bob") != std::string::npos);
  CHECK(violations[0].message.find("2 times") != std::string::npos);
}

TEST_CASE("live invariants: one publisher's events out of order") {
  auto trace = two_subscribers();
  trace.push_back({20, "deliver", "server", "bob", event("e2", 2)});
  trace.push_back({21, "deliver", "server", "bob", event("e1", 1)});
  CHECK(names(check_live_invariants(trace, {})) == std::vector<std::string>{"publisher-order"});
}

TEST_CASE("live invariants: deliveries noted late are ordered by their arrival time") {
  auto trace = two_subscribers();
  // The target noted them in a later look than the times they arrived at: in order all the same.
  trace.push_back({20, "deliver", "server", "bob", event("e1", 1)});
  trace.push_back({30, "send", "bob", "server", subscribe("other")});
  trace.push_back({21, "deliver", "server", "bob", event("e2", 2)});
  CHECK(check_live_invariants(trace, {}).empty());
}

TEST_CASE("live invariants: an excluded socket_id that gets the event, and a client event echoed") {
  auto trace = two_subscribers();
  trace.push_back({14, "http_request", "app", "server", trigger("e3", 3, "1.1")});
  trace.push_back({15, "http_response", "server", "app", "200 {}"});
  trace.push_back({20, "deliver", "server", "alice", event("e3", 3)});
  trace.push_back({21, "send", "bob", "server", event("client-x", 4)});
  trace.push_back({22, "deliver", "server", "bob", event("client-x", 4)});
  const auto violations = check_live_invariants(trace, {});
  REQUIRE(names(violations) == std::vector<std::string>{"exclusion-respected", "exclusion-respected"});
  CHECK(violations[0].message.find("alice") != std::string::npos);
  CHECK(violations[1].message.find("bob") != std::string::npos);
}

TEST_CASE("live invariants: a trigger the server refused or never answered publishes nothing") {
  auto trace = two_subscribers();
  trace.push_back({14, "http_request", "app", "server", trigger("e3", 3)});
  trace.push_back({15, "http_response", "server", "app", "400 bad"});
  trace.push_back({20, "deliver", "server", "bob", event("e1", 1)});
  trace.push_back({21, "deliver", "server", "bob", event("e1", 1)});
  CHECK(names(check_live_invariants(trace, {})) == std::vector<std::string>{"no-duplicate-delivery"});
}

TEST_CASE("live invariants: a member added twice, as the client holds its list") {
  auto trace = two_subscribers();
  const std::string added =
      R"({"event":"pusher_internal:member_added","channel":"presence-room","data":"{\"user_id\":\"u1\"}"})";
  trace.push_back({20, "deliver", "server", "bob", added});
  trace.push_back({21, "deliver", "server", "bob", added});
  const auto violations = check_live_invariants(trace, {});
  REQUIRE(names(violations) == std::vector<std::string>{"one-member-per-user"});
  CHECK(violations[0].position == trace.size() - 1);
}

TEST_CASE("live invariants: a member list that differs from the server's, as a final query gives it") {
  auto trace = two_subscribers();
  trace.push_back({7, "send", "bob", "server", subscribe("presence-room")});
  trace.push_back(
      {8, "deliver", "server", "bob",
       R"({"event":"pusher_internal:subscription_succeeded","channel":"presence-room","data":"{\"presence\":{\"count\":2,\"ids\":[\"u1\",\"u2\"],\"hash\":{}}}"})"});
  trace.push_back(
      {9, "deliver", "server", "bob",
       R"({"event":"pusher_internal:member_removed","channel":"presence-room","data":"{\"user_id\":\"u1\"}"})"});
  CHECK(presence_channels_of(trace) == std::set<std::string>{"presence-room"});
  const LiveMembers agree = members_of("app-key", {{"presence-room", {"u2"}}});
  CHECK(check_live_invariants(trace, {}, agree).empty());
  const LiveMembers differ = members_of("app-key", {{"presence-room", {"u1", "u2"}}});
  const auto violations = check_live_invariants(trace, {}, differ);
  REQUIRE(names(violations) == std::vector<std::string>{"members-converge"});
  CHECK(violations[0].message.find("bob") != std::string::npos);
  CHECK(violations[0].message.find("{u1,u2}") != std::string::npos);
  // Another app's connection is not compared with the default app's members.
  const LiveMembers other_app = members_of("other-key", {{"presence-room", {"u1", "u2"}}});
  CHECK(check_live_invariants(trace, {}, other_app).empty());
}

TEST_CASE("live invariants: webhooks that do not alternate, unless deliveries were refused") {
  const auto trace = two_subscribers();
  const std::vector<ObservedWebhook> hooks{hook("channel_occupied", 1, 1), hook("channel_occupied", 2, 2)};
  CHECK(names(check_live_invariants(trace, hooks)) == std::vector<std::string>{"occupied-vacated-alternate"});
  auto refused = trace;
  refused.push_back({7, "fault", "webhooks", "server", "webhook_failures 1 (500)"});
  CHECK(check_live_invariants(refused, hooks).empty());
}

TEST_CASE("live invariants: what needs the server's own view is not judged") {
  auto trace = two_subscribers();
  // After bob's unsubscribe, e2 may well have been on its way: no-event-after-unsubscribe
  // cannot be judged from the client's side.
  trace.push_back({11, "send", "bob", "server", R"({"event":"pusher:unsubscribe","data":{"channel":"room"}})"});
  trace.push_back({20, "deliver", "server", "bob", event("e2", 2)});
  CHECK(check_live_invariants(trace, {}).empty());
}

}  // namespace
}  // namespace pushsim::harness
