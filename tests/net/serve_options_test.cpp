// `pushsim serve` configuration: --app specs and the JSON config file.
#include <catch2/catch.hpp>

#include "net/serve_options.hpp"

namespace pushsim {

TEST_CASE("serve options: --app ID:KEY:SECRET splits on the first two colons", "[net][serve-options]") {
  auto app = parse_app_spec("1:key:sec:ret");
  REQUIRE(app.ok());
  CHECK(app->id == "1");
  CHECK(app->key == "key");
  CHECK(app->secret == "sec:ret");
}

TEST_CASE("serve options: --app with a missing or empty part is an error", "[net][serve-options]") {
  CHECK(parse_app_spec("1:key").error().message == "--app \"1:key\" is not ID:KEY:SECRET");
  CHECK(parse_app_spec("1::secret").error().message == "--app \"1::secret\" has an empty ID, KEY or SECRET");
}

TEST_CASE("serve options: a config file sets apps, webhooks and engine knobs", "[net][serve-options]") {
  auto options = parse_serve_config(R"({
    "host": "0.0.0.0", "port": 7001, "seed": 9, "activity_timeout_s": 30, "webhook_removal_delay_ms": 0,
    "apps": [{"id": "1", "key": "k", "secret": "s", "client_events": false, "max_connections": 5, "max_messages": 7,
              "authorization_timeout_ms": 1500, "batch_webhooks": true,
              "webhooks": [{"url": "http://127.0.0.1:9/h", "event_types": ["channel_occupied"]}]}]})");
  REQUIRE(options.ok());
  CHECK(options->host == "0.0.0.0");
  CHECK(options->port == 7001);
  CHECK(options->seed == 9U);
  CHECK(options->engine.activity_timeout_s == 30);
  CHECK(options->engine.webhooks.removal_delay == 0);
  REQUIRE(options->apps.size() == 1);
  const AppConfig& app = options->apps[0];
  CHECK(app.id == "1");
  CHECK_FALSE(app.client_events);
  CHECK(app.max_connections == 5U);
  CHECK(app.max_messages == std::optional<std::uint64_t>(7));
  CHECK(app.authorization_timeout == ms(1500));
  CHECK(app.batch_webhooks);
  REQUIRE(app.webhooks.size() == 1);
  CHECK(app.webhooks[0].url == "http://127.0.0.1:9/h");
  CHECK(app.webhooks[0].event_types == std::vector<std::string>{"channel_occupied"});
}

TEST_CASE("serve options: config mistakes are errors that name the place", "[net][serve-options]") {
  CHECK(parse_serve_config("{").error().message == "config: not valid JSON");
  CHECK(parse_serve_config("[]").error().message == "config: the top level is not an object");
  CHECK(parse_serve_config(R"({"prot": 1})").error().message == "config: unknown key \"prot\" in the top level");
  CHECK(parse_serve_config(R"({"port": 70000})").error().message ==
        "config: \"port\" in the top level has the wrong type or range");
  CHECK(parse_serve_config(R"({"apps": [{"id": "1", "key": "k"}]})").error().message ==
        "config: apps[0] needs id, key and secret");
  CHECK(parse_serve_config(R"({"apps": [{"id": "1", "key": "k", "secret": "s", "webhooks": [{}]}]})").error().message ==
        "config: apps[0].webhooks[0] has no url");
  CHECK(parse_serve_config(R"({"activity_timeout_s": 0})").error().message ==
        "config: activity_timeout_s must be 1..86400");
}

TEST_CASE("serve options: --webhook adds a webhook for every event to every app", "[net][serve-options]") {
  ServeOptions options;
  options.apps = {default_app(), default_app()};
  add_webhook_to_all_apps(options, "http://127.0.0.1:9/h");
  for (const auto& app : options.apps) {
    REQUIRE(app.webhooks.size() == 1);
    CHECK(app.webhooks[0].url == "http://127.0.0.1:9/h");
    CHECK(app.webhooks[0].event_types.empty());
  }
}

}  // namespace pushsim
