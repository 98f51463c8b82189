#include "harness/step_parser.hpp"

#include <algorithm>
#include <iterator>

#include "harness/json_text.hpp"
#include "harness/scenario_vocabulary.hpp"
#include "harness/variables.hpp"

namespace pushsim::harness {
namespace {

using Parse = StepAction (StepParser::*)(const Field&, const SourceLocation&);

std::set<std::string> intersection(const std::set<std::string>& a, const std::set<std::string>& b) {
  std::set<std::string> out;
  std::set_intersection(a.begin(), a.end(), b.begin(), b.end(), std::inserter(out, out.end()));
  return out;
}

SourceLocation place_of(const YamlContext& context, const YAML::Node& node, const SourceLocation& fallback) {
  return node.Mark().is_null() ? fallback : context.at(node.Mark());
}

}  // namespace

StepParser::StepParser(YamlContext& context, const std::vector<Client>& clients, std::optional<int> cluster_nodes)
    : context_(context), clients_(clients), cluster_nodes_(cluster_nodes) {}

std::vector<Step> StepParser::parse_list(const YAML::Node& node, const SourceLocation& where, std::string_view owner,
                                         int depth) {
  std::vector<Step> steps;
  if (!node.IsSequence() || node.size() == 0) {
    const std::string found = node.IsSequence() ? "an empty list" : describe_found(node);
    context_.error(where, "expected a non-empty list of steps for " + std::string(owner) + ", found " + found);
    return steps;
  }
  for (const auto& item : node) {
    if (++steps_parsed_ > kStepsMax) {
      if (steps_parsed_ == kStepsMax + 1) {
        context_.error(where, "more than " + std::to_string(kStepsMax) + " steps (split the scenario)");
      }
      return steps;
    }
    if (auto step = parse_step(item, place_of(context_, item, where), depth)) steps.push_back(std::move(*step));
  }
  return steps;
}

std::optional<Step> StepParser::parse_step(const YAML::Node& node, const SourceLocation& where, int depth) {
  if (!node.IsMap()) {
    context_.error(where, "expected a step (a map with one key, its kind, like '- connect: alice'), found " +
                              describe_found(node));
    return std::nullopt;
  }
  if (node.size() != 1) {
    std::string keys;
    for (const auto& pair : node) keys += (keys.empty() ? "" : ", ") + describe_found(pair.first);
    context_.error(where, "expected one key per step (its kind), found " + std::to_string(node.size()) + ": " + keys +
                              " (are the step's fields indented under its kind?)");
    return std::nullopt;
  }
  const auto pair = *node.begin();
  const SourceLocation at = place_of(context_, pair.first, where);
  if (!pair.first.IsScalar()) {
    context_.error(at, "expected a step kind, found " + describe_found(pair.first));
    return std::nullopt;
  }
  const std::string& kind = pair.first.Scalar();
  const Field field{kind, "steps", pair.second, value_place(context_, pair.second, at)};
  auto action = dispatch(kind, field, at, depth);
  if (!action) {
    context_.error(at, "unknown step '" + kind + "' (expected one of: " + join_words(kStepKinds) + ")");
    return std::nullopt;
  }
  return Step{std::move(*action)};
}

std::optional<StepAction> StepParser::dispatch(const std::string& kind, const Field& field, const SourceLocation& at,
                                               int depth) {
  if (kind == "concurrently") return parse_concurrently(field, at, depth);
  if (kind == "one_of") return parse_one_of(field, at, depth);
  static const std::pair<std::string_view, Parse> kParsers[] = {
      {"connect", &StepParser::parse_connect},
      {"disconnect", &StepParser::parse_disconnect},
      {"subscribe", &StepParser::parse_subscribe},
      {"unsubscribe", &StepParser::parse_unsubscribe},
      {"signin", &StepParser::parse_signin},
      {"client_event", &StepParser::parse_client_event},
      {"send", &StepParser::parse_send},
      {"trigger", &StepParser::parse_trigger},
      {"batch_trigger", &StepParser::parse_batch_trigger},
      {"query", &StepParser::parse_query},
      {"request", &StepParser::parse_request},
      {"expect", &StepParser::parse_expect},
      {"expect_none", &StepParser::parse_expect_none},
      {"expect_close", &StepParser::parse_expect_close},
      {"expect_response", &StepParser::parse_expect_response},
      {"expect_webhook", &StepParser::parse_expect_webhook},
      {"expect_no_webhook", &StepParser::parse_expect_no_webhook},
      {"expect_webhook_state", &StepParser::parse_expect_webhook_state},
      {"expect_refused", &StepParser::parse_expect_refused},
      {"expect_pong", &StepParser::parse_expect_pong},
      {"advance", &StepParser::parse_advance},
      {"partition", &StepParser::parse_partition},
      {"heal", &StepParser::parse_heal},
      {"drop", &StepParser::parse_drop},
      {"latency", &StepParser::parse_latency},
      {"webhook_failures", &StepParser::parse_webhook_failures},
      {"auth_refuse", &StepParser::parse_auth_refuse},
      {"crash_node", &StepParser::parse_crash_node},
      {"restart_node", &StepParser::parse_restart_node},
      {"partition_nodes", &StepParser::parse_partition_nodes},
      {"heal_nodes", &StepParser::parse_heal_nodes},
      {"shutdown_server", &StepParser::parse_shutdown_server},
  };
  for (const auto& [name, parse] : kParsers) {
    if (name == kind) return (this->*parse)(field, at);
  }
  return std::nullopt;
}

// ---- Composition --------------------------------------------------------------------------

StepAction StepParser::parse_concurrently(const Field& field, const SourceLocation& at, int depth) {
  ConcurrentlyStep step{at, {}};
  if (depth >= kNestingMax) {
    context_.error(at, "concurrently and one_of nested deeper than " + std::to_string(kNestingMax) + " levels");
    return step;
  }
  // Steps of one block start at the same instant: a connect among them has not completed for
  // its siblings, so its socket_id becomes usable only after the outermost block.
  ++concurrent_depth_;
  step.steps = parse_list(field.value, field.where, "concurrently step", depth + 1);
  if (--concurrent_depth_ == 0) {
    socket_known_.merge(deferred_known_);
    deferred_known_.clear();
  }
  return step;
}

StepAction StepParser::parse_one_of(const Field& field, const SourceLocation& at, int depth) {
  OneOfStep step{at, {}};
  if (depth >= kNestingMax) {
    context_.error(at, "concurrently and one_of nested deeper than " + std::to_string(kNestingMax) + " levels");
    return step;
  }
  if (!field.value.IsSequence() || field.value.size() < 2) {
    context_.error(field.where,
                   "expected a list of at least two branches (each a list of steps) for one_of step, found " +
                       (field.value.IsSequence() ? "one" : describe_found(field.value)));
    return step;
  }
  // After the one_of, only what every branch did is known to have happened.
  const auto connected_before = connected_, known_before = socket_known_, deferred_before = deferred_known_;
  const bool rest_before = rest_step_seen_;
  std::optional<std::set<std::string>> connected_after, known_after, deferred_after;
  bool rest_after = true;
  std::size_t index = 0;
  for (const auto& branch : field.value) {
    connected_ = connected_before, socket_known_ = known_before, deferred_known_ = deferred_before;
    rest_step_seen_ = rest_before;
    const std::string owner = "branch " + std::to_string(++index) + " of one_of step";
    step.branches.push_back(parse_list(branch, place_of(context_, branch, field.where), owner, depth + 1));
    connected_after = connected_after ? intersection(*connected_after, connected_) : connected_;
    known_after = known_after ? intersection(*known_after, socket_known_) : socket_known_;
    deferred_after = deferred_after ? intersection(*deferred_after, deferred_known_) : deferred_known_;
    rest_after = rest_after && rest_step_seen_;
  }
  connected_ = *connected_after, socket_known_ = *known_after, deferred_known_ = *deferred_after;
  rest_step_seen_ = rest_after;
  return step;
}

// ---- Connection steps ---------------------------------------------------------------------

StepAction StepParser::parse_connect(const Field& field, const SourceLocation& at) {
  static constexpr std::string_view kKeys[] = {"client", "app_key", "protocol", "path", "node"};
  ConnectStep step{at, {}, {}, {}, {}};
  if (field.value.IsScalar()) {
    step.client = client_name(field, false).value_or("");
  } else {
    MapReader map(context_, field.value, field.where, "connect step", kKeys);
    if (auto client = map.require("client")) step.client = client_name(*client, false).value_or("");
    step.app_key = text(map, "app_key", false);
    if (auto protocol = map.get("protocol")) {
      if (auto version = read_integer(context_, *protocol, 0, 99)) step.protocol_version = static_cast<int>(*version);
    }
    step.path = text(map, "path", false);
    step.node = node_of(map);
  }
  if (!step.client.empty()) {
    connected_.insert(step.client);
    (concurrent_depth_ > 0 ? deferred_known_ : socket_known_).insert(step.client);
  }
  return step;
}

StepAction StepParser::parse_disconnect(const Field& field, const SourceLocation& at) {
  static constexpr std::string_view kKeys[] = {"client", "code", "abrupt"};
  DisconnectStep step{at, {}, {}, false};
  if (field.value.IsScalar()) {
    step.client = client_name(field, true).value_or("");
    return step;
  }
  MapReader map(context_, field.value, field.where, "disconnect step", kKeys);
  if (auto client = map.require("client")) step.client = client_name(*client, true).value_or("");
  if (auto code = map.get("code")) {
    if (auto value = read_integer(context_, *code, 1000, 4999)) step.code = static_cast<int>(*value);
  }
  if (auto abrupt = map.get("abrupt")) step.abrupt = read_bool(context_, *abrupt).value_or(false);
  if (step.abrupt && step.code) {
    context_.error(map.where(), "disconnect step has both 'code' and 'abrupt: true' (an abrupt close sends no code)");
  }
  return step;
}

StepAction StepParser::parse_subscribe(const Field& field, const SourceLocation& at) {
  static constexpr std::string_view kKeys[] = {"client", "channel", "auth", "channel_data"};
  SubscribeStep step{at, {}, {}, {}, {}};
  MapReader map(context_, field.value, field.where, "subscribe step", kKeys);
  if (auto client = map.require("client")) step.client = client_name(*client, true).value_or("");
  step.channel = text(map, "channel", true).value_or("");
  if (auto auth = map.get("auth")) step.auth = auth_choice(*auth).value_or(AuthChoice{});
  if (auto data = map.get("channel_data")) step.channel_data = json(*data);
  return step;
}

StepAction StepParser::parse_unsubscribe(const Field& field, const SourceLocation& at) {
  static constexpr std::string_view kKeys[] = {"client", "channel"};
  UnsubscribeStep step{at, {}, {}};
  MapReader map(context_, field.value, field.where, "unsubscribe step", kKeys);
  if (auto client = map.require("client")) step.client = client_name(*client, true).value_or("");
  step.channel = text(map, "channel", true).value_or("");
  return step;
}

StepAction StepParser::parse_signin(const Field& field, const SourceLocation& at) {
  static constexpr std::string_view kKeys[] = {"client", "auth", "as"};
  SigninStep step{at, {}, {}, {}};
  if (field.value.IsScalar()) {
    step.client = client_name(field, true).value_or("");
    return step;
  }
  MapReader map(context_, field.value, field.where, "signin step", kKeys);
  if (auto client = map.require("client")) step.client = client_name(*client, true).value_or("");
  if (auto auth = map.get("auth")) step.auth = auth_choice(*auth).value_or(AuthChoice{});
  if (auto as = map.get("as")) step.as = client_name(*as, false);
  return step;
}

StepAction StepParser::parse_client_event(const Field& field, const SourceLocation& at) {
  static constexpr std::string_view kKeys[] = {"client", "channel", "event", "data"};
  ClientEventStep step{at, {}, {}, {}, Json::object()};
  MapReader map(context_, field.value, field.where, "client_event step", kKeys);
  if (auto client = map.require("client")) step.client = client_name(*client, true).value_or("");
  step.channel = text(map, "channel", true).value_or("");
  step.event = text(map, "event", true).value_or("");
  if (auto data = map.get("data")) step.data = json(*data).value_or(Json::object());
  return step;
}

StepAction StepParser::parse_send(const Field& field, const SourceLocation& at) {
  static constexpr std::string_view kKeys[] = {"client", "text", "binary", "ws_ping"};
  SendStep step{at, {}, {}};
  MapReader map(context_, field.value, field.where, "send step", kKeys);
  if (auto client = map.require("client")) step.client = client_name(*client, true).value_or("");
  if (auto ping = map.get("ws_ping")) {
    // A control frame's payload is at most 125 bytes (RFC 6455 §5.5).
    step.ws_ping = read_string(context_, *ping).value_or("");
    if (step.ws_ping->size() > 125) context_.error(ping->where, "ws_ping payload over 125 bytes (RFC 6455 §5.5)");
    if (map.get("text") || map.get("binary")) {
      context_.error(ping->where, "send step with ws_ping takes no text or binary (a ping carries its payload)");
    }
    return step;
  }
  step.text = text(map, "text", true).value_or("");
  if (auto binary = map.get("binary")) step.binary = read_bool(context_, *binary).value_or(false);
  return step;
}

// ---- Shared readers -----------------------------------------------------------------------

std::optional<std::string> StepParser::client_name(const Field& field, bool must_be_connected) {
  auto name = read_string(context_, field);
  if (!name) return std::nullopt;
  if (!find_client(*name)) {
    context_.error(field.where, "unknown client '" + *name + "' (" + declared_clients() + ")");
    return std::nullopt;
  }
  if (must_be_connected && !connected_.contains(*name)) {
    context_.error(field.where, "client '" + *name + "' is used before any connect step for it");
  }
  return name;
}

std::optional<std::string> StepParser::text(const Field& field) {
  auto value = read_string(context_, field);
  if (value) check_variables(*value, field.where);
  return value;
}

std::optional<std::string> StepParser::text(const MapReader& map, std::string_view key, bool required) {
  auto field = required ? map.require(key) : map.get(key);
  if (!field) return std::nullopt;
  return text(*field);
}

std::optional<Json> StepParser::json(const Field& field) {
  return read_json(context_, field,
                   [this](const std::string& value, const SourceLocation& where) { check_variables(value, where); });
}

std::optional<Json> StepParser::expected_json(const Field& field) {
  return read_json(
      context_, field, [this](const std::string& value, const SourceLocation& where) { check_variables(value, where); },
      MatcherTags::kAllowed);
}

std::optional<std::string> StepParser::expected_field(const MapReader& map, std::string_view key, bool required,
                                                      std::vector<std::string>& absent) {
  auto field = required ? map.require(key) : map.get(key);
  if (!field) return std::nullopt;
  const std::string& tag = field->value.Tag();
  if (tag == "!absent" && field->value.IsScalar() && field->value.Scalar().empty() && !required) {
    absent.push_back(std::string(key));
    return std::nullopt;
  }
  if (tag != "?" && tag != "!" && !tag.empty() && tag.front() == '!') {
    context_.error(field->where, "'" + std::string(key) + "' in " + field->owner + " takes a string" +
                                     (required ? "" : " or !absent (with no value)") + ", found the tag " + tag);
    return std::nullopt;
  }
  return text(*field);
}

std::optional<std::string> StepParser::payload(const Field& field) {
  auto value = json(field);
  if (!value) return std::nullopt;
  if (value->is_string()) return value->get<std::string>();
  return to_json_text(*value);
}

std::string StepParser::app_name(const Field& field) {
  auto name = read_string(context_, field);
  if (!name) return "default";
  const bool known = *name == "default" || std::any_of(clients_.begin(), clients_.end(),
                                                       [&](const Client& client) { return client.app == *name; });
  if (!known) context_.error(field.where, "app '" + *name + "' is named by no client's 'app' (nor is it default)");
  return *name;
}

std::optional<AuthChoice> StepParser::auth_choice(const Field& field) {
  static constexpr std::pair<std::string_view, AuthChoice::Kind> kKeywords[] = {
      {"valid", AuthChoice::Kind::kValid},
      {"none", AuthChoice::Kind::kNone},
      {"wrong_signature", AuthChoice::Kind::kWrongSignature},
      {"other_socket", AuthChoice::Kind::kOtherSocket},
  };
  if (field.value.IsMap()) {
    static constexpr std::string_view kKeys[] = {"literal", "signed_channel_data"};
    MapReader map(context_, field.value, field.where, "auth", kKeys);
    if (auto other = map.get("signed_channel_data")) {
      auto signed_data = json(*other);
      if (!signed_data) return std::nullopt;
      AuthChoice choice{AuthChoice::Kind::kOtherChannelData, {}, {}};
      choice.signed_channel_data = std::move(*signed_data);
      return choice;
    }
    auto literal = text(map, "literal", true);
    if (!literal) return std::nullopt;
    return AuthChoice{AuthChoice::Kind::kLiteral, *literal, {}};
  }
  auto value = text(field);
  if (!value) return std::nullopt;
  for (const auto& [name, kind] : kKeywords) {
    if (*value == name) return AuthChoice{kind, {}, {}};
  }
  // Every real auth string is key:signature; anything else is more likely a misspelt keyword.
  if (value->find(':') != std::string::npos) return AuthChoice{AuthChoice::Kind::kLiteral, *value, {}};
  context_.error(field.where, "unknown auth '" + *value +
                                  "' (expected valid, none, wrong_signature, other_socket, a literal "
                                  "'key:signature', or { literal: ... })");
  return std::nullopt;
}

void StepParser::check_variables(const std::string& value, const SourceLocation& where) {
  auto refs = find_variables(value);
  if (!refs) {
    context_.error(where, refs.error().message);
    return;
  }
  for (const auto& ref : *refs) {
    const std::string written = value.substr(ref.offset, ref.length);
    const Client* client = find_client(ref.client);
    if (!client) {
      context_.error(where, "unknown client '" + ref.client + "' in '" + written + "' (" + declared_clients() + ")");
    } else if (ref.attribute == VariableAttribute::kSocketId) {
      check_socket_known(ref.client, where, "'" + written + "'");
    } else if (!client->user_id) {
      context_.error(
          where, "'" + written + "' names a client without a user_id (declare one under clients: " + ref.client + ")");
    }
  }
}

bool StepParser::check_socket_known(const std::string& client, const SourceLocation& where, std::string_view usage) {
  if (socket_known_.contains(client)) return true;
  context_.error(where, std::string(usage) + " needs the socket_id of '" + client +
                            "', known only after its connect step (and outside the concurrently block holding it)");
  return false;
}

std::string StepParser::declared_clients() const {
  if (clients_.empty()) return "no clients are declared";
  std::string out = "declared clients: ";
  for (std::size_t i = 0; i < clients_.size(); ++i) out += (i == 0 ? "" : ", ") + clients_[i].name;
  return out;
}

const Client* StepParser::find_client(std::string_view name) const {
  for (const auto& client : clients_) {
    if (client.name == name) return &client;
  }
  return nullptr;
}

}  // namespace pushsim::harness
