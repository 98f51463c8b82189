#include <catch2/catch.hpp>

#include "fakes/trace.hpp"

using namespace pushsim;
using namespace pushsim::fakes;

TEST_CASE("trace serialises a header and one JSON line per record in order", "[trace]") {
  Trace trace(RunId{"presence join", 42, "calm"});
  const EndpointId server = trace.endpoint("server");
  const EndpointId alice = trace.endpoint("alice");
  CHECK(trace.endpoint("server") == server);
  trace.record(kSimulationEpoch + 5, TraceKind::kSend, alice, server, 1, std::string(R"({"event":"pusher:ping"})"));
  trace.record(kSimulationEpoch + 9, TraceKind::kDeliver, alice, server, 1, std::string("say \"hi\"\n"));
  CHECK(trace.to_json_lines() ==
        "{\"run\":{\"scenario\":\"presence join\",\"seed\":42,\"faults\":\"calm\"},\"records\":2,\"truncated\":false}\n"
        "{\"at\":1700000000000000005,\"kind\":\"send\",\"from\":\"alice\",\"to\":\"server\",\"link\":1,"
        "\"text\":\"{\\\"event\\\":\\\"pusher:ping\\\"}\"}\n"
        "{\"at\":1700000000000000009,\"kind\":\"deliver\",\"from\":\"alice\",\"to\":\"server\",\"link\":1,"
        "\"text\":\"say \\\"hi\\\"\\n\"}\n");
}

TEST_CASE("trace digest changes with any record and not otherwise", "[trace]") {
  auto build = [](std::string text) {
    Trace trace(RunId{"s", 1, "none"});
    trace.record(kSimulationEpoch, TraceKind::kNote, 0, 0, 0, std::move(text));
    return trace.digest();
  };
  CHECK(build("a") == build("a"));
  CHECK(build("a") != build("b"));
}

TEST_CASE("trace survives text that is not UTF-8", "[trace]") {
  Trace trace(RunId{"s", 1, "none"});
  trace.record(kSimulationEpoch, TraceKind::kNote, 0, 0, 0, std::string("\xff\xfe"));
  CHECK(trace.line(trace.records().front()).find("\"text\":\"\xEF\xBF\xBD\xEF\xBF\xBD\"") != std::string::npos);
}

TEST_CASE("trace stops at its record limit and says so", "[trace]") {
  Trace trace(RunId{"s", 1, "none"}, 2);
  for (int i = 0; i < 5; ++i) trace.record(kSimulationEpoch, TraceKind::kNote, 0, 0, 0, std::string("x"));
  CHECK(trace.records().size() == 2);
  CHECK(trace.truncated());
  CHECK(trace.header_line().find("\"truncated\":true") != std::string::npos);
}
