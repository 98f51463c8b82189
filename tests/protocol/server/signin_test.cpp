#include <catch2/catch.hpp>

#include "engine_fixture.hpp"

using namespace pushsim;
using namespace pushsim::test;

namespace {

std::string error_frame(int code, const std::string& message) {
  return R"({"event":"pusher:error","data":{"code":)" + std::to_string(code) + R"(,"message":)" + Json(message).dump() +
         "}}";
}

std::string signin_success(const std::string& user_data) {
  return R"({"event":"pusher:signin_success","data":{"user_data":)" + Json(user_data).dump() + "}}";
}

Json signin_frame(const std::string& auth, const std::string& user_data) {
  return Json{{"event", "pusher:signin"}, {"data", {{"auth", auth}, {"user_data", user_data}}}};
}

AppConfig auth_required_app() {
  AppConfig app = test_app();
  app.user_authentication_required = true;
  app.authorization_timeout = seconds(30);
  return app;
}

}  // namespace

TEST_CASE("a valid pusher:signin is answered with signin_success echoing user_data", "[engine][signin]") {
  EngineFixture f;
  ConnectionId id = f.connect();
  const std::string user_data = R"({"id":"u1","user_info":{"name":"Alice"}})";
  f.signin(id, user_data);
  CHECK(f.take(id) == std::vector<std::string>{signin_success(user_data)});
}

TEST_CASE("a sign-in with a bad signature is refused with 4009 and the connection stays", "[engine][signin]") {
  EngineFixture f;
  ConnectionId id = f.connect();
  const std::string sid = f.socket_id(id);
  const std::string user_data = R"({"id":"u1"})";
  f.send_json(id, signin_frame(sign_user(f.app().credentials(), sid, R"({"id":"u2"})"), user_data));
  CHECK(f.take(id) == std::vector<std::string>{error_frame(
                          4009, "Sign-in rejected: invalid signature for " + sid + "::user::" + user_data)});
  CHECK(f.take_closes().empty());
  // Not signed in: the user's own channel stays closed to it.
  f.subscribe(id, "#server-to-user-u1");
  auto frames = f.take(id);
  REQUIRE(frames.size() == 1);
  CHECK(frames[0].find("pusher:error") != std::string::npos);
}

TEST_CASE("a sign-in without string auth and user_data is refused", "[engine][signin]") {
  EngineFixture f;
  ConnectionId id = f.connect();
  f.send(id, R"({"event":"pusher:signin","data":{"user_data":"{\"id\":\"u1\"}"}})");
  CHECK(f.take(id) == std::vector<std::string>{error_frame(4009, "Sign-in rejected: auth must be a string")});
  f.send(id, R"({"event":"pusher:signin","data":{"auth":"app-key:00"}})");
  CHECK(f.take(id) == std::vector<std::string>{error_frame(4009, "Sign-in rejected: user_data must be a string")});
  f.send(id, R"({"event":"pusher:signin"})");
  CHECK(f.take(id) == std::vector<std::string>{error_frame(4009, "Sign-in rejected: data must be an object")});
}

TEST_CASE("signed user_data without a non-empty string id is refused", "[engine][signin]") {
  EngineFixture f;
  ConnectionId id = f.connect();
  const std::string sid = f.socket_id(id);
  auto try_signin = [&](const std::string& user_data) {
    f.send_json(id, signin_frame(sign_user(f.app().credentials(), sid, user_data), user_data));
    return f.take(id);
  };
  CHECK(try_signin("not json") ==
        std::vector<std::string>{error_frame(4009, "Sign-in rejected: user_data must be a JSON object")});
  CHECK(try_signin(R"({"name":"x"})") ==
        std::vector<std::string>{error_frame(4009, "Sign-in rejected: user_data must have a non-empty string id")});
  CHECK(try_signin(R"({"id":""})") ==
        std::vector<std::string>{error_frame(4009, "Sign-in rejected: user_data must have a non-empty string id")});
  CHECK(try_signin(R"({"id":12})") ==
        std::vector<std::string>{error_frame(4009, "Sign-in rejected: user_data must have a non-empty string id")});
}

