#include <catch2/catch.hpp>

#include <string>
#include <vector>

#include "load/detail/ws_frame_reader.hpp"
#include "load/fanout_options.hpp"

namespace pushsim::load::detail {
namespace {

// An unmasked frame, as a server sends it.
std::string server_frame(WsOpcode opcode, std::string_view payload, bool fin = true) {
  std::string out;
  out.push_back(static_cast<char>((fin ? 0x80 : 0) | static_cast<int>(opcode)));
  if (payload.size() < 126) {
    out.push_back(static_cast<char>(payload.size()));
  } else if (payload.size() <= 0xffff) {
    out.push_back(126);
    out.push_back(static_cast<char>(payload.size() >> 8));
    out.push_back(static_cast<char>(payload.size() & 0xff));
  } else {
    out.push_back(127);
    for (int shift = 56; shift >= 0; shift -= 8) out.push_back(static_cast<char>((payload.size() >> shift) & 0xff));
  }
  out += payload;
  return out;
}

struct Received {
  WsOpcode opcode;
  std::string payload;
  bool operator==(const Received&) const = default;
};

struct Feeder {
  WsFrameReader reader{1024 * 1024};
  std::vector<Received> received;
  std::optional<std::string> error;

  void feed(std::string_view bytes) {
    error = reader.feed(bytes, [&](const WsMessage& m) { received.push_back({m.opcode, std::string(m.payload)}); });
  }
};

// The same bytes whole, then one byte at a time, then in chunks of 7: the same messages.
std::vector<Received> read_in_pieces(const std::string& bytes, std::size_t piece) {
  Feeder feeder;
  for (std::size_t at = 0; at < bytes.size(); at += piece) {
    feeder.feed(std::string_view(bytes).substr(at, piece));
    REQUIRE_FALSE(feeder.error.has_value());
  }
  CHECK(feeder.reader.carried_bytes() == 0);
  return feeder.received;
}

}  // namespace

TEST_CASE("ws frame reader: messages come out whole however the reads cut them", "[load][ws]") {
  const std::string big(70'000, 'b');  // a 64-bit length
  const std::string mid(300, 'm');     // a 16-bit length
  std::string stream = server_frame(WsOpcode::kText, "hello") + server_frame(WsOpcode::kText, mid) +
                       server_frame(WsOpcode::kPing, "p") + server_frame(WsOpcode::kBinary, big) +
                       server_frame(WsOpcode::kText, "");
  const std::vector<Received> expected = {{WsOpcode::kText, "hello"},
                                          {WsOpcode::kText, mid},
                                          {WsOpcode::kPing, "p"},
                                          {WsOpcode::kBinary, big},
                                          {WsOpcode::kText, ""}};
  CHECK(read_in_pieces(stream, stream.size()) == expected);
  CHECK(read_in_pieces(stream, 1) == expected);
  CHECK(read_in_pieces(stream, 7) == expected);
}

TEST_CASE("ws frame reader: fragments join into one message; control frames pass between them", "[load][ws]") {
  const std::string stream = server_frame(WsOpcode::kText, "ab", false) + server_frame(WsOpcode::kPing, "x") +
                             server_frame(WsOpcode::kContinuation, "cd", false) +
                             server_frame(WsOpcode::kContinuation, "ef");
  const std::vector<Received> expected = {{WsOpcode::kPing, "x"}, {WsOpcode::kText, "abcdef"}};
  CHECK(read_in_pieces(stream, stream.size()) == expected);
  CHECK(read_in_pieces(stream, 1) == expected);
}

TEST_CASE("ws frame reader: what a server must not send is an error naming the frame", "[load][ws]") {
  auto error_of = [](const std::string& bytes, std::size_t max = 1024) {
    WsFrameReader reader(max);
    auto error = reader.feed(bytes, [](const WsMessage&) {});
    return error.value_or("no error");
  };
  std::string masked = server_frame(WsOpcode::kText, "hi");
  masked[1] = static_cast<char>(masked[1] | 0x80);
  CHECK_THAT(error_of(masked), Catch::Contains("masked") && Catch::Contains("81 82"));
  std::string reserved_bits = server_frame(WsOpcode::kText, "hi");
  reserved_bits[0] = static_cast<char>(reserved_bits[0] | 0x40);
  CHECK_THAT(error_of(reserved_bits), Catch::Contains("reserved bits"));
  CHECK_THAT(error_of(std::string("\x83\x00", 2)), Catch::Contains("reserved opcode 3"));
  CHECK_THAT(error_of(server_frame(WsOpcode::kPing, std::string(126, 'p'))), Catch::Contains("control frame"));
  CHECK_THAT(error_of(server_frame(WsOpcode::kPing, "p", false)), Catch::Contains("control frame"));
  CHECK_THAT(error_of(server_frame(WsOpcode::kContinuation, "c")), Catch::Contains("no message to continue"));
  CHECK_THAT(error_of(server_frame(WsOpcode::kText, "a", false) + server_frame(WsOpcode::kText, "b")),
             Catch::Contains("before the fragmented one ended"));
  CHECK_THAT(error_of(server_frame(WsOpcode::kText, std::string(2000, 'x'))),
             Catch::Contains("over the limit of 1024"));
  CHECK_THAT(error_of(server_frame(WsOpcode::kText, std::string(600, 'x'), false) +
                      server_frame(WsOpcode::kContinuation, std::string(600, 'y'))),
             Catch::Contains("fragmented message over 1024"));
  // A length of 2^63 and more, announced in a header that arrived alone: refused at once,
  // nothing buffered for it.
  CHECK_THAT(error_of(std::string("\x81\x7f\x80\x00\x00\x00\x00\x00\x00\x00", 10)), Catch::Contains("over the limit"));
}

TEST_CASE("ws frame reader: a failed stream stays failed and delivers nothing more", "[load][ws]") {
  Feeder feeder;
  feeder.feed(server_frame(WsOpcode::kContinuation, "c"));
  REQUIRE(feeder.error.has_value());
  feeder.feed(server_frame(WsOpcode::kText, "after"));
  CHECK(feeder.error.has_value());
  CHECK(feeder.received.empty());
}

TEST_CASE("ws frame reader: a frame cut anywhere keeps only its own bytes", "[load][ws]") {
  const std::string frame = server_frame(WsOpcode::kText, std::string(200, 'z'));
  Feeder feeder;
  feeder.feed(frame + frame.substr(0, 3));
  CHECK(feeder.received.size() == 1);
  CHECK(feeder.reader.carried_bytes() == 3);
  feeder.feed(frame.substr(3));
  CHECK(feeder.received.size() == 2);
  CHECK(feeder.reader.carried_bytes() == 0);
}

// The generator's hot path: a stamp in a frame that arrived in pieces is found once the frame
// is whole, and frames without a (whole) stamp are not counted.
TEST_CASE("fanout stamp: found in reassembled frames, not in garbage or truncated stamps", "[load][ws][fanout]") {
  const std::string data = fanout_payload(2, 123'456'789, 17, 100);
  const std::string frame_text = R"({"event":"update","channel":"bench-0","data":")" + data + R"("})";
  const std::string stream = server_frame(WsOpcode::kText, frame_text.substr(0, 40), false) +
                             server_frame(WsOpcode::kContinuation, frame_text.substr(40));
  for (std::size_t piece : {std::size_t{1}, std::size_t{5}, stream.size()}) {
    const auto messages = read_in_pieces(stream, piece);
    REQUIRE(messages.size() == 1);
    auto stamp = find_fanout_stamp(messages[0].payload);
    REQUIRE(stamp.has_value());
    CHECK(stamp->run == 2);
    CHECK(stamp->scheduled_ns == 123'456'789);
    CHECK(stamp->seq == 17);
  }
  // A stamp cut by a frame boundary is in neither half.
  CHECK_FALSE(find_fanout_stamp(frame_text.substr(0, frame_text.find(" t=") + 5)).has_value());
  CHECK_FALSE(find_fanout_stamp(frame_text.substr(frame_text.find(" t="))).has_value());
  CHECK_FALSE(find_fanout_stamp("").has_value());
  CHECK_FALSE(find_fanout_stamp("pushsim-bench r=").has_value());
  CHECK_FALSE(find_fanout_stamp("pushsim-bench r=1 t=99999999999999999999999 s=1").has_value());  // overflow
  CHECK_FALSE(find_fanout_stamp("pushsim-bench r=x t=1 s=1").has_value());
  CHECK_FALSE(find_fanout_stamp(std::string("pushsim-bench r=1 t=5 s=\0", 25)).has_value());
  CHECK_FALSE(find_fanout_stamp(std::string(5000, '\xff')).has_value());
}

}  // namespace pushsim::load::detail
