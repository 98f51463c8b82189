#include <catch2/catch.hpp>

#include "protocol/client/client_frames.hpp"

using namespace pushsim;

TEST_CASE("public subscribe carries an empty auth, as pusher-js sends it", "[client][frames]") {
  CHECK(encode_subscribe(Json(""), std::nullopt, "my-channel") ==
        R"({"event":"pusher:subscribe","data":{"auth":"","channel":"my-channel"}})");
}

TEST_CASE("presence subscribe puts channel_data before channel, as a string", "[client][frames]") {
  Json channel_data = R"({"user_id":"u1","user_info":{"name":"Alice"}})";
  CHECK(
      encode_subscribe(Json("app-key:abc"), channel_data, "presence-foo") ==
      R"({"event":"pusher:subscribe","data":{"auth":"app-key:abc","channel_data":"{\"user_id\":\"u1\",\"user_info\":{\"name\":\"Alice\"}}","channel":"presence-foo"}})");
}

TEST_CASE("subscribe leaves out an absent auth, as JSON.stringify leaves out undefined", "[client][frames]") {
  CHECK(encode_subscribe(std::nullopt, std::nullopt, "private-foo") ==
        R"({"event":"pusher:subscribe","data":{"channel":"private-foo"}})");
}

TEST_CASE("unsubscribe, signin, ping and pong have the pusher-js forms", "[client][frames]") {
  CHECK(encode_unsubscribe("my-channel") == R"({"event":"pusher:unsubscribe","data":{"channel":"my-channel"}})");
  CHECK(encode_signin(Json("app-key:sig"), Json(R"({"id":"u1"})")) ==
        R"({"event":"pusher:signin","data":{"auth":"app-key:sig","user_data":"{\"id\":\"u1\"}"}})");
  CHECK(encode_ping() == R"({"event":"pusher:ping","data":{}})");
  CHECK(encode_pong() == R"({"event":"pusher:pong","data":{}})");
}

TEST_CASE("client events put data before channel", "[client][frames]") {
  CHECK(encode_client_event("client-typing", Json{{"x", 1}}, "presence-foo") ==
        R"({"event":"client-typing","data":{"x":1},"channel":"presence-foo"})");
  CHECK(encode_client_event("client-s", Json("text"), "private-a") ==
        R"({"event":"client-s","data":"text","channel":"private-a"})");
}

TEST_CASE("encoding never throws on bytes that are not UTF-8", "[client][frames]") {
  std::string bad = "private-\xff";
  CHECK(encode_unsubscribe(bad) ==
        "{\"event\":\"pusher:unsubscribe\",\"data\":{\"channel\":\"private-\xEF\xBF\xBD\"}}");
}
