#include <catch2/catch.hpp>

#include "engine_fixture.hpp"

using namespace pushsim;
using namespace pushsim::test;

namespace {

std::string presence_null_error(const std::string& message) {
  return R"({"event":"pusher:error","data":{"code":null,"message":)" + Json(message).dump() + "}}";
}

std::string presence_succeeded(const std::string& channel, const Json& presence) {
  return R"({"event":"pusher_internal:subscription_succeeded","channel":")" + channel + R"(","data":)" +
         Json(Json{{"presence", presence}}.dump()).dump() + "}";
}

std::string member_added(const std::string& channel, const std::string& data) {
  return R"({"event":"pusher_internal:member_added","channel":")" + channel + R"(","data":)" + Json(data).dump() + "}";
}

std::string member_removed(const std::string& channel, const std::string& user_id) {
  return R"({"event":"pusher_internal:member_removed","channel":")" + channel + R"(","data":"{\"user_id\":\")" +
         user_id + R"(\"}"})";
}

Json member_hook(const std::string& name, const std::string& user_id) {
  return Json{{"name", name}, {"channel", "presence-room"}, {"user_id", user_id}};
}

void expect_refused(EngineFixture& f, ConnectionId id, const Json& frame, const std::string& message) {
  f.take_webhooks();
  auto before = f.engine.channels("1", f.now);
  f.send_json(id, frame);
  CHECK(f.take(id) == std::vector<std::string>{presence_null_error(message)});
  CHECK(f.nothing_sent());
  CHECK(f.take_closes().empty());
  CHECK(f.take_webhooks().empty());
  CHECK(f.engine.channels("1", f.now) == before);
}

Json presence_subscribe(const std::string& auth, const std::optional<std::string>& channel_data) {
  Json data = {{"channel", "presence-room"}, {"auth", auth}};
  if (channel_data) data["channel_data"] = *channel_data;
  return Json{{"event", "pusher:subscribe"}, {"data", data}};
}

}  // namespace

