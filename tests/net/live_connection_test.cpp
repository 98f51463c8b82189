// The live client against deliberately misbehaving servers: every failure is an error value
// that names what happened, returned within the deadline.
#include <catch2/catch.hpp>

#include "net/live_connection.hpp"
#include "support/rogue_server.hpp"

namespace pushsim::test {

using namespace std::chrono_literals;

namespace {

struct RogueFixture {
  explicit RogueFixture(Misbehaviour misbehaviour, LiveConnectionOptions options = {}) : server(loop, misbehaviour) {
    options.url = server.url();
    connection = std::make_unique<LiveConnection>(loop, options);
  }

  // Connects with a short deadline; checks the answer came by it (with a loaded machine's slack:
  // without a deadline these servers would hold the connect for ever).
  std::optional<Error> connect(std::chrono::milliseconds timeout = 400ms) {
    auto started = std::chrono::steady_clock::now();
    auto error = connection->connect(deadline_after(timeout));
    CHECK(std::chrono::steady_clock::now() - started < timeout + 10s);
    return error;
  }

  IoLoop loop;
  RogueServer server;
  std::unique_ptr<LiveConnection> connection;
};

}  // namespace

TEST_CASE("live client: a server that never answers the upgrade times the connect out", "[net][live]") {
  RogueFixture fixture(Misbehaviour::kSilentUpgrade);
  auto error = fixture.connect();
  REQUIRE(error.has_value());
  CHECK_THAT(error->message, Catch::StartsWith("connect timed out after 400 ms waiting for an answer to the "
                                               "WebSocket upgrade request from 127.0.0.1:"));
  CHECK(fixture.connection->stage() == LiveStage::kClosed);
}

TEST_CASE("live client: an upgrade answered with 404 is a refused upgrade", "[net][live]") {
  RogueFixture fixture(Misbehaviour::kHttp404);
  auto error = fixture.connect();
  REQUIRE(error.has_value());
  CHECK_THAT(error->message, Catch::StartsWith("connect failed: WebSocket upgrade refused by 127.0.0.1:"));
  CHECK_THAT(error->message, Catch::EndsWith(": HTTP 404 Not Found"));
}

TEST_CASE("live client: a server that never sends connection_established times the connect out", "[net][live]") {
  RogueFixture fixture(Misbehaviour::kNoEstablished);
  auto error = fixture.connect();
  REQUIRE(error.has_value());
  CHECK_THAT(error->message, Catch::StartsWith("connect timed out after 400 ms waiting for "
                                               "pusher:connection_established from 127.0.0.1:"));
}

TEST_CASE("live client: garbage instead of the handshake fails the connect", "[net][live]") {
  RogueFixture fixture(Misbehaviour::kGarbage);
  auto error = fixture.connect();
  REQUIRE(error.has_value());
  CHECK_THAT(error->message, Catch::StartsWith("connect failed: garbage frame: "));
  CHECK_THAT(error->message, Catch::EndsWith(": this is not json{"));
  REQUIRE(fixture.connection->frames().size() == 1);
  CHECK(fixture.connection->frames()[0].text == "this is not json{");
}

TEST_CASE("live client: garbage after the handshake is recorded and the connection stays", "[net][live]") {
  RogueFixture fixture(Misbehaviour::kGarbageLater);
  REQUIRE_FALSE(fixture.connect().has_value());
  auto& connection = *fixture.connection;
  REQUIRE_FALSE(
      connection.wait_for([&] { return !connection.errors().empty(); }, deadline_after(1s), "an error").has_value());
  CHECK_THAT(connection.errors()[0].message, Catch::StartsWith("garbage frame: "));
  CHECK_THAT(connection.errors()[0].message, Catch::EndsWith(": {\"event\":"));
  CHECK(connection.stage() == LiveStage::kOpen);
  CHECK(connection.client().state() == ConnectionState::kConnected);
}

TEST_CASE("live client: a binary frame is recorded as an error", "[net][live]") {
  RogueFixture fixture(Misbehaviour::kBinaryLater);
  REQUIRE_FALSE(fixture.connect().has_value());
  auto& connection = *fixture.connection;
  REQUIRE_FALSE(
      connection.wait_for([&] { return !connection.errors().empty(); }, deadline_after(1s), "an error").has_value());
  CHECK(connection.errors()[0].message == "binary frame of 3 bytes received: the protocol uses text frames only");
}

TEST_CASE("live client: a TCP close in the middle of a frame fails the connect", "[net][live]") {
  RogueFixture fixture(Misbehaviour::kCloseMidFrame);
  auto error = fixture.connect();
  REQUIRE(error.has_value());
  CHECK_THAT(error->message,
             Catch::StartsWith("connect failed: server closed the TCP connection without a WebSocket close frame"));
}

TEST_CASE("live client: a 10 MB frame exceeds the 1 MiB limit and ends the connection", "[net][live]") {
  RogueFixture fixture(Misbehaviour::kHugeFrame);
  auto error = fixture.connect(1000ms);
  REQUIRE(error.has_value());
  CHECK(error->message == "connect failed: server sent a message larger than the 1048576-byte limit");
  CHECK(fixture.connection->frames().empty());
}

TEST_CASE("live client: connection_established with data of the wrong type fails the connect", "[net][live]") {
  RogueFixture fixture(Misbehaviour::kWrongDataType);
  auto error = fixture.connect();
  REQUIRE(error.has_value());
  CHECK_THAT(error->message, Catch::Contains("invalid handshake: connection_established data is not an object"));
  CHECK_THAT(error->message, Catch::EndsWith(R"({"event":"pusher:connection_established","data":42})"));
}

TEST_CASE("live client: a server that stops reading ends the connection once a write stalls", "[net][live]") {
  LiveConnectionOptions options;
  options.write_stall_max = 300ms;
  RogueFixture fixture(Misbehaviour::kStopReading, options);
  REQUIRE_FALSE(fixture.connect().has_value());
  auto& connection = *fixture.connection;
  // 8 MB: more than the loopback socket buffers hold while nobody reads.
  const std::string megabyte(1024 * 1024, 'x');
  for (int i = 0; i < 8; ++i) connection.send_raw(megabyte);
  const auto started = std::chrono::steady_clock::now();
  auto error = connection.wait_for([] { return false; }, deadline_after(60s), "nothing");
  CHECK(std::chrono::steady_clock::now() - started < 30s);  // the stall ended it, not the deadline
  REQUIRE(error.has_value());
  CHECK_THAT(error->message, Catch::Contains("the server stopped reading: a write to 127.0.0.1:"));
  CHECK_THAT(error->message, Catch::Contains(" has not completed in 300 ms ("));
  CHECK(connection.stage() == LiveStage::kClosed);
}

TEST_CASE("live client: a server that writes nothing stalls no write, whatever the wait", "[net][live]") {
  // The stall limit is about writes in flight, not about silence: an idle open connection stays.
  LiveConnectionOptions options;
  options.write_stall_max = 100ms;
  RogueFixture fixture(Misbehaviour::kStopReading, options);
  REQUIRE_FALSE(fixture.connect().has_value());
  fixture.connection->send_raw("{\"event\":\"pusher:ping\",\"data\":{}}");
  fixture.loop.run_for(400ms);
  CHECK(fixture.connection->stage() == LiveStage::kOpen);
  CHECK(fixture.connection->errors().empty());
}

TEST_CASE("live client: a flooding server is dropped past frames_max, which bounds memory", "[net][live]") {
  LiveConnectionOptions options;
  options.frames_max = 500;
  RogueFixture fixture(Misbehaviour::kFlood, options);
  REQUIRE_FALSE(fixture.connect().has_value());
  auto& connection = *fixture.connection;
  auto error = connection.wait_for([] { return false; }, deadline_after(3s), "nothing");
  REQUIRE(error.has_value());
  CHECK_THAT(error->message,
             Catch::EndsWith("server flooded the connection: more than 500 frames received; dropped it"));
  CHECK(connection.frames().size() == 500);
}

TEST_CASE("live client: nothing listening is a refused TCP connection", "[net][live]") {
  IoLoop loop;
  std::string url;
  {
    RogueServer closed(loop, Misbehaviour::kSilentUpgrade);  // its port is free once it is gone
    url = closed.url();
  }
  LiveConnectionOptions options;
  options.url = url;
  LiveConnection connection(loop, options);
  auto error = connection.connect(deadline_after(1s));
  REQUIRE(error.has_value());
  CHECK_THAT(error->message, Catch::StartsWith("connect failed: cannot connect to 127.0.0.1:"));
}

TEST_CASE("live client: a URL that is not ws:// or wss:// is refused before any I/O", "[net][live]") {
  IoLoop loop;
  LiveConnectionOptions options;
  options.url = "http://127.0.0.1:1";
  LiveConnection connection(loop, options);
  auto error = connection.connect(deadline_after(1s));
  REQUIRE(error.has_value());
  CHECK(error->message == "WebSocket URL must be ws:// or wss://");
  CHECK(connection.stage() == LiveStage::kIdle);
}

}  // namespace pushsim::test
