// The wire log's lines: console and JSON formats, masking, truncation, and the order of lines
// from scenarios that run at once.
#include "net/wire_log.hpp"

#include <catch2/catch.hpp>

#include <sstream>
#include <thread>

#include "protocol/json.hpp"

using namespace pushsim;

namespace {

constexpr TimeNs kOrigin = 1'000'000'000'000;

WireEvent frame_out(std::string_view party, std::string_view text, TimeNs after = 12'003'456'789) {
  return WireEvent{kOrigin + after, "frame", party, WireDirection::kOut, std::nullopt, text};
}

}  // namespace

TEST_CASE("a console line reads like Pusher.log: time, party, arrow, then the frame") {
  std::ostringstream out;
  WireLog log(out, {});
  CHECK(log.line(frame_out("alice", R"({"event":"pusher:ping"})"), "", kOrigin) ==
        "[12.003s alice ->] {\"event\":\"pusher:ping\"}\n");
  WireEvent rest{kOrigin + 5'000'000, "rest", "rest", WireDirection::kIn, std::nullopt, "200 {}"};
  CHECK(log.line(rest, "", kOrigin) == "[0.005s rest <-] 200 {}\n");
  WireEvent on_node{kOrigin, "close", "bob", WireDirection::kIn, 2, "4009 unauthorized"};
  CHECK(log.line(on_node, "presence.3", kOrigin) == "[0.000s bob@node2 <-] close 4009 unauthorized\n");
  WireLogOptions several;
  several.scenario_ids = true;
  WireLog named(out, several);
  CHECK(named.line(on_node, "presence.3", kOrigin) == "[presence.3 0.000s bob@node2 <-] close 4009 unauthorized\n");
}

