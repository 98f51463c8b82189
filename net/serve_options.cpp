#include "net/serve_options.hpp"

#include <fstream>
#include <limits>
#include <set>
#include <sstream>

namespace pushsim {
namespace {

using Keys = std::set<std::string, std::less<>>;

std::optional<Error> check_keys(const Json& object, const Keys& known, std::string_view where) {
  for (const auto& [key, value] : object.items()) {
    if (known.count(key) == 0) return make_error("config: unknown key \"" + key + "\" in " + std::string(where));
  }
  return std::nullopt;
}

// Reads object[key] into out when present; a value of the wrong type is an error.
template <class T>
std::optional<Error> read(const Json& object, std::string_view key, T& out, std::string_view where) {
  auto it = object.find(key);
  if (it == object.end()) return std::nullopt;
  bool fits = false;
  if constexpr (std::is_same_v<T, bool>) {
    fits = it->is_boolean();
  } else if constexpr (std::is_same_v<T, std::string>) {
    fits = it->is_string();
  } else {
    fits = it->is_number_unsigned() && it->template get<std::uint64_t>() <= std::numeric_limits<T>::max();
  }
  if (!fits)
    return make_error("config: \"" + std::string(key) + "\" in " + std::string(where) + " has the wrong type or range");
  out = it->template get<T>();
  return std::nullopt;
}

Result<WebhookConfig> parse_webhook(const Json& json, const std::string& where) {
  if (!json.is_object()) return make_error("config: " + where + " is not an object");
  if (auto error = check_keys(json, {"url", "event_types"}, where)) return *error;
  WebhookConfig config;
  if (auto error = read(json, "url", config.url, where)) return *error;
  if (config.url.empty()) return make_error("config: " + where + " has no url");
  auto types = json.find("event_types");
  if (types != json.end()) {
    if (!types->is_array()) return make_error("config: event_types in " + where + " is not an array");
    for (const auto& type : *types) {
      if (!type.is_string()) return make_error("config: event_types in " + where + " holds a non-string");
      config.event_types.push_back(type.get<std::string>());
    }
  }
  return config;
}

Result<AppConfig> parse_app(const Json& json, const std::string& where) {
  if (!json.is_object()) return make_error("config: " + where + " is not an object");
  static const Keys kKnown = {"id",
                              "key",
                              "secret",
                              "enabled",
                              "client_events",
                              "user_authentication_required",
                              "authorization_timeout_ms",
                              "subscription_count",
                              "batch_webhooks",
                              "max_connections",
                              "max_messages",
                              "webhooks"};
  if (auto error = check_keys(json, kKnown, where)) return *error;
  AppConfig app;
  std::uint64_t authorization_timeout_ms = static_cast<std::uint64_t>(app.authorization_timeout / kNsPerMs);
  std::uint64_t max_connections = 0;
  std::uint64_t max_messages = 0;
  for (auto error :
       {read(json, "id", app.id, where), read(json, "key", app.key, where), read(json, "secret", app.secret, where),
        read(json, "enabled", app.enabled, where), read(json, "client_events", app.client_events, where),
        read(json, "user_authentication_required", app.user_authentication_required, where),
        read(json, "authorization_timeout_ms", authorization_timeout_ms, where),
        read(json, "subscription_count", app.subscription_count, where),
        read(json, "batch_webhooks", app.batch_webhooks, where), read(json, "max_connections", max_connections, where),
        read(json, "max_messages", max_messages, where)}) {
    if (error) return *error;
  }
  if (app.id.empty() || app.key.empty() || app.secret.empty())
    return make_error("config: " + where + " needs id, key and secret");
  app.authorization_timeout = ms(static_cast<std::int64_t>(authorization_timeout_ms));
  if (json.contains("max_connections")) app.max_connections = max_connections;
  if (json.contains("max_messages")) app.max_messages = max_messages;
  if (auto hooks = json.find("webhooks"); hooks != json.end()) {
    if (!hooks->is_array()) return make_error("config: webhooks in " + where + " is not an array");
    for (std::size_t i = 0; i < hooks->size(); ++i) {
      auto hook = parse_webhook((*hooks)[i], where + ".webhooks[" + std::to_string(i) + "]");
      if (!hook) return hook.error();
      app.webhooks.push_back(std::move(*hook));
    }
  }
  return app;
}

std::optional<Error> parse_engine_knobs(const Json& json, ServeOptions& options) {
  std::uint64_t activity_timeout_s = static_cast<std::uint64_t>(options.engine.activity_timeout_s);
  std::uint64_t removal_delay_ms = static_cast<std::uint64_t>(options.engine.webhooks.removal_delay / kNsPerMs);
  std::uint64_t retry_window_ms = static_cast<std::uint64_t>(options.engine.webhooks.retry_window / kNsPerMs);
  std::uint64_t seed = 0;
  for (auto error : {read(json, "host", options.host, "the top level"),
                     read(json, "port", options.port, "the top level"), read(json, "seed", seed, "the top level"),
                     read(json, "activity_timeout_s", activity_timeout_s, "the top level"),
                     read(json, "webhook_removal_delay_ms", removal_delay_ms, "the top level"),
                     read(json, "webhook_retry_window_ms", retry_window_ms, "the top level")}) {
    if (error) return error;
  }
  if (json.contains("seed")) options.seed = seed;
  if (activity_timeout_s == 0 || activity_timeout_s > 86'400)
    return make_error("config: activity_timeout_s must be 1..86400");
  options.engine.activity_timeout_s = static_cast<int>(activity_timeout_s);
  options.engine.webhooks.removal_delay = ms(static_cast<std::int64_t>(removal_delay_ms));
  options.engine.webhooks.retry_window = ms(static_cast<std::int64_t>(retry_window_ms));
  return std::nullopt;
}

}  // namespace

AppConfig default_app() {
  AppConfig app;
  app.id = "app-id";
  app.key = "app-key";
  app.secret = "app-secret";
  return app;
}

Result<AppConfig> parse_app_spec(std::string_view spec) {
  auto first = spec.find(':');
  auto second = first == std::string_view::npos ? first : spec.find(':', first + 1);
  if (second == std::string_view::npos) return make_error("--app \"" + std::string(spec) + "\" is not ID:KEY:SECRET");
  AppConfig app;
  app.id = std::string(spec.substr(0, first));
  app.key = std::string(spec.substr(first + 1, second - first - 1));
  app.secret = std::string(spec.substr(second + 1));
  if (app.id.empty() || app.key.empty() || app.secret.empty()) {
    return make_error("--app \"" + std::string(spec) + "\" has an empty ID, KEY or SECRET");
  }
  return app;
}

void add_webhook_to_all_apps(ServeOptions& options, const std::string& url) {
  for (auto& app : options.apps) app.webhooks.push_back(WebhookConfig{url, {}});
}

Result<ServeOptions> parse_serve_config(std::string_view json_text) {
  Json json = Json::parse(json_text, nullptr, false);
  if (json.is_discarded()) return make_error("config: not valid JSON");
  if (!json.is_object()) return make_error("config: the top level is not an object");
  static const Keys kKnown = {
      "host", "port", "seed", "activity_timeout_s", "webhook_removal_delay_ms", "webhook_retry_window_ms", "apps"};
  if (auto error = check_keys(json, kKnown, "the top level")) return *error;
  ServeOptions options;
  if (auto error = parse_engine_knobs(json, options)) return *error;
  if (auto apps = json.find("apps"); apps != json.end()) {
    if (!apps->is_array()) return make_error("config: apps is not an array");
    for (std::size_t i = 0; i < apps->size(); ++i) {
      auto app = parse_app((*apps)[i], "apps[" + std::to_string(i) + "]");
      if (!app) return app.error();
      options.apps.push_back(std::move(*app));
    }
  }
  return options;
}

Result<ServeOptions> load_serve_config(const std::string& path) {
  std::ifstream file(path, std::ios::binary);
  if (!file) return make_error("config: cannot read " + path);
  std::ostringstream text;
  text << file.rdbuf();
  auto options = parse_serve_config(text.str());
  if (!options) return make_error(path + ": " + options.error().message);
  return options;
}

}  // namespace pushsim
