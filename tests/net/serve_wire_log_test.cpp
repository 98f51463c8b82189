// `pushsim serve --log`: the server's wire log, frame by frame per connection, with REST calls
// and webhooks, secrets masked.
#include <catch2/catch.hpp>

#include <regex>
#include <sstream>

#include "net/wire_log.hpp"
#include "support/serve_fixture.hpp"

namespace pushsim::test {

TEST_CASE("serve: the wire log shows each connection's frames by socket id, REST and webhooks, masked",
          "[net][serve][wire_log]") {
  std::ostringstream out;
  WireLogOptions options;
  options.party_key = "socket_id";
  WireLog log(out, options);
  auto sink = log.stream(0);
  std::string socket;
  {
    ServeFixture fixture(true, sink.get());
    auto alice = fixture.connected_client("u1");
    socket = alice->socket_id().value_or("");
    REQUIRE_FALSE(socket.empty());
    ServeFixture::subscribe(*alice, "presence-room");
    auto response =
        fixture.rest->trigger({{"presence-room"}, "news", R"({"x":1})", std::nullopt, std::nullopt}, soon());
    REQUIRE(response.ok());
    ServeFixture::wait_text(*alice, "news");
    // The member_added webhook is posted and answered.
    REQUIRE(fixture.loop.run_until([&] { return !fixture.listener->received().empty(); }, soon()));
    fixture.loop.run_until([] { return false; }, deadline_after(100ms));
  }
  const std::string text = out.str();
  INFO(text);
  CHECK(text.find(" " + socket + " ->] {\"event\":\"pusher:connection_established\"") != std::string::npos);
  CHECK(text.find(" " + socket + " <-] {\"event\":\"pusher:subscribe\",\"data\":{\"auth\":\"app-key:<redacted>\"") !=
        std::string::npos);
  CHECK(text.find(" " + socket + " ->] {\"event\":\"news\"") != std::string::npos);
  CHECK(text.find(" rest <-] POST /apps/app-id/events?") != std::string::npos);
  CHECK(text.find("auth_signature=<redacted>") != std::string::npos);
  CHECK(text.find(" rest ->] 200 {}") != std::string::npos);
  CHECK(text.find(" webhooks ->] POST http://127.0.0.1:") != std::string::npos);
  CHECK(text.find("X-Pusher-Key: app-key X-Pusher-Signature: <redacted>") != std::string::npos);
  CHECK(text.find(" webhooks <-] answered 200") != std::string::npos);
  CHECK(text.find("app-secret") == std::string::npos);
  // An HMAC-SHA256 signature is 64 hex digits; nothing else on this wire is.
  CHECK_FALSE(std::regex_search(text, std::regex("[0-9a-fA-F]{64}")));
}

}  // namespace pushsim::test