TEST_CASE("a JSON line holds every field and the whole text") {
  std::ostringstream out;
  WireLogOptions options;
  options.format = WireLogFormat::kJsonLines;
  options.console_text_max = 10;
  WireLog log(out, options);
  const std::string text = "{\"event\":\"big\",\"data\":\"" + std::string(100, 'x') + "\"}";
  WireEvent event{kOrigin + 1'500'000'000, "frame", "alice", WireDirection::kIn, 1, text};
  const std::string line = log.line(event, "private.2", kOrigin);
  REQUIRE(line.back() == '\n');
  const Json parsed = Json::parse(line);
  CHECK(parsed["t"].get<double>() == Approx(1.5));
  CHECK(parsed["scenario"] == "private.2");
  CHECK(parsed["kind"] == "frame");
  CHECK(parsed["client"] == "alice");
  CHECK(parsed["direction"] == "in");
  CHECK(parsed["node"] == 1);
  CHECK(parsed["text"] == text);  // never cut in the file
  CHECK(line.starts_with("{\"t\":1.500000000,\"scenario\":"));
}

TEST_CASE("a long console line is cut with a marker, never inside a UTF-8 character") {
  std::ostringstream out;
  WireLogOptions options;
  options.console_text_max = 6;
  WireLog log(out, options);
  CHECK(log.line(frame_out("a", "abcdefghij"), "", kOrigin) == "[12.003s a ->] abcdef... [4 more bytes]\n");
  // "abcde" then a two-byte é: cutting at 6 would split it.
  CHECK(log.line(frame_out("a", "abcde\xC3\xA9xyz"), "", kOrigin) == "[12.003s a ->] abcde... [5 more bytes]\n");
  CHECK(log.line(frame_out("a", "ab\ncd"), "", kOrigin) == "[12.003s a ->] ab cd\n");
}

TEST_CASE("redact hides the secret and every signature, keeping the key that signed") {
  const std::vector<std::string> secrets{"app-secret"};
  CHECK(redact("secret is app-secret, twice app-secret", secrets) == "secret is <secret>, twice <secret>");
  CHECK(redact(R"({"event":"pusher:subscribe","data":{"auth":"app-key:0a1B2c","channel":"private-a"}})", secrets) ==
        R"({"event":"pusher:subscribe","data":{"auth":"app-key:<redacted>","channel":"private-a"}})");
  CHECK(redact(R"({"data":"{\"auth\":\"app-key:abcdef\"}"})", secrets) ==
        R"({"data":"{\"auth\":\"app-key:<redacted>\"}"})");
  CHECK(redact("GET /apps/1/channels?auth_key=k&auth_signature=deadBEEF&x=1", secrets) ==
        "GET /apps/1/channels?auth_key=k&auth_signature=<redacted>&x=1");
  CHECK(redact("POST /hooks X-Pusher-Key: app-key X-Pusher-Signature: 0f0f answered 200", secrets) ==
        "POST /hooks X-Pusher-Key: app-key X-Pusher-Signature: <redacted> answered 200");
  const std::string digest(64, 'a');
  CHECK(redact("Invalid signature: got app-key:" + digest + ".", secrets) ==
        "Invalid signature: got app-key:<redacted>.");
  CHECK(redact("body_md5=" + std::string(32, 'b'), secrets) == "body_md5=" + std::string(32, 'b'));
  CHECK(redact("nothing to hide", secrets) == "nothing to hide");
}

TEST_CASE("every line is masked, with the log's secrets and those a producer adds") {
  std::ostringstream out;
  WireLogOptions options;
  options.secrets = {"run-secret"};
  WireLog log(out, options);
  auto sink = log.scenario(0, "x.1", kOrigin);
  sink->mask("scenario-secret");
  sink->record(frame_out("alice", R"({"auth":"k:00ff","s":"run-secret scenario-secret"})"));
  CHECK(out.str() == "[12.003s alice ->] {\"auth\":\"k:<redacted>\",\"s\":\"<secret> <secret>\"}\n");
}

TEST_CASE("webhook text names the request, the answer and the body") {
  CHECK(webhook_wire_text("POST /hooks", 200, true, "", "{}") == "POST /hooks answered 200, valid\n{}");
  CHECK(webhook_wire_text("", 0, false, "bad signature", "{}") == "answered nothing, invalid: bad signature\n{}");
}

TEST_CASE("seconds_text is integer arithmetic") {
  CHECK(seconds_text(0, 3) == "0.000");
  CHECK(seconds_text(12'003'456'789, 3) == "12.003");
  CHECK(seconds_text(12'003'456'789, 9) == "12.003456789");
  CHECK(seconds_text(-1'500'000, 3) == "-0.001");
}

TEST_CASE("ordered blocks come out in suite order, whichever scenario ends first") {
  std::ostringstream out;
  WireLogOptions options;
  options.scenario_ids = true;
  options.ordered_blocks = true;
  WireLog log(out, options);
  {
    auto second = log.scenario(1, "b.1", kOrigin);
    second->record(frame_out("bob", "2"));
  }
  log.end(1);
  CHECK(out.str().empty());  // held until scenario 0 ends
  {
    auto first = log.scenario(0, "a.1", kOrigin);
    first->record(frame_out("alice", "1"));
  }
  log.end(0);
  log.end(2);  // a scenario that never ran (skipped) ends too
  CHECK(out.str() == "[a.1 12.003s alice ->] 1\n[b.1 12.003s bob ->] 2\n");
}

TEST_CASE("streamed lines from parallel scenarios never interleave within a line") {
  std::ostringstream out;
  WireLogOptions options;
  options.scenario_ids = true;
  WireLog log(out, options);
  const std::string payload(200, 'p');
  auto write_many = [&](std::size_t index, std::string id) {
    auto sink = log.scenario(index, id, kOrigin);
    for (int i = 0; i < 500; ++i) sink->record(frame_out("c", payload));
  };
  std::thread a(write_many, 0, "a.1");
  std::thread b(write_many, 1, "b.1");
  a.join();
  b.join();
  std::istringstream lines(out.str());
  std::size_t count = 0;
  for (std::string line; std::getline(lines, line); ++count) {
    const bool whole = line == "[a.1 12.003s c ->] " + payload || line == "[b.1 12.003s c ->] " + payload;
    REQUIRE(whole);
  }
  CHECK(count == 1000);
}
