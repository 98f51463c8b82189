#pragma once
// Test helper: a ServeServer on an ephemeral loopback port with one app whose webhooks go to
// a WebhookListener, plus an IoLoop for live clients and a REST client. Removal webhooks are
// not delayed and retries back off briefly, so that webhook tests stay short.
#include <chrono>
#include <memory>
#include <optional>
#include <string>

#include <catch2/catch.hpp>

#include "net/io_loop.hpp"
#include "net/live_connection.hpp"
#include "net/local_authorizer.hpp"
#include "net/rest_client.hpp"
#include "net/serve_server.hpp"
#include "net/webhook_listener.hpp"

namespace pushsim::test {

using namespace std::chrono_literals;

inline AppCredentials serve_test_app() { return {"app-id", "app-key", "app-secret"}; }

// A deadline for one step of a test: generous for a loaded machine, far below ctest's limit.
inline SteadyTime soon() { return deadline_after(3000ms); }

class ServeFixture {
 public:
  explicit ServeFixture(bool with_webhooks = true) {
    listener = std::make_unique<WebhookListener>(loop, WebhookListenerOptions{"127.0.0.1", 0, {serve_test_app()}});
    REQUIRE_FALSE(listener->start().has_value());
    ServeOptions options;
    options.port = 0;
    options.seed = 7;
    options.engine.webhooks.removal_delay = 0;
    options.engine.webhooks.retry_initial_backoff = ms(50);
    options.engine.webhooks.response_timeout = seconds(2);
    AppConfig app;
    app.id = "app-id";
    app.key = "app-key";
    app.secret = "app-secret";
    if (with_webhooks) app.webhooks.push_back(WebhookConfig{listener->url(), {}});
    options.apps.push_back(app);
    auto error = server.start(options);
    REQUIRE_FALSE(error.has_value());
    rest = std::make_unique<RestClient>(loop, RestClientOptions{server.http_url(), serve_test_app()});
  }

  // A client that signs its own channel auth; presence as `user_id` when given.
  std::unique_ptr<LiveConnection> client(std::optional<std::string> user_id = std::nullopt) {
    LocalAuthorizerOptions auth;
    auth.app = serve_test_app();
    if (user_id) {
      auth.presence_user = Json{{"user_id", *user_id}, {"user_info", {{"name", *user_id}}}};
      auth.user_data = Json{{"id", *user_id}};
    }
    LiveConnectionOptions options;
    options.url = server.ws_url();
    options.app_key = "app-key";
    return std::make_unique<LiveConnection>(loop, options, make_local_authorizer(auth));
  }

  std::unique_ptr<LiveConnection> connected_client(std::optional<std::string> user_id = std::nullopt) {
    auto connection = client(std::move(user_id));
    auto error = connection->connect(soon());
    INFO((error ? error->message : std::string("connected")));
    REQUIRE_FALSE(error.has_value());
    return connection;
  }

  // Subscribes and waits for the subscription_succeeded frame; returns its raw text.
  static std::string subscribe(LiveConnection& connection, const std::string& channel) {
    std::size_t from = connection.frames().size();
    REQUIRE_FALSE(connection.subscribe(channel).has_value());
    auto frame = connection.wait_for_frame(
        [&](const Frame& f) { return f.event == "pusher_internal:subscription_succeeded" && f.channel == channel; },
        soon(), "subscription_succeeded on " + channel, from);
    INFO((frame ? std::string("ok") : frame.error().message));
    REQUIRE(frame.ok());
    for (std::size_t i = from; i < connection.frames().size(); ++i) {
      auto decoded = decode_frame(connection.frames()[i].text);
      if (decoded && decoded->event == "pusher_internal:subscription_succeeded" && decoded->channel == channel) {
        return connection.frames()[i].text;
      }
    }
    return {};
  }

  // The raw text of the first frame from `from` on with this event (and channel), waiting for it.
  static std::string wait_text(LiveConnection& connection, const std::string& event, std::size_t from = 0,
                               std::optional<std::string> channel = std::nullopt) {
    auto match = [&](const Frame& f) { return f.event == event && (!channel || f.channel == channel); };
    auto frame = connection.wait_for_frame(match, soon(), event, from);
    INFO((frame ? std::string("ok") : frame.error().message));
    REQUIRE(frame.ok());
    for (std::size_t i = from; i < connection.frames().size(); ++i) {
      auto decoded = decode_frame(connection.frames()[i].text);
      if (decoded && match(*decoded)) return connection.frames()[i].text;
    }
    return {};
  }

  IoLoop loop;
  std::unique_ptr<WebhookListener> listener;
  ServeServer server;
  std::unique_ptr<RestClient> rest;
};

}  // namespace pushsim::test
