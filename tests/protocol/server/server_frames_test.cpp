#include <catch2/catch.hpp>

#include <string>
#include <vector>

#include "protocol/frame.hpp"
#include "protocol/server/server_frames.hpp"

using namespace pushsim;

TEST_CASE("channel_event's hand-written fast path encodes exactly as encode_frame does", "[engine][frames]") {
  const std::vector<std::string> data = {
      "",
      "plain text",
      R"({"message":"hello","n":1})",
      R"(quote " and backslash \ and both \")",
      R"(\\\\"""")",
      "tab\there, newline\nthere, bell\x07",
      "del \x7f",
      "caf\xc3\xa9 \xe2\x82\xac",  // UTF-8
      "bad \xff\xfe utf-8",        // replaced with U+FFFD on both paths
      std::string(10 * 1024, 'x'),
  };
  for (const auto& text : data) {
    Frame frame;
    frame.event = "my-event";
    frame.channel = "private-ch";
    frame.data = Json(text);
    INFO("data: " << text.substr(0, 40));
    CHECK(server_frames::channel_event("private-ch", "my-event", text) == encode_frame(frame));
  }
}
