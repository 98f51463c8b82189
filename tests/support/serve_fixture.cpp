#include "support/serve_fixture.hpp"

#include <catch2/catch.hpp>

#include "net/local_authorizer.hpp"

namespace pushsim::test {

AppCredentials serve_test_app() { return {"app-id", "app-key", "app-secret"}; }

SteadyTime soon() { return deadline_after(3000ms); }

ServeFixture::ServeFixture(bool with_webhooks, WireSink* wire_log) {
  listener = std::make_unique<WebhookListener>(loop, WebhookListenerOptions{"127.0.0.1", 0, {serve_test_app()}});
  REQUIRE_FALSE(listener->start().has_value());
  ServeOptions options;
  options.port = 0;
  options.seed = 7;
  options.wire_log = wire_log;
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

std::unique_ptr<LiveConnection> ServeFixture::client(std::optional<std::string> user_id) {
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

std::unique_ptr<LiveConnection> ServeFixture::connected_client(std::optional<std::string> user_id) {
  auto connection = client(std::move(user_id));
  auto error = connection->connect(soon());
  INFO((error ? error->message : std::string("connected")));
  REQUIRE_FALSE(error.has_value());
  return connection;
}

std::string ServeFixture::subscribe(LiveConnection& connection, const std::string& channel) {
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

std::string ServeFixture::wait_text(LiveConnection& connection, const std::string& event, std::size_t from,
                                    std::optional<std::string> channel) {
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

}  // namespace pushsim::test
