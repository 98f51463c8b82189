#include "harness/scenario_metadata.hpp"

#include <algorithm>

#include "harness/duration.hpp"
#include "harness/scenario_vocabulary.hpp"

namespace pushsim::harness {
namespace {

bool is_lower(char c) { return c >= 'a' && c <= 'z'; }
bool is_digit(char c) { return c >= '0' && c <= '9'; }
bool is_letter(char c) { return is_lower(c) || (c >= 'A' && c <= 'Z'); }

bool all_digits(std::string_view text) { return !text.empty() && std::all_of(text.begin(), text.end(), is_digit); }

void read_level(YamlContext& context, const Field& field, Scenario& scenario) {
  auto level = read_string(context, field);
  if (!level) return;
  if (*level == "must") {
    scenario.level = Level::kMust;
  } else if (*level == "should") {
    scenario.level = Level::kShould;
  } else if (*level == "info") {
    scenario.level = Level::kInfo;
  } else {
    context.error(field.where, "unknown level '" + *level + "' (expected one of: " + join_words(kLevelNames) + ")");
  }
}

void read_requires(YamlContext& context, const Field& field, Scenario& scenario) {
  auto features = read_string_list(context, field);
  if (!features) return;
  for (const auto& feature : *features) {
    if (!is_known(kKnownFeatures, feature)) {
      context.error(field.where, "unknown feature '" + feature +
                                     "' in 'requires' (expected one of: " + join_words(kKnownFeatures) + ")");
    } else if (std::find(scenario.requires_features.begin(), scenario.requires_features.end(), feature) ==
               scenario.requires_features.end()) {
      scenario.requires_features.push_back(feature);
    }
  }
}

// A reason, not a flag: whoever meets the field should learn why. `what` says what the reason
// explains, for the error.
std::optional<std::string> read_reason(YamlContext& context, const Field& field, std::string_view what) {
  const Json value = field.value.IsScalar() ? scalar_to_json(field.value) : Json();
  if (!value.is_string() || value.get_ref<const std::string&>().empty()) {
    context.error(field.where, "expected a reason (" + std::string(what) + ") for '" + field.key +
                                   "' in scenario, found " + describe_found(field.value));
    return std::nullopt;
  }
  return value.get<std::string>();
}

// A top-level duration above 0 and at most `max`; nullopt (and an error) otherwise.
std::optional<DurationNs> read_bounded_duration(YamlContext& context, const Field& field, std::string_view key,
                                                DurationNs max) {
  auto value = read_duration(context, field);
  if (!value) return std::nullopt;
  if (*value <= 0 || *value > max) {
    context.error(field.where, "expected a duration above 0 and at most " + format_duration(max) + " for '" +
                                   std::string(key) + "' in scenario, found " + format_duration(*value));
    return std::nullopt;
  }
  return value;
}

Client read_client(YamlContext& context, const std::string& name, const SourceLocation& declared_at,
                   const Field& field) {
  static constexpr std::string_view kKeys[] = {"user_id", "user_info", "app", "watchlist"};
  Client client{declared_at, name, {}, {}, {}, {}};
  if (field.value.IsNull()) return client;  // `carol:` with nothing: a client without a user
  MapReader map(context, field.value, field.where, "client '" + name + "'", kKeys);
  if (auto user_id = map.get("user_id")) client.user_id = read_string(context, *user_id);
  if (auto user_info = map.get("user_info")) client.user_info = read_json(context, *user_info);
  if (auto app = map.get("app")) client.app = read_string(context, *app);
  if (auto watchlist = map.get("watchlist")) client.watchlist = read_string_list(context, *watchlist);
  return client;
}

AppSettings read_app(YamlContext& context, const std::string& name, const SourceLocation& declared_at,
                     const Field& field) {
  static constexpr std::string_view kKeys[] = {
      "enabled",         "client_events", "user_authentication_required", "authorization_timeout",
      "max_connections", "max_messages"};
  AppSettings app;
  app.where = declared_at;
  app.name = name;
  MapReader map(context, field.value, field.where, "app '" + name + "'", kKeys);
  if (auto enabled = map.get("enabled")) app.enabled = read_bool(context, *enabled);
  if (auto events = map.get("client_events")) app.client_events = read_bool(context, *events);
  if (auto required = map.get("user_authentication_required")) {
    app.user_authentication_required = read_bool(context, *required);
  }
  if (auto timeout = map.get("authorization_timeout")) app.authorization_timeout = read_duration(context, *timeout);
  if (auto max = map.get("max_connections")) {
    if (auto value = read_integer(context, *max, 0, 100000)) app.max_connections = static_cast<std::size_t>(*value);
  }
  if (auto max = map.get("max_messages")) {
    if (auto value = read_integer(context, *max, 0, 1'000'000'000))
      app.max_messages = static_cast<std::uint64_t>(*value);
  }
  return app;
}

bool is_kebab_name(std::string_view name) {
  if (name.empty() || !is_lower(name.front()) || name.back() == '-') return false;
  for (std::size_t i = 0; i < name.size(); ++i) {
    const char c = name[i];
    const bool ok = is_lower(c) || is_digit(c) || (c == '-' && name[i - 1] != '-');
    if (!ok) return false;
  }
  return true;
}

}  // namespace

bool is_scenario_id(std::string_view id) {
  const std::size_t dot = id.find('.');
  if (dot == std::string_view::npos || dot == 0 || !is_lower(id[0])) return false;
  const std::string_view area = id.substr(0, dot);
  const bool area_ok =
      std::all_of(area.begin(), area.end(), [](char c) { return is_lower(c) || is_digit(c) || c == '_' || c == '-'; });
  return area_ok && (all_digits(id.substr(dot + 1)) || is_kebab_name(id.substr(dot + 1)));
}

bool is_section_number(std::string_view section) {
  std::size_t start = 0;
  while (true) {
    const std::size_t dot = section.find('.', start);
    if (!all_digits(section.substr(start, dot == std::string_view::npos ? std::string_view::npos : dot - start))) {
      return false;
    }
    if (dot == std::string_view::npos) return true;
    start = dot + 1;
  }
}

bool is_client_name(std::string_view name) {
  return !name.empty() && is_letter(name[0]) && std::all_of(name.begin(), name.end(), [](char c) {
    return is_letter(c) || is_digit(c) || c == '_' || c == '-';
  });
}

void read_metadata(YamlContext& context, const MapReader& map, Scenario& scenario) {
  if (auto id = map.require("id")) {
    scenario.id = read_string(context, *id).value_or("");
    scenario.where = id->where;
    if (id->value.IsScalar() && !is_scenario_id(scenario.id)) {
      context.error(id->where,
                    "bad scenario id '" + scenario.id + "' (expected area.N, like presence.12, or area.kebab-name)");
    }
  }
  if (auto name = map.require("name")) {
    scenario.name = read_string(context, *name).value_or("");
    if (name->value.IsScalar() && scenario.name.empty()) {
      context.error(name->where, "expected a name for 'name' in scenario, found an empty string");
    }
  }
  if (auto level = map.require("level")) read_level(context, *level, scenario);
  if (auto section = map.require("section")) {
    scenario.section = read_string(context, *section).value_or("");
    scenario.section_where = section->where;
    if (section->value.IsScalar() && !is_section_number(scenario.section)) {
      context.error(section->where,
                    "bad section '" + scenario.section + "' (expected a section number of docs/protocol.md, like 3.4)");
    }
  }
  if (auto tags = map.get("tags"))
    scenario.tags = read_string_list(context, *tags).value_or(std::vector<std::string>{});
  if (auto features = map.get("requires")) read_requires(context, *features, scenario);
  if (auto reason = map.get("simulation_only")) {
    scenario.simulation_only = read_reason(context, *reason, "why the scenario can run only in simulation");
  }
  if (auto reason = map.get("exact_channel_names")) {
    scenario.exact_channel_names =
        read_reason(context, *reason, "why the scenario needs its channel names unsuffixed on a live server");
  }
  if (auto limit = map.get("virtual_time_limit")) {
    scenario.virtual_time_limit = read_bounded_duration(context, *limit, "virtual_time_limit", kVirtualTimeLimitMax);
  }
  if (auto bound = map.get("fault_delay_max")) {
    scenario.fault_delay_max = read_bounded_duration(context, *bound, "fault_delay_max", kFaultDelayMaxLimit);
  }
}

std::vector<Client> read_clients(YamlContext& context, const Field& field) {
  std::vector<Client> clients;
  if (!field.value.IsMap()) {
    context.error(field.where,
                  "expected a map of clients (name: { user_id, user_info, app }) for 'clients' in "
                  "scenario, found " +
                      describe_found(field.value));
    return clients;
  }
  for (const auto& pair : field.value) {
    const SourceLocation where = pair.first.Mark().is_null() ? field.where : context.at(pair.first.Mark());
    if (!pair.first.IsScalar() || !is_client_name(pair.first.Scalar())) {
      context.error(where, "bad client name " + describe_found(pair.first) +
                               " (expected letters, digits, '_' or '-', starting with a letter)");
      continue;
    }
    const std::string& name = pair.first.Scalar();
    auto same = std::find_if(clients.begin(), clients.end(), [&](const Client& c) { return c.name == name; });
    if (same != clients.end()) {
      context.error(where, "duplicate client '" + name + "' (first declared at " + same->where.line_column() + ")");
      continue;
    }
    if (clients.size() == kClientsMax) {
      context.error(where, "more than " + std::to_string(kClientsMax) + " clients");
      break;
    }
    clients.push_back(read_client(context, name, where,
                                  Field{name, "clients", pair.second, value_place(context, pair.second, where)}));
  }
  return clients;
}

std::vector<AppSettings> read_apps(YamlContext& context, const Field& field) {
  std::vector<AppSettings> apps;
  if (!field.value.IsMap()) {
    context.error(field.where,
                  "expected a map of apps (name: { enabled, client_events, ... }) for 'apps' in scenario, "
                  "found " +
                      describe_found(field.value));
    return apps;
  }
  for (const auto& pair : field.value) {
    const SourceLocation where = pair.first.Mark().is_null() ? field.where : context.at(pair.first.Mark());
    // The name becomes part of the app's id and key (app-NAME, NAME-key), like a client name.
    if (!pair.first.IsScalar() || !is_client_name(pair.first.Scalar()) || pair.first.Scalar() == "default") {
      context.error(where, "bad app name " + describe_found(pair.first) +
                               " (expected letters, digits, '_' or '-', starting with a letter; not default)");
      continue;
    }
    const std::string& name = pair.first.Scalar();
    if (std::any_of(apps.begin(), apps.end(), [&](const AppSettings& a) { return a.name == name; })) {
      context.error(where, "duplicate app '" + name + "'");
      continue;
    }
    apps.push_back(
        read_app(context, name, where, Field{name, "apps", pair.second, value_place(context, pair.second, where)}));
  }
  return apps;
}

std::vector<WebhookEndpoint> read_webhook_endpoints(YamlContext& context, const Field& field) {
  std::vector<WebhookEndpoint> endpoints;
  if (!field.value.IsMap() || field.value.size() == 0) {
    context.error(field.where,
                  "expected a map of webhook endpoints (name: [channel_occupied, ...]) for 'webhook_endpoints' in "
                  "scenario, found " +
                      describe_found(field.value));
    return endpoints;
  }
  for (const auto& pair : field.value) {
    const SourceLocation where = pair.first.Mark().is_null() ? field.where : context.at(pair.first.Mark());
    // The name becomes the last segment of the endpoint's URL path.
    if (!pair.first.IsScalar() || !is_client_name(pair.first.Scalar())) {
      context.error(where, "bad webhook endpoint name " + describe_found(pair.first) +
                               " (expected letters, digits, '_' or '-', starting with a letter)");
      continue;
    }
    const std::string& name = pair.first.Scalar();
    if (std::any_of(endpoints.begin(), endpoints.end(), [&](const WebhookEndpoint& e) { return e.name == name; })) {
      context.error(where, "duplicate webhook endpoint '" + name + "'");
      continue;
    }
    WebhookEndpoint endpoint{where, name, {}};
    const Field events{name, "webhook_endpoints", pair.second, value_place(context, pair.second, where)};
    auto types = read_string_list(context, events);
    if (types && types->empty()) context.error(events.where, "webhook endpoint '" + name + "' wants no event at all");
    for (const auto& type : types.value_or(std::vector<std::string>{})) {
      if (std::find(std::begin(kWebhookNames), std::end(kWebhookNames), type) == std::end(kWebhookNames)) {
        context.error(events.where, "unknown webhook event '" + type + "' for endpoint '" + name +
                                        "' (expected one of: " + join_words(kWebhookNames) + ")");
        continue;
      }
      endpoint.event_types.push_back(type);
    }
    endpoints.push_back(std::move(endpoint));
  }
  return endpoints;
}

}  // namespace pushsim::harness
