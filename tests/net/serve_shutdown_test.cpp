// ServeServer's lifecycle: clean shutdown with 4200 and no leaked threads; bind failures.
#include <catch2/catch.hpp>

#include <dirent.h>

#include <thread>

#include "support/serve_fixture.hpp"

namespace pushsim::test {

namespace {

// Threads of this process, from /proc (Linux).
std::size_t thread_count() {
  std::size_t count = 0;
  DIR* tasks = opendir("/proc/self/task");
  if (tasks == nullptr) return 0;
  while (dirent* entry = readdir(tasks)) count += entry->d_name[0] != '.' ? 1 : 0;
  closedir(tasks);
  return count;
}

ServeOptions ephemeral() {
  ServeOptions options;
  options.port = 0;
  options.seed = 1;
  return options;
}

}  // namespace

TEST_CASE("serve: stop closes every connection with 4200 and joins its threads", "[net][serve]") {
  const std::size_t threads_before = thread_count();
  auto loop = std::make_unique<IoLoop>();  // name resolution adds a thread of its own to it
  auto server = std::make_unique<ServeServer>();
  auto serve_options = ephemeral();
  serve_options.shutdown_grace = std::chrono::seconds(60);  // the clients' replies end it sooner
  REQUIRE_FALSE(server->start(serve_options).has_value());
  CHECK(thread_count() == threads_before + 2);

  LiveConnectionOptions options;
  options.url = server->ws_url();
  auto alice_owner = std::make_unique<LiveConnection>(*loop, options);
  auto bob_owner = std::make_unique<LiveConnection>(*loop, options);
  LiveConnection& alice = *alice_owner;
  LiveConnection& bob = *bob_owner;
  REQUIRE_FALSE(alice.connect(soon()).has_value());
  REQUIRE_FALSE(bob.connect(soon()).has_value());
  REQUIRE(server->connection_count() == 2);

  // stop() waits for the clients' close replies, so they must run meanwhile.
  auto started = std::chrono::steady_clock::now();
  std::thread stopper([&] { server->stop(); });
  CHECK_FALSE(alice.wait_closed(soon()).has_value());
  CHECK_FALSE(bob.wait_closed(soon()).has_value());
  stopper.join();
  CHECK(std::chrono::steady_clock::now() - started < 30s);  // well inside the 60 s grace
  CHECK(alice.close_code() == 4200);
  CHECK(alice.close_reason() == "Server is shutting down");
  CHECK(bob.close_code() == 4200);
  CHECK_FALSE(server->running());
  server.reset();
  alice_owner.reset();
  bob_owner.reset();
  loop.reset();
  CHECK(thread_count() == threads_before);
}

TEST_CASE("serve: a port already in use is an error naming the address", "[net][serve]") {
  ServeServer first;
  REQUIRE_FALSE(first.start(ephemeral()).has_value());
  ServeOptions options = ephemeral();
  options.port = first.port();
  ServeServer second;
  auto error = second.start(options);
  REQUIRE(error.has_value());
  CHECK_THAT(error->message,
             Catch::StartsWith("serve: cannot listen on 127.0.0.1:" + std::to_string(first.port()) + ": "));
  CHECK_FALSE(second.running());
}

TEST_CASE("serve: two apps with the same key are refused before binding", "[net][serve]") {
  ServeOptions options = ephemeral();
  options.apps = {default_app(), default_app()};
  options.apps[1].id = "other-id";
  ServeServer server;
  auto error = server.start(options);
  REQUIRE(error.has_value());
  CHECK(error->message == "serve: apps \"app-id\" and \"other-id\" share an id or a key");
  CHECK(server.port() == 0);
}

TEST_CASE("serve: without apps it serves the default app-id:app-key:app-secret", "[net][serve]") {
  ServeServer server;
  REQUIRE_FALSE(server.start(ephemeral()).has_value());
  REQUIRE(server.apps().size() == 1);
  CHECK(server.apps()[0].id == "app-id");
  CHECK(server.apps()[0].key == "app-key");
  CHECK(server.apps()[0].secret == "app-secret");
}

TEST_CASE("serve: a WebSocket message over the engine's frame limit gets pusher:error, not a close", "[net][serve]") {
  ServeFixture fixture(false);
  auto alice = fixture.connected_client();
  std::string big(70 * 1024, 'x');  // over client_frame_max_bytes (64 KiB), under the 1 MiB cap
  REQUIRE_FALSE(alice->send_raw(big).has_value());
  CHECK(
      ServeFixture::wait_text(*alice, "pusher:error") ==
      R"({"event":"pusher:error","data":{"code":null,"message":"Frame too large: 71680 bytes, the limit is 65536"}})");
  CHECK(alice->stage() == LiveStage::kOpen);
}

}  // namespace pushsim::test