TEST_CASE("signing in again as another user is refused; as the same user it succeeds", "[engine][signin]") {
  EngineFixture f;
  ConnectionId id = f.connect();
  f.signin(id, R"({"id":"u1"})");
  f.take(id);
  f.signin(id, R"({"id":"u2"})");
  CHECK(f.take(id) == std::vector<std::string>{
                          error_frame(4009, "Sign-in rejected: the connection is already signed in as another user")});
  f.signin(id, R"({"id":"u1","user_info":{"v":2}})");
  CHECK(f.take(id) == std::vector<std::string>{signin_success(R"({"id":"u1","user_info":{"v":2}})")});
}

TEST_CASE("with user authentication required, a connection silent past the timeout is closed with 4009",
          "[engine][signin]") {
  EngineFixture f(test_options(), {auth_required_app()});
  ConnectionId id = f.connect();
  f.subscribe(id, "public-channel");
  f.take(id);
  f.take_webhooks();
  CHECK(f.engine.next_deadline() == std::optional<TimeNs>(f.now + seconds(30)));
  f.advance(seconds(29));
  CHECK(f.take_closes().empty());
  f.take_webhooks();
  f.advance(seconds(1));
  CHECK(f.take(id) == std::vector<std::string>{error_frame(4009, "Connection not authorized within timeout")});
  auto closes = f.take_closes();
  REQUIRE(closes.size() == 1);
  CHECK(closes[0].code == 4009);
  CHECK(f.engine.connection_count() == 0);
  CHECK(f.take_webhooks() == std::vector<Json>{Json{{"name", "channel_vacated"}, {"channel", "public-channel"}}});
}

TEST_CASE("signing in or subscribing to a private or presence channel lifts the authorization deadline",
          "[engine][signin]") {
  EngineFixture f(test_options(), {auth_required_app()});
  ConnectionId signed_in = f.connect();
  ConnectionId private_sub = f.connect();
  ConnectionId presence_sub = f.connect();
  f.signin(signed_in, R"({"id":"u1"})");
  f.subscribe(private_sub, "private-x");
  f.join_presence(presence_sub, "presence-y", "u3");
  f.advance(seconds(31));
  CHECK(f.take_closes().empty());
  CHECK(f.engine.connection_count() == 3);
}

TEST_CASE("without user authentication required, nobody is closed for not signing in", "[engine][signin]") {
  EngineFixture f;
  ConnectionId id = f.connect();
  f.advance(seconds(100));
  CHECK(f.take_closes().empty());
  CHECK(f.engine.socket_id(id).has_value());
}

TEST_CASE("terminate_user_connections closes with 4009 every signed-in connection of that user, and only those",
          "[engine][signin]") {
  EngineFixture f;
  ConnectionId tab1 = f.connect();
  ConnectionId tab2 = f.connect();
  ConnectionId other_user = f.connect();
  ConnectionId anonymous = f.connect();
  f.signin(tab1, R"({"id":"u1"})");
  f.signin(tab2, R"({"id":"u1"})");
  f.signin(other_user, R"({"id":"u2"})");
  f.join_presence(tab1, "presence-room", "u1");
  f.join_presence(anonymous, "presence-room", "u1");  // presence as u1, but not signed in
  f.join_presence(other_user, "presence-room", "u2");
  f.subscribe(tab2, "solo");
  for (ConnectionId id : {tab1, tab2, other_user, anonymous}) f.take(id);
  f.take_webhooks();

  CHECK(f.engine.terminate_user_connections(f.now, f.app(), "u1") == 2);
  const std::string bye = error_frame(4009, "You got disconnected by the app.");
  CHECK(f.take(tab1) == std::vector<std::string>{bye});
  CHECK(f.take(tab2) == std::vector<std::string>{bye});
  auto closes = f.take_closes();
  REQUIRE(closes.size() == 2);
  CHECK(closes[0].connection == tab1);
  CHECK(closes[0].code == 4009);
  CHECK(closes[1].connection == tab2);
  CHECK(closes[1].code == 4009);
  // u1 is still present through the anonymous connection: no member_removed.
  CHECK(f.nothing_sent());
  CHECK(f.take_webhooks() == std::vector<Json>{Json{{"name", "channel_vacated"}, {"channel", "solo"}}});
  CHECK(f.engine.connection_count() == 2);
  CHECK(f.engine.terminate_user_connections(f.now, f.app(), "nobody") == 0);
  // A later on_closed from the driver for a terminated connection is ignored.
  f.close(tab1);
  CHECK(f.nothing_sent());
  CHECK(f.take_closes().empty());
}
