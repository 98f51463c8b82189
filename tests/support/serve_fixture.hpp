#pragma once
// Test helper: a ServeServer on an ephemeral loopback port with one app whose webhooks go to
// a WebhookListener, plus an IoLoop for live clients and a REST client. Removal webhooks are
// not delayed and retries back off briefly, so that webhook tests stay short.
//
// The fixture's code is compiled once, in serve_fixture.cpp; it checks its own steps with
// Catch2's REQUIRE, so a step that fails ends the test that called it.
#include <chrono>
#include <memory>
#include <optional>
#include <string>

#include "net/io_loop.hpp"
#include "net/live_connection.hpp"
#include "net/rest_client.hpp"
#include "net/serve_server.hpp"
#include "net/webhook_listener.hpp"

namespace pushsim::test {

using namespace std::chrono_literals;

AppCredentials serve_test_app();

// A deadline for one step of a test: generous for a loaded machine, far below ctest's limit.
SteadyTime soon();

class ServeFixture {
 public:
  // wire_log: the server's wire log goes there (it must outlive the fixture).
  explicit ServeFixture(bool with_webhooks = true, WireSink* wire_log = nullptr);

  // A client that signs its own channel auth; presence as `user_id` when given.
  std::unique_ptr<LiveConnection> client(std::optional<std::string> user_id = std::nullopt);

  std::unique_ptr<LiveConnection> connected_client(std::optional<std::string> user_id = std::nullopt);

  // Subscribes and waits for the subscription_succeeded frame; returns its raw text.
  static std::string subscribe(LiveConnection& connection, const std::string& channel);

  // The raw text of the first frame from `from` on with this event (and channel), waiting for it.
  static std::string wait_text(LiveConnection& connection, const std::string& event, std::size_t from = 0,
                               std::optional<std::string> channel = std::nullopt);

  IoLoop loop;
  std::unique_ptr<WebhookListener> listener;
  ServeServer server;
  std::unique_ptr<RestClient> rest;
};

}  // namespace pushsim::test
