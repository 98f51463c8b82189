#include <catch2/catch.hpp>

#include "protocol/client/client_test_util.hpp"

using namespace pushsim;
using namespace pushsim::test;

TEST_CASE("open then connection_established: connecting, connected, socket_id recorded", "[client][connection]") {
  ProtocolClient client;
  CHECK(client.state() == ConnectionState::kInitialized);
  CHECK(client.next_deadline() == std::nullopt);
  client.on_open(kT0);
  CHECK(described(client.take_outputs()) == std::vector<std::string>{"event state initialized -> connecting"});
  client.on_text(kT0, kEstablished);
  CHECK(described(client.take_outputs()) == std::vector<std::string>{
                                                "event state connecting -> connected",
                                                "event connected 123.456 activity_timeout=120s",
                                            });
  CHECK(client.state() == ConnectionState::kConnected);
  CHECK(client.socket_id() == std::optional<std::string>("123.456"));
  CHECK(client.activity_timeout() == std::optional<DurationNs>(seconds(120)));
}

TEST_CASE("connection_established data is accepted as an object too", "[client][connection]") {
  ProtocolClient client;
  client.on_open(kT0);
  client.on_text(kT0, R"({"event":"pusher:connection_established","data":{"socket_id":"1.2","activity_timeout":30}})");
  CHECK(client.state() == ConnectionState::kConnected);
  CHECK(client.socket_id() == std::optional<std::string>("1.2"));
  CHECK(client.activity_timeout() == std::optional<DurationNs>(seconds(30)));
}

TEST_CASE("a handshake without activity_timeout is refused: error, close, back-off", "[client][connection]") {
  ProtocolClient client;
  client.on_open(kT0);
  client.take_outputs();
  client.on_text(kT0, R"({"event":"pusher:connection_established","data":"{\"socket_id\":\"1.2\"}"})");
  CHECK(described(client.take_outputs()) ==
        std::vector<std::string>{
            "event error protocol code=null \"no activity timeout specified in handshake\"",
            "close 1000 \"no activity timeout specified in handshake\"",
            "event state connecting -> disconnected",
            "event disconnected 1000 \"no activity timeout specified in handshake\" action=backoff reconnect=1000ms",
        });
  CHECK(client.state() == ConnectionState::kDisconnected);
}

TEST_CASE("a handshake frame truncated at any byte is garbage that ends the attempt", "[client][connection]") {
  const std::string whole(kEstablished);
  for (std::size_t length = 0; length < whole.size(); ++length) {
    INFO("first " << length << " bytes");
    ProtocolClient client;
    client.on_open(kT0);
    client.take_outputs();
    client.on_text(kT0, whole.substr(0, length));
    auto outputs = client.take_outputs();
    auto errors = only<ClientError>(outputs);
    REQUIRE(errors.size() == 1);
    CHECK(errors[0].kind == ClientErrorKind::kGarbage);
    CHECK(errors[0].frame_text == whole.substr(0, length));
    CHECK(only<CloseTransport>(outputs).size() == 1);
    CHECK(client.state() == ConnectionState::kDisconnected);
  }
}

TEST_CASE("pusher:error 4001 in the handshake refuses the connection: failed, no reconnect", "[client][connection]") {
  ProtocolClient client;
  client.on_open(kT0);
  client.take_outputs();
  client.on_text(kT0, R"({"event":"pusher:error","data":{"code":4001,"message":"App key x not in this cluster"}})");
  CHECK(described(client.take_outputs()) ==
        std::vector<std::string>{
            "event error server code=4001 \"App key x not in this cluster\"",
            "close 1000 \"handshake error 4001\"",
            "event state connecting -> failed",
            "event disconnected 4001 \"App key x not in this cluster\" action=refused reconnect=never",
        });
  CHECK(client.state() == ConnectionState::kFailed);
}

TEST_CASE("pusher:error in the handshake without a code reports and keeps waiting", "[client][connection]") {
  ProtocolClient client;
  client.on_open(kT0);
  client.take_outputs();
  client.on_text(kT0, R"({"event":"pusher:error","data":"{\"code\":null,\"message\":\"hm\"}"})");
  CHECK(described(client.take_outputs()) == std::vector<std::string>{"event error server code=null \"hm\""});
  CHECK(client.state() == ConnectionState::kConnecting);
  client.on_text(kT0, kEstablished);
  CHECK(client.state() == ConnectionState::kConnected);
}

TEST_CASE("any other event before connection_established is an invalid handshake", "[client][connection]") {
  ProtocolClient client;
  client.on_open(kT0);
  client.take_outputs();
  client.on_text(kT0, R"({"event":"news","channel":"a","data":"{}"})");
  auto outputs = client.take_outputs();
  auto errors = only<ClientError>(outputs);
  REQUIRE(errors.size() == 1);
  CHECK(errors[0].message == "invalid handshake: expected pusher:connection_established, got news");
  CHECK(client.state() == ConnectionState::kDisconnected);
}

