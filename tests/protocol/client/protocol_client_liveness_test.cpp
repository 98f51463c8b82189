#include <catch2/catch.hpp>

#include "protocol/client/client_test_util.hpp"

using namespace pushsim;
using namespace pushsim::test;

namespace {
constexpr std::string_view kPing = R"({"event":"pusher:ping","data":{}})";
constexpr std::string_view kPong = R"({"event":"pusher:pong","data":{}})";

ProtocolClient connected_with_server_timeout(std::string_view seconds_text) {
  ProtocolClient client;
  client.on_open(kT0);
  client.on_text(kT0, R"({"event":"pusher:connection_established","data":{"socket_id":"1.1","activity_timeout":)" +
                          std::string(seconds_text) + "}}");
  client.take_outputs();
  return client;
}
}  // namespace

TEST_CASE("after activity_timeout of silence the client pings, not a moment before", "[client][liveness]") {
  auto client = connected_client();
  CHECK(client.next_deadline() == std::optional<TimeNs>(kT0 + seconds(120)));
  client.on_tick(kT0 + seconds(120) - 1);
  CHECK(client.take_outputs().empty());
  client.on_tick(kT0 + seconds(120));
  CHECK(sent(client.take_outputs()) == std::vector<std::string>{std::string(kPing)});
  CHECK(client.next_deadline() == std::optional<TimeNs>(kT0 + seconds(150)));
}

TEST_CASE("the activity timeout is the smaller of the client's 120 s and the server's", "[client][liveness]") {
  CHECK(connected_with_server_timeout("30").activity_timeout() == std::optional<DurationNs>(seconds(30)));
  CHECK(connected_with_server_timeout("600").activity_timeout() == std::optional<DurationNs>(seconds(120)));
  CHECK(connected_with_server_timeout("0.5").activity_timeout() == std::optional<DurationNs>(ms(500)));
  CHECK(connected_with_server_timeout("18446744073709551615").activity_timeout() ==
        std::optional<DurationNs>(seconds(120)));
  ClientOptions options;
  options.activity_timeout = seconds(10);
  auto client = connected_client(options);
  CHECK(client.activity_timeout() == std::optional<DurationNs>(seconds(10)));
  CHECK(client.next_deadline() == std::optional<TimeNs>(kT0 + seconds(10)));
}

TEST_CASE("every received frame restarts the activity timer", "[client][liveness]") {
  auto client = connected_client();
  client.on_text(kT0 + seconds(100), R"({"event":"news","channel":"a","data":"x"})");
  CHECK(client.next_deadline() == std::optional<TimeNs>(kT0 + seconds(220)));
  client.on_text(kT0 + seconds(110), "not json");  // garbage still proves the peer alive
  CHECK(client.next_deadline() == std::optional<TimeNs>(kT0 + seconds(230)));
  client.on_tick(kT0 + seconds(200));
  CHECK(sent(client.take_outputs()).empty());
}

TEST_CASE("a pong in time keeps the connection and rearms the activity timer", "[client][liveness]") {
  auto client = connected_client();
  client.on_tick(kT0 + seconds(120));
  client.take_outputs();
  client.on_text(kT0 + seconds(121), R"({"event":"pusher:pong","data":"{}"})");
  CHECK(client.take_outputs().empty());
  CHECK(client.next_deadline() == std::optional<TimeNs>(kT0 + seconds(241)));
  client.on_tick(kT0 + seconds(150));
  CHECK(client.state() == ConnectionState::kConnected);
}

TEST_CASE("no answer within pong_timeout closes the transport and advises reconnecting now", "[client][liveness]") {
  auto client = connected_client();
  client.on_tick(kT0 + seconds(120));
  client.take_outputs();
  client.on_tick(kT0 + seconds(150) - 1);
  CHECK(client.take_outputs().empty());
  client.on_tick(kT0 + seconds(150));
  CHECK(described(client.take_outputs()) ==
        std::vector<std::string>{
            "close 1000 \"pong timeout\"",
            "event state connected -> disconnected",
            "event disconnected 1000 \"pong timeout\" action=reconnect-now reconnect=0ms",
        });
  CHECK(client.next_deadline() == std::nullopt);
}

TEST_CASE("a late tick pings then, and the pong deadline counts from the ping", "[client][liveness]") {
  auto client = connected_client();
  client.on_tick(kT0 + seconds(500));
  CHECK(sent(client.take_outputs()) == std::vector<std::string>{std::string(kPing)});
  CHECK(client.next_deadline() == std::optional<TimeNs>(kT0 + seconds(530)));
}

TEST_CASE("a server pusher:ping is answered with pusher:pong", "[client][liveness]") {
  auto client = connected_client();
  client.on_text(kT0 + seconds(5), R"({"event":"pusher:ping","data":"{}"})");
  CHECK(sent(client.take_outputs()) == std::vector<std::string>{std::string(kPong)});
  client.on_text(kT0 + seconds(6), R"({"event":"pusher:ping"})");
  CHECK(sent(client.take_outputs()) == std::vector<std::string>{std::string(kPong)});
}

TEST_CASE("send_ping pings at once and expects an answer within pong_timeout", "[client][liveness]") {
  auto client = connected_client();
  REQUIRE_FALSE(client.send_ping(kT0 + seconds(1)));
  CHECK(sent(client.take_outputs()) == std::vector<std::string>{std::string(kPing)});
  CHECK(client.next_deadline() == std::optional<TimeNs>(kT0 + seconds(31)));
  ProtocolClient idle;
  CHECK(idle.send_ping(kT0) == make_error("cannot ping: not connected"));
  CHECK(idle.take_outputs().empty());
}
