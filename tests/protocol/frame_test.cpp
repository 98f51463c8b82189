#include <catch2/catch.hpp>

#include "protocol/frame.hpp"

using namespace pushsim;

TEST_CASE("decode_frame reads the envelope and keeps string data as a string", "[frame]") {
  auto frame = decode_frame(
      R"({"event":"pusher:connection_established","data":"{\"socket_id\":\"1.2\",\"activity_timeout\":120}"})");
  REQUIRE(frame.ok());
  CHECK(frame->event == "pusher:connection_established");
  CHECK_FALSE(frame->channel.has_value());
  REQUIRE(frame->data.has_value());
  CHECK(frame->data->is_string());
  CHECK(frame->decoded_data() == Json{{"socket_id", "1.2"}, {"activity_timeout", 120}});
}

TEST_CASE("decode_frame keeps object data as an object", "[frame]") {
  auto frame = decode_frame(R"({"event":"pusher:subscribe","data":{"auth":"","channel":"my-channel"}})");
  REQUIRE(frame.ok());
  CHECK(frame->data->is_object());
  CHECK(frame->decoded_data()["channel"] == "my-channel");
}

TEST_CASE("decoded_data keeps a string that is not JSON as the raw string", "[frame]") {
  auto frame = decode_frame(R"({"event":"my-event","channel":"c","data":"plain string"})");
  REQUIRE(frame.ok());
  CHECK(frame->decoded_data() == Json("plain string"));
}

TEST_CASE("decode_frame reads user_id on relayed presence client events", "[frame]") {
  auto frame = decode_frame(R"({"event":"client-typing","channel":"presence-foo","data":{"x":1},"user_id":"u1"})");
  REQUIRE(frame.ok());
  CHECK(frame->user_id == std::optional<std::string>("u1"));
}

TEST_CASE("decode_frame rejects malformed frames with a message naming the fault", "[frame]") {
  struct Case {
    const char* text;
    const char* message;
  };
  const Case cases[] = {
      {"", "frame is not valid JSON"},
      {"{", "frame is not valid JSON"},
      {"{\"event\":\"a\"} trailing", "frame is not valid JSON"},
      {"[1,2]", "frame must be a JSON object, got an array"},
      {"\"text\"", "frame must be a JSON object, got a string"},
      {"{}", "frame has no \"event\" field"},
      {"{\"event\":42}", "\"event\" must be a string, got a number"},
      {"{\"event\":\"e\",\"channel\":5}", "\"channel\" must be a string, got a number"},
      {"{\"event\":\"e\",\"channel\":{}}", "\"channel\" must be a string, got an object"},
      {"{\"event\":\"e\",\"user_id\":true}", "\"user_id\" must be a string, got a boolean"},
      {"{\"event\":\"\xff\"}", "frame is not valid JSON"},
  };
  for (const auto& c : cases) {
    INFO(c.text);
    auto frame = decode_frame(c.text);
    REQUIRE_FALSE(frame.ok());
    CHECK(frame.error().message == c.message);
  }
}

TEST_CASE("encode_frame writes keys in the official order", "[frame]") {
  Frame frame{"client-typing", "presence-foo", Json{{"x", 1}}, "u1"};
  CHECK(encode_frame(frame) == R"({"event":"client-typing","channel":"presence-foo","data":{"x":1},"user_id":"u1"})");
  CHECK(encode_frame(Frame{"pusher:cache_miss", "cache-x", std::nullopt, std::nullopt}) ==
        R"({"event":"pusher:cache_miss","channel":"cache-x"})");
}

TEST_CASE("with_string_data double-encodes the payload as official system events do", "[frame]") {
  auto frame = Frame::with_string_data("pusher_internal:subscription_succeeded", "my-channel", Json::object());
  CHECK(encode_frame(frame) ==
        R"({"event":"pusher_internal:subscription_succeeded","channel":"my-channel","data":"{}"})");
}

TEST_CASE("encode then decode gives the same frame, whole and byte by byte prefixes fail cleanly", "[frame]") {
  Frame frame{"my-event", "ch", Json("{\"a\":[1,2,\"\\u00e9\"]}"), std::nullopt};
  const std::string text = encode_frame(frame);
  auto back = decode_frame(text);
  REQUIRE(back.ok());
  CHECK(*back == frame);
  for (std::size_t n = 0; n < text.size(); ++n) {
    INFO("prefix of " << n << " bytes");
    CHECK_FALSE(decode_frame(std::string_view(text).substr(0, n)).ok());
  }
}

TEST_CASE("encode_frame never throws on invalid UTF-8 in values we built", "[frame]") {
  Frame frame{"my-event", std::string("bad\xff"), Json(std::string("\xc3")), std::nullopt};
  std::string text;
  REQUIRE_NOTHROW(text = encode_frame(frame));
  CHECK(text == "{\"event\":\"my-event\",\"channel\":\"bad\xef\xbf\xbd\",\"data\":\"\xef\xbf\xbd\"}");
  REQUIRE_NOTHROW(describe_frame(frame));
}