TEST_CASE("server closes map to disconnected or failed with pusher-js's advice", "[client][connection]") {
  struct Case {
    int code;
    ConnectionState state;
    const char* line;
  };
  const Case cases[] = {
      {1000, ConnectionState::kDisconnected, "event disconnected 1000 \"bye\" action=none reconnect=1000ms"},
      {4001, ConnectionState::kFailed, "event disconnected 4001 \"bye\" action=refused reconnect=never"},
      {4100, ConnectionState::kDisconnected, "event disconnected 4100 \"bye\" action=backoff reconnect=1000ms"},
      {4201, ConnectionState::kDisconnected, "event disconnected 4201 \"bye\" action=reconnect-now reconnect=0ms"},
      {4000, ConnectionState::kDisconnected, "event disconnected 4000 \"bye\" action=tls reconnect=0ms"},
  };
  for (const auto& c : cases) {
    INFO("code " << c.code);
    auto client = connected_client();
    client.on_close(kT0 + seconds(1), c.code, "bye");
    auto lines = described(client.take_outputs());
    REQUIRE(lines.size() == 2);
    CHECK(lines[1] == c.line);
    CHECK(client.state() == c.state);
    CHECK(client.socket_id() == std::nullopt);
    CHECK(client.next_deadline() == std::nullopt);
  }
}

TEST_CASE("a close during the handshake with no advice of its own backs off", "[client][connection]") {
  ProtocolClient client;
  client.on_open(kT0);
  client.take_outputs();
  client.on_close(kT0, 1006, "");
  CHECK(described(client.take_outputs()) == std::vector<std::string>{
                                                "event state connecting -> disconnected",
                                                "event disconnected 1006 \"\" action=backoff reconnect=1000ms",
                                            });
}

TEST_CASE("disconnect closes the transport; the close the driver then reports is ignored", "[client][connection]") {
  auto client = connected_client();
  client.disconnect(kT0);
  CHECK(described(client.take_outputs()) ==
        std::vector<std::string>{
            "close 1000 \"disconnect requested\"",
            "event state connected -> disconnected",
            "event disconnected 1000 \"disconnect requested\" action=none reconnect=never",
        });
  client.on_close(kT0, 1000, "");
  client.on_text(kT0, R"({"event":"late","channel":"a"})");
  CHECK(client.take_outputs().empty());
}

TEST_CASE("a socket_id not of the form digits.digits is taken but reported", "[client][connection]") {
  ProtocolClient client;
  client.on_open(kT0);
  client.take_outputs();
  client.on_text(kT0, R"({"event":"pusher:connection_established","data":{"socket_id":"abc","activity_timeout":120}})");
  auto errors = only<ClientError>(client.take_outputs());
  REQUIRE(errors.size() == 1);
  CHECK(errors[0].kind == ClientErrorKind::kProtocol);
  CHECK(errors[0].message == "socket_id \"abc\" is not of the form \\d+.\\d+");
  CHECK(client.state() == ConnectionState::kConnected);
  CHECK(client.socket_id() == std::optional<std::string>("abc"));
}

TEST_CASE("a second connection_established on a live connection is reported and ignored", "[client][connection]") {
  auto client = connected_client();
  client.on_text(kT0, R"({"event":"pusher:connection_established","data":{"socket_id":"9.9","activity_timeout":1}})");
  auto errors = only<ClientError>(client.take_outputs());
  REQUIRE(errors.size() == 1);
  CHECK(errors[0].message == "pusher:connection_established on an established connection");
  CHECK(client.socket_id() == std::optional<std::string>("123.456"));
}

TEST_CASE("the same inputs give byte-identical outputs", "[client][connection]") {
  auto run = [] {
    ProtocolClient client;
    client.subscribe(kT0, "presence-room");
    client.subscribe(kT0, "news");
    client.on_open(kT0);
    client.on_text(kT0, kEstablished);
    client.on_auth_response(kT0, 1, Json{{"auth", "k:s"}, {"channel_data", R"({"user_id":"u1"})"}});
    client.on_text(
        kT0,
        R"({"event":"pusher_internal:subscription_succeeded","channel":"presence-room","data":"{\"presence\":{\"hash\":{\"u1\":null,\"u2\":{}},\"count\":2}}"})");
    client.on_tick(kT0 + seconds(120));
    client.on_tick(kT0 + seconds(150));
    return described(client.take_outputs());
  };
  auto first = run();
  CHECK(
      first ==
      std::vector<std::string>{
          "event state initialized -> connecting",
          "event state connecting -> connected",
          "event connected 123.456 activity_timeout=120s",
          "auth-request #1 channel channel=presence-room socket_id=123.456",
          R"(send {"event":"pusher:subscribe","data":{"auth":"","channel":"news"}})",
          R"(send {"event":"pusher:subscribe","data":{"auth":"k:s","channel_data":"{\"user_id\":\"u1\"}","channel":"presence-room"}})",
          R"(event subscription_succeeded #presence-room {"presence":{"count":2,"hash":{"u1":null,"u2":{}}}} members count=2 ids=[u1,u2] me=u1)",
          R"(send {"event":"pusher:ping","data":{}})",
          "close 1000 \"pong timeout\"",
          "event state connected -> disconnected",
          "event disconnected 1000 \"pong timeout\" action=reconnect-now reconnect=0ms",
      });
  CHECK(first == run());
}
