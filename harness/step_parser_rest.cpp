// REST steps: trigger, batch_trigger, query, request (docs/protocol.md §6, §7).
#include <algorithm>

#include "harness/step_parser.hpp"
#include "protocol/channel_name.hpp"

namespace pushsim::harness {
namespace {

bool is_method(const std::string& method) {
  return !method.empty() && std::all_of(method.begin(), method.end(), [](char c) { return c >= 'A' && c <= 'Z'; });
}

std::optional<Signing> signing_of(const std::string& name) {
  static constexpr Signing kAll[] = {
      Signing::kValid,    Signing::kBadSignature, Signing::kStaleTimestamp,     Signing::kWrongBodyMd5,
      Signing::kWrongKey, Signing::kUnsigned,     Signing::kUppercaseSignature, Signing::kUnsortedQuery};
  for (Signing signing : kAll) {
    if (to_string(signing) == name) return signing;
  }
  return std::nullopt;
}

}  // namespace

StepAction StepParser::parse_trigger(const Field& field, const SourceLocation& at) {
  static constexpr std::string_view kKeys[] = {"channel", "channels", "event", "data",
                                               "exclude", "info",     "app",   "node"};
  TriggerStep step{at, {}, false, {}, "{}", {}, {}, "default"};
  rest_step_seen_ = true;
  MapReader map(context_, field.value, field.where, "trigger step", kKeys);
  const auto channel = map.get("channel");
  const auto channels = map.get("channels");
  if (channel && channels) {
    context_.error(channels->where, "trigger step has both 'channel' and 'channels' (expected one of them)");
  } else if (channel) {
    step.channels = {text(*channel).value_or("")};
    step.single_channel_form = true;
  } else if (channels) {
    step.channels = read_string_list(context_, *channels).value_or(std::vector<std::string>{});
    for (const auto& name : step.channels) check_variables(name, channels->where);
    if (channels->value.IsSequence() && channels->value.size() == 0) {
      context_.error(channels->where,
                     "expected at least one channel in 'channels' of trigger step, found an empty list");
    }
  } else if (map.is_map()) {
    context_.error(map.where(), "missing key 'channels' (or 'channel') in trigger step");
  }
  step.event = text(map, "event", true).value_or("");
  if (auto data = map.get("data")) step.data = payload(*data).value_or("");
  if (auto excluded = map.get("exclude")) step.exclude = exclude(*excluded);
  step.info = text(map, "info", false);
  if (auto app = map.get("app")) step.app = app_name(*app);
  step.node = node_of(map);
  return step;
}

StepAction StepParser::parse_batch_trigger(const Field& field, const SourceLocation& at) {
  static constexpr std::string_view kKeys[] = {"items", "node"};
  BatchTriggerStep step{at, {}};
  rest_step_seen_ = true;
  std::optional<Field> items = field;  // `batch_trigger: [...]` is short for `{ items: [...] }`
  if (!field.value.IsSequence()) {
    MapReader map(context_, field.value, field.where, "batch_trigger step", kKeys);
    items = map.require("items");
    step.node = node_of(map);
  }
  if (!items) return step;
  if (!items->value.IsSequence() || items->value.size() == 0) {
    const std::string found = items->value.IsSequence() ? "an empty list" : describe_found(items->value);
    context_.error(items->where, "expected a non-empty list of items for batch_trigger step, found " + found);
    return step;
  }
  for (const auto& item : items->value) {
    const SourceLocation where = item.Mark().is_null() ? items->where : context_.at(item.Mark());
    step.items.push_back(parse_batch_item(Field{"items", "batch_trigger step", item, where}));
  }
  return step;
}

BatchItem StepParser::parse_batch_item(const Field& field) {
  static constexpr std::string_view kKeys[] = {"channel", "event", "data", "exclude", "info"};
  BatchItem item{field.where, {}, {}, "{}", {}, {}};
  MapReader map(context_, field.value, field.where, "batch_trigger item", kKeys);
  item.channel = text(map, "channel", true).value_or("");
  item.event = text(map, "event", true).value_or("");
  if (auto data = map.get("data")) item.data = payload(*data).value_or("");
  if (auto excluded = map.get("exclude")) item.exclude = exclude(*excluded);
  item.info = text(map, "info", false);
  return item;
}

StepAction StepParser::parse_query(const Field& field, const SourceLocation& at) {
  static constexpr std::string_view kKeys[] = {"path", "params", "node"};
  QueryStep step{at, {}, {}};
  rest_step_seen_ = true;
  MapReader map(context_, field.value, field.where, "query step", kKeys);
  if (auto path = map.require("path")) {
    step.path = text(*path).value_or("");
    if (path->value.IsScalar() && !step.path.starts_with('/')) {
      context_.error(path->where,
                     "expected a path starting with '/' for 'path' in query step, found '" + step.path + "'");
    }
  }
  if (auto list = map.get("params")) step.params = params(*list);
  step.node = node_of(map);
  return step;
}

StepAction StepParser::parse_request(const Field& field, const SourceLocation& at) {
  static constexpr std::string_view kKeys[] = {"method",  "path", "params", "body",
                                               "signing", "app",  "node",   "timestamp_offset"};
  RequestStep step{at, "GET", {}, {}, {}, Signing::kValid, "default"};
  rest_step_seen_ = true;
  MapReader map(context_, field.value, field.where, "request step", kKeys);
  if (auto method = map.get("method")) {
    step.method = read_string(context_, *method).value_or("GET");
    if (method->value.IsScalar() && !is_method(step.method)) {
      context_.error(method->where,
                     "expected an HTTP method in capitals (GET, POST, ...) for 'method' in request "
                     "step, found '" +
                         step.method + "'");
    }
  }
  if (auto path = map.require("path")) {
    step.path = text(*path).value_or("");
    if (path->value.IsScalar() && !step.path.starts_with('/')) {
      context_.error(path->where,
                     "expected a path starting with '/' for 'path' in request step, found '" + step.path + "'");
    }
  }
  if (auto list = map.get("params")) step.params = params(*list);
  if (auto body = map.get("body")) step.body = payload(*body);
  if (auto app = map.get("app")) step.app = app_name(*app);
  if (auto signing = map.get("signing")) {
    auto name = read_string(context_, *signing);
    auto value = name ? signing_of(*name) : std::nullopt;
    if (value) step.signing = *value;
    if (name && !value) {
      context_.error(signing->where, "unknown signing '" + *name +
                                         "' (expected one of: valid, bad_signature, "
                                         "stale_timestamp, wrong_body_md5, wrong_key, unsigned, "
                                         "uppercase_signature, unsorted_query)");
    }
  }
  if (auto offset = map.get("timestamp_offset")) {
    if (auto value = read_integer(context_, *offset, -86400, 86400)) step.timestamp_offset_s = *value;
    if (step.timestamp_offset_s && (step.signing == Signing::kUnsigned || step.signing == Signing::kStaleTimestamp)) {
      context_.error(offset->where,
                     "'timestamp_offset' needs a signed request whose timestamp it sets (not with "
                     "signing: unsigned or stale_timestamp)");
    }
  }
  step.node = node_of(map);
  return step;
}

std::optional<Exclude> StepParser::exclude(const Field& field) {
  if (field.value.IsMap()) {
    static constexpr std::string_view kKeys[] = {"client", "socket_id"};
    MapReader map(context_, field.value, field.where, "exclude", kKeys);
    const auto client = map.get("client");
    const auto socket_id = map.get("socket_id");
    if (client.has_value() == socket_id.has_value()) {
      context_.error(field.where, "expected exactly one of 'client' or 'socket_id' in exclude");
      return std::nullopt;
    }
    if (socket_id) return Exclude{Exclude::Kind::kSocketId, text(*socket_id).value_or("")};
    auto name = client_name(*client, false);
    if (!name || !check_socket_known(*name, client->where, "exclude '" + *name + "'")) return std::nullopt;
    return Exclude{Exclude::Kind::kClient, *name};
  }
  auto value = text(field);
  if (!value) return std::nullopt;
  if (find_client(*value)) {
    if (!check_socket_known(*value, field.where, "exclude '" + *value + "'")) return std::nullopt;
    return Exclude{Exclude::Kind::kClient, *value};
  }
  if (is_valid_socket_id(*value) || value->find("${") != std::string::npos) {
    return Exclude{Exclude::Kind::kSocketId, *value};
  }
  context_.error(field.where, "unknown client '" + *value + "' (" + declared_clients() +
                                  "; any other socket_id goes in { socket_id: ... })");
  return std::nullopt;
}

ParamList StepParser::params(const Field& field) {
  ParamList out;
  if (!field.value.IsMap()) {
    context_.error(field.where, "expected a map of query parameters for 'params' in " + field.owner + ", found " +
                                    describe_found(field.value));
    return out;
  }
  // Iterated by hand rather than through MapReader: a repeated parameter is allowed here,
  // since duplicate query parameters are themselves a REST test case.
  for (const auto& pair : field.value) {
    const SourceLocation where = pair.first.Mark().is_null() ? field.where : context_.at(pair.first.Mark());
    if (!pair.first.IsScalar() || !pair.second.IsScalar()) {
      context_.error(where, "expected 'name: value' strings in 'params', found " + describe_found(pair.first) + ": " +
                                describe_found(pair.second));
      continue;
    }
    check_variables(pair.second.Scalar(), where);
    out.emplace_back(pair.first.Scalar(), pair.second.Scalar());
  }
  return out;
}

}  // namespace pushsim::harness
