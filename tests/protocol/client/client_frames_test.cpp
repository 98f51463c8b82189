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

TEST_CASE("the signin vector's message is the pusher-js signin frame", "[client][frames]") {
  // vectors.json (user_signin_auth, made with the Node SDK): the auth and user_data the app
  // returns, and the message pusher-js sends with them, keys in pusher-js's order.
  const std::string auth = "app-key:0b79e508b8fbb09005f304d3065a0bbd4f3a22f8d836c4c636435d2d695b3e06";
  const std::string user_data = R"({"id":"u1","user_info":{"name":"Alice"},"watchlist":["u2","u3"]})";
  CHECK(
      encode_signin(Json(auth), Json(user_data)) ==
      R"({"event":"pusher:signin","data":{"auth":"app-key:0b79e508b8fbb09005f304d3065a0bbd4f3a22f8d836c4c636435d2d695b3e06","user_data":"{\"id\":\"u1\",\"user_info\":{\"name\":\"Alice\"},\"watchlist\":[\"u2\",\"u3\"]}"}})");
}

TEST_CASE("the presence vector's auth and channel_data make pusher-js's subscribe", "[client][frames]") {
  const std::string auth = "app-key:ba2d0374d23d93a25bc53a8025f968dc6efceae14f440e3d125cced4323c9df1";
  const std::string channel_data = R"({"user_id":"u1","user_info":{"name":"Alice"}})";
  CHECK(
      encode_subscribe(Json(auth), Json(channel_data), "presence-foo") ==
      R"({"event":"pusher:subscribe","data":{"auth":"app-key:ba2d0374d23d93a25bc53a8025f968dc6efceae14f440e3d125cced4323c9df1","channel_data":"{\"user_id\":\"u1\",\"user_info\":{\"name\":\"Alice\"}}","channel":"presence-foo"}})");
}

TEST_CASE("the canonical subscribe sorts data keys: channel before channel_data", "[client][frames]") {
  CHECK(
      encode_subscribe(Json("k:s"), Json(R"({"user_id":"u1"})"), "presence-foo", FrameForm::kCanonical) ==
      R"({"event":"pusher:subscribe","data":{"auth":"k:s","channel":"presence-foo","channel_data":"{\"user_id\":\"u1\"}"}})");
  CHECK(encode_subscribe(std::nullopt, std::nullopt, "my-channel", FrameForm::kCanonical) ==
        R"({"event":"pusher:subscribe","data":{"channel":"my-channel"}})");
  CHECK(encode_subscribe(std::nullopt, Json("{}"), "presence-x", FrameForm::kCanonical) ==
        R"({"event":"pusher:subscribe","data":{"channel":"presence-x","channel_data":"{}"}})");
}

TEST_CASE("canonical frames are what encode_frame writes for the same frame", "[client][frames]") {
  Json subscribe{{"auth", "k:s"}, {"channel", "presence-foo"}, {"channel_data", R"({"user_id":"u1"})"}};
  CHECK(encode_subscribe(Json("k:s"), Json(R"({"user_id":"u1"})"), "presence-foo", FrameForm::kCanonical) ==
        encode_frame(Frame::with_object_data("pusher:subscribe", std::nullopt, subscribe)));
  Json data{{"b", 2}, {"a", "\xc3\xa9"}};
  CHECK(encode_client_event("client-x", data, "private-a", FrameForm::kCanonical) ==
        encode_frame(Frame::with_object_data("client-x", "private-a", data)));
}

TEST_CASE("the canonical client event puts channel before data", "[client][frames]") {
  CHECK(encode_client_event("client-typing", Json{{"x", 1}}, "presence-foo", FrameForm::kCanonical) ==
        R"({"event":"client-typing","channel":"presence-foo","data":{"x":1}})");
}
