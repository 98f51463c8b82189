#include <catch2/catch.hpp>

#include <set>

#include "engine_fixture.hpp"
#include "protocol/channel_name.hpp"

using namespace pushsim;
using namespace pushsim::test;

namespace {

std::string established(const std::string& socket_id, int activity_timeout_s = 120) {
  return R"({"event":"pusher:connection_established","data":"{\"socket_id\":\")" + socket_id +
         R"(\",\"activity_timeout\":)" + std::to_string(activity_timeout_s) + R"(}"})";
}

std::string error_frame(int code, const std::string& message) {
  return R"({"event":"pusher:error","data":{"code":)" + std::to_string(code) + R"(,"message":")" + message + R"("}})";
}

// Opens with the target and expects exactly pusher:error {code} then a close with the code.
void expect_refused(const std::string& target, int code, const std::string& message) {
  EngineFixture f;
  ConnectionId id = f.open(target);
  CHECK(f.take(id) == std::vector<std::string>{error_frame(code, message)});
  auto closes = f.take_closes();
  REQUIRE(closes.size() == 1);
  CHECK(closes[0].connection == id);
  CHECK(closes[0].code == code);
  CHECK(f.engine.connection_count() == 0);
  CHECK_FALSE(f.engine.socket_id(id).has_value());
}

}  // namespace

TEST_CASE("open sends connection_established with a string data holding socket_id then activity_timeout",
          "[engine][connection]") {
  EngineFixture f;
  ConnectionId id = f.open();
  std::string socket_id = f.socket_id(id);
  CHECK(is_valid_socket_id(socket_id));
  CHECK(f.take(id) == std::vector<std::string>{established(socket_id)});
  CHECK(f.take_closes().empty());
  CHECK(f.engine.connection_count() == 1);
}

TEST_CASE("activity_timeout in connection_established follows the engine option", "[engine][connection]") {
  EngineOptions options = test_options();
  options.activity_timeout_s = 30;
  EngineFixture f(options);
  ConnectionId id = f.open();
  CHECK(f.take(id) == std::vector<std::string>{established(f.socket_id(id), 30)});
}

TEST_CASE("socket ids are unique among live connections and fixed by the seed", "[engine][connection]") {
  EngineFixture a, b;
  std::set<std::string> seen;
  for (int i = 0; i < 50; ++i) {
    ConnectionId id_a = a.connect();
    ConnectionId id_b = b.connect();
    CHECK(a.socket_id(id_a) == b.socket_id(id_b));
    seen.insert(a.socket_id(id_a));
  }
  CHECK(seen.size() == 50);
}

TEST_CASE("connection_by_socket_id finds live connections of the right app only", "[engine][connection]") {
  EngineFixture f;
  ConnectionId id = f.connect();
  std::string socket_id = f.socket_id(id);
  CHECK(f.engine.connection_by_socket_id("1", socket_id) == std::optional<ConnectionId>(id));
  CHECK_FALSE(f.engine.connection_by_socket_id("2", socket_id).has_value());
  f.close(id);
  CHECK_FALSE(f.engine.connection_by_socket_id("1", socket_id).has_value());
}

TEST_CASE("an unknown app key is refused with 4001", "[engine][connection]") {
  expect_refused("/app/nope?protocol=7", 4001, "Application does not exist");
}

TEST_CASE("a disabled app is refused with 4003", "[engine][connection]") {
  AppConfig app = test_app();
  app.enabled = false;
  EngineFixture f(test_options(), {app});
  ConnectionId id = f.open();
  CHECK(f.take(id) == std::vector<std::string>{error_frame(4003, "Application is disabled")});
  auto closes = f.take_closes();
  REQUIRE(closes.size() == 1);
  CHECK(closes[0].code == 4003);
  CHECK(f.engine.connection_count() == 0);
}

TEST_CASE("connections over the app's max_connections are refused with 4004", "[engine][connection]") {
  AppConfig app = test_app();
  app.max_connections = 2;
  EngineFixture f(test_options(), {app});
  f.connect();
  ConnectionId second = f.connect();
  ConnectionId third = f.open();
  CHECK(f.take(third) == std::vector<std::string>{error_frame(4004, "Application is over connection quota")});
  auto closes = f.take_closes();
  REQUIRE(closes.size() == 1);
  CHECK(closes[0].code == 4004);
  CHECK(f.engine.connection_count() == 2);
  // A slot frees up when a connection goes.
  f.close(second);
  ConnectionId fourth = f.open();
  CHECK(f.take(fourth).size() == 1);
  CHECK(f.take_closes().empty());
}

TEST_CASE("paths other than /app/{key} are refused with 4005", "[engine][connection]") {
  for (const char* target : {"/", "/apps/app-key?protocol=7", "/app/?protocol=7", "/app/app-key/extra?protocol=7",
                             "app/app-key?protocol=7", ""}) {
    INFO(target);
    expect_refused(target, 4005, "Path not found");
  }
}

TEST_CASE("a missing protocol parameter is refused with 4007", "[engine][connection]") {
  expect_refused("/app/app-key", 4007, "Unsupported protocol version");
  expect_refused("/app/app-key?client=js&version=8.4.0", 4007, "Unsupported protocol version");
}

TEST_CASE("protocol versions outside [min_protocol, max_protocol] or not integers are refused with 4007",
          "[engine][connection]") {
  for (const char* target :
       {"/app/app-key?protocol=4", "/app/app-key?protocol=8", "/app/app-key?protocol=1", "/app/app-key?protocol=seven",
        "/app/app-key?protocol=7.0", "/app/app-key?protocol=", "/app/app-key?protocol=-7"}) {
    INFO(target);
    expect_refused(target, 4007, "Unsupported protocol version");
  }
}

TEST_CASE("protocol versions 5, 6 and 7 are accepted, wherever the parameter is", "[engine][connection]") {
  for (const char* target : {"/app/app-key?protocol=5", "/app/app-key?protocol=6",
                             "/app/app-key?client=js&version=8.4.0&protocol=7&flash=false"}) {
    INFO(target);
    EngineFixture f;
    ConnectionId id = f.open(target);
    CHECK(f.take(id) == std::vector<std::string>{established(f.socket_id(id))});
    CHECK(f.take_closes().empty());
  }
}

TEST_CASE("on_closed forgets the connection and a second on_closed is ignored", "[engine][connection]") {
  EngineFixture f;
  ConnectionId id = f.connect();
  f.subscribe(id, "my-channel");
  f.take(id);
  f.close(id);
  CHECK(f.engine.connection_count() == 0);
  CHECK(f.engine.channels("1", f.now).empty());
  f.close(id);
  CHECK(f.nothing_sent());
  CHECK(f.take_closes().empty());
}

TEST_CASE("frames for unknown or closed connections are ignored", "[engine][connection]") {
  EngineFixture f;
  f.send(99, R"({"event":"pusher:ping","data":{}})");
  ConnectionId id = f.connect();
  f.close(id);
  f.send(id, R"({"event":"pusher:ping","data":{}})");
  f.engine.on_binary(f.now, id, 10);
  CHECK(f.nothing_sent());
  CHECK(f.take_closes().empty());
}

TEST_CASE("a second on_open with a live connection id is ignored", "[engine][connection]") {
  EngineFixture f;
  ConnectionId id = f.connect();
  std::string socket_id = f.socket_id(id);
  f.engine.on_open(f.now, id, kTarget);
  CHECK(f.nothing_sent());
  CHECK(f.socket_id(id) == socket_id);
  CHECK(f.engine.connection_count() == 1);
}