TEST_CASE("a presence subscription answers with count, hash and ids as string data", "[engine][presence]") {
  EngineFixture f;
  ConnectionId id = f.connect();
  f.subscribe(id, "presence-room", R"({"user_id":"u1","user_info":{"name":"Alice"}})");
  CHECK(
      f.take(id) ==
      std::vector<std::string>{
          R"({"event":"pusher_internal:subscription_succeeded","channel":"presence-room","data":"{\"presence\":{\"count\":1,\"hash\":{\"u1\":{\"name\":\"Alice\"}},\"ids\":[\"u1\"]}}"})"});
  CHECK(f.take_webhooks() == std::vector<Json>{Json{{"name", "channel_occupied"}, {"channel", "presence-room"}},
                                               member_hook("member_added", "u1")});
}

TEST_CASE("the presence data includes the subscriber; user_info is null when none was given", "[engine][presence]") {
  EngineFixture f;
  ConnectionId a = f.connect();
  ConnectionId b = f.connect();
  f.join_presence(a, "presence-room", "u1", Json{{"name", "Alice"}});
  f.subscribe(b, "presence-room", R"({"user_id":"u2"})");
  Json presence = {{"count", 2}, {"hash", {{"u1", {{"name", "Alice"}}}, {"u2", nullptr}}}, {"ids", {"u1", "u2"}}};
  CHECK(f.take(b) == std::vector<std::string>{presence_succeeded("presence-room", presence)});
}

TEST_CASE("member_added goes to every other subscriber, never to the joiner", "[engine][presence]") {
  EngineFixture f;
  ConnectionId a = f.connect();
  ConnectionId b = f.connect();
  ConnectionId c = f.connect();
  f.join_presence(a, "presence-room", "u1");
  f.join_presence(b, "presence-room", "u2");
  CHECK(f.take(a) == std::vector<std::string>{member_added("presence-room", R"({"user_id":"u2"})")});
  f.subscribe(c, "presence-room", R"({"user_id":"u3","user_info":{"name":"Carol"}})");
  const std::string added = member_added("presence-room", R"({"user_id":"u3","user_info":{"name":"Carol"}})");
  CHECK(f.take(a) == std::vector<std::string>{added});
  CHECK(f.take(b) == std::vector<std::string>{added});
  auto joiner = f.take(c);
  REQUIRE(joiner.size() == 1);
  CHECK(joiner[0].find("subscription_succeeded") != std::string::npos);
}

TEST_CASE("a user's second connection joins silently and its first departure is silent", "[engine][presence]") {
  EngineFixture f;
  ConnectionId watcher = f.connect();
  ConnectionId tab1 = f.connect();
  ConnectionId tab2 = f.connect();
  f.join_presence(watcher, "presence-room", "w");
  f.join_presence(tab1, "presence-room", "u1");
  f.take(watcher);
  f.take_webhooks();
  f.subscribe(tab2, "presence-room", R"({"user_id":"u1"})");
  Json presence = {{"count", 2}, {"hash", {{"w", nullptr}, {"u1", nullptr}}}, {"ids", {"w", "u1"}}};
  CHECK(f.take(tab2) == std::vector<std::string>{presence_succeeded("presence-room", presence)});
  CHECK(f.nothing_sent());
  CHECK(f.take_webhooks().empty());
  CHECK(f.engine.channel("1", "presence-room", f.now).members.size() == 2);
  CHECK(f.engine.channel("1", "presence-room", f.now).subscription_count == 3);

  f.unsubscribe(tab1, "presence-room");
  CHECK(f.nothing_sent());
  CHECK(f.take_webhooks().empty());
  f.close(tab2);
  CHECK(f.take(watcher) == std::vector<std::string>{member_removed("presence-room", "u1")});
  CHECK(f.take_webhooks() == std::vector<Json>{member_hook("member_removed", "u1")});
}

TEST_CASE("member_removed is sent when the last connection of a user disconnects", "[engine][presence]") {
  EngineFixture f;
  ConnectionId a = f.connect();
  ConnectionId b = f.connect();
  f.join_presence(a, "presence-room", "u1");
  f.join_presence(b, "presence-room", "u2");
  f.take(a);
  f.take_webhooks();
  f.close(b);
  CHECK(f.take(a) == std::vector<std::string>{member_removed("presence-room", "u2")});
  CHECK(f.take_webhooks() == std::vector<Json>{member_hook("member_removed", "u2")});
  f.close(a);
  CHECK(f.take_webhooks() == std::vector<Json>{member_hook("member_removed", "u1"),
                                               Json{{"name", "channel_vacated"}, {"channel", "presence-room"}}});
}

TEST_CASE("members are listed in order of first join, and a rejoin goes last", "[engine][presence]") {
  EngineFixture f;
  ConnectionId a = f.connect();
  ConnectionId b = f.connect();
  ConnectionId c = f.connect();
  f.join_presence(a, "presence-room", "zed");
  f.join_presence(b, "presence-room", "amy", Json{{"k", 1}});
  f.join_presence(c, "presence-room", "bob");
  f.unsubscribe(a, "presence-room");
  f.join_presence(a, "presence-room", "zed");
  auto members = f.engine.channel("1", "presence-room", f.now).members;
  CHECK(members == std::vector<PresenceMember>{{"amy", Json{{"k", 1}}}, {"bob", nullptr}, {"zed", nullptr}});
}

TEST_CASE("a numeric user_id is turned into its decimal string", "[engine][presence]") {
  EngineFixture f;
  ConnectionId a = f.connect();
  ConnectionId b = f.connect();
  f.join_presence(a, "presence-room", "u1");
  f.subscribe(b, "presence-room", R"({"user_id":10,"user_info":{"n":1}})");
  CHECK(f.take(a) ==
        std::vector<std::string>{member_added("presence-room", R"({"user_id":"10","user_info":{"n":1}})")});
  Json presence = {{"count", 2}, {"hash", {{"u1", nullptr}, {"10", {{"n", 1}}}}}, {"ids", {"u1", "10"}}};
  CHECK(f.take(b) == std::vector<std::string>{presence_succeeded("presence-room", presence)});
}

TEST_CASE("presence without channel_data, or with a bad signature over it, is refused", "[engine][presence]") {
  EngineFixture f;
  ConnectionId id = f.connect();
  const std::string sid = f.socket_id(id);
  const std::string data = R"({"user_id":"u1"})";
  const std::string signed_without = sign_channel(f.app().credentials(), sid, "presence-room");
  expect_refused(f, id, presence_subscribe(signed_without, std::nullopt),
                 "Presence channel_data required to subscribe to presence-room");
  // Signed without channel_data, sent with it: the signature must cover channel_data.
  expect_refused(f, id, presence_subscribe(signed_without, data),
                 "Invalid signature: Expected HMAC SHA256 hex digest of " + sid + ":presence-room:" + data +
                     ", but got " + signed_without);
  // Signed for one user, sent as another.
  const std::string signed_u1 = sign_channel(f.app().credentials(), sid, "presence-room", data);
  expect_refused(f, id, presence_subscribe(signed_u1, R"({"user_id":"admin"})"),
                 "Invalid signature: Expected HMAC SHA256 hex digest of " + sid +
                     R"(:presence-room:{"user_id":"admin"}, but got )" + signed_u1);
  expect_refused(f, id, presence_subscribe("", data), "Auth info required to subscribe to presence-room");
}

TEST_CASE("signed but unusable channel_data is refused", "[engine][presence]") {
  EngineFixture f;
  ConnectionId id = f.connect();
  auto signed_frame = [&](const std::string& channel_data) {
    return presence_subscribe(sign_channel(f.app().credentials(), f.socket_id(id), "presence-room", channel_data),
                              channel_data);
  };
  expect_refused(f, id, signed_frame("not json"),
                 "Invalid channel_data for presence-room: channel_data must be a JSON object");
  expect_refused(f, id, signed_frame(R"(["u1"])"),
                 "Invalid channel_data for presence-room: channel_data must be a JSON object");
  expect_refused(f, id, signed_frame(R"({"user_info":{}})"),
                 "Invalid channel_data for presence-room: channel_data has no user_id");
  expect_refused(f, id, signed_frame(R"({"user_id":true})"),
                 "Invalid channel_data for presence-room: channel_data user_id must be a string");
  expect_refused(f, id, signed_frame(R"({"user_id":""})"), "Invalid channel_data for presence-room: user id is empty");
}

TEST_CASE("presence user ids over presence_user_id_max and user objects over the byte limit are refused",
          "[engine][presence]") {
  EngineFixture f;
  ConnectionId id = f.connect();
  auto signed_frame = [&](const std::string& channel_data) {
    return presence_subscribe(sign_channel(f.app().credentials(), f.socket_id(id), "presence-room", channel_data),
                              channel_data);
  };
  const std::string long_id = std::string(129, 'u');
  expect_refused(f, id, signed_frame(Json{{"user_id", long_id}}.dump()),
                 "Invalid channel_data for presence-room: user id is 129 characters long; the limit is 128");
  const std::string big = Json{{"user_id", "u1"}, {"user_info", {{"bio", std::string(1024, 'x')}}}}.dump();
  expect_refused(f, id, signed_frame(big),
                 "Invalid channel_data for presence-room: channel_data is " + std::to_string(big.size()) +
                     " bytes; the limit is 1024");
  // At the limits it is fine.
  f.subscribe(id, "presence-room", Json{{"user_id", std::string(128, 'u')}}.dump());
  CHECK(f.engine.channel("1", "presence-room", f.now).members.size() == 1);
}

TEST_CASE("a full presence channel refuses a new user but lets an existing member's other connection in",
          "[engine][presence]") {
  EngineOptions options = test_options();
  options.limits.presence_members_max = 2;
  EngineFixture f(options);
  ConnectionId a = f.connect();
  ConnectionId b = f.connect();
  ConnectionId c = f.connect();
  ConnectionId a2 = f.connect();
  f.join_presence(a, "presence-room", "u1");
  f.join_presence(b, "presence-room", "u2");
  f.take(a);
  const std::string data = R"({"user_id":"u3"})";
  expect_refused(f, c,
                 presence_subscribe(sign_channel(f.app().credentials(), f.socket_id(c), "presence-room", data), data),
                 "Cannot subscribe to presence-room: the presence channel is full (2 members)");
  f.subscribe(a2, "presence-room", R"({"user_id":"u1"})");
  auto frames = f.take(a2);
  REQUIRE(frames.size() == 1);
  CHECK(frames[0].find("subscription_succeeded") != std::string::npos);
  CHECK(f.engine.channel("1", "presence-room", f.now).subscription_count == 3);
  // A place frees up when a user leaves.
  f.close(b);
  f.subscribe(c, "presence-room", data);
  CHECK(f.engine.channel("1", "presence-room", f.now).members.size() == 2);
}

TEST_CASE("resubscribing to presence answers with the current members and changes nothing", "[engine][presence]") {
  EngineFixture f;
  ConnectionId a = f.connect();
  ConnectionId b = f.connect();
  f.join_presence(a, "presence-room", "u1");
  f.join_presence(b, "presence-room", "u2");
  f.take(a);
  f.take_webhooks();
  f.subscribe(b, "presence-room", R"({"user_id":"u2"})");
  Json presence = {{"count", 2}, {"hash", {{"u1", nullptr}, {"u2", nullptr}}}, {"ids", {"u1", "u2"}}};
  CHECK(f.take(b) == std::vector<std::string>{presence_succeeded("presence-room", presence)});
  CHECK(f.nothing_sent());
  CHECK(f.take_webhooks().empty());
}
