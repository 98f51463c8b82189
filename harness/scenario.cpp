#include "harness/scenario.hpp"

#include "harness/duration.hpp"
#include "harness/expected_value.hpp"
#include "harness/json_text.hpp"
#include "harness/scenario_vocabulary.hpp"

namespace pushsim::harness {
namespace {

std::string dump(const Json& value) { return to_json_text(value); }

std::string json_quoted(const std::string& text) { return dump(Json(text)); }

void add(std::string& out, std::string_view key, const std::optional<std::string>& value) {
  if (value) out += " " + std::string(key) + "=" + *value;
}
void add(std::string& out, std::string_view key, const std::optional<Json>& value) {
  if (value) out += " " + std::string(key) + "=" + expected_text(*value, std::string::npos);
}
void add(std::string& out, std::string_view key, const std::optional<std::int64_t>& value) {
  if (value) out += " " + std::string(key) + "=" + std::to_string(*value);
}
void add_absent(std::string& out, const std::vector<std::string>& absent) {
  for (const auto& field : absent) out += " " + field + "=!absent";
}
void add(std::string& out, std::string_view key, const std::optional<int>& value) {
  if (value) out += " " + std::string(key) + "=" + std::to_string(*value);
}

std::string describe_auth(const AuthChoice& auth) {
  if (auth.kind == AuthChoice::Kind::kLiteral) return " auth=" + json_quoted(auth.literal);
  if (auth.kind == AuthChoice::Kind::kValid) return "";
  return " auth=" + std::string(to_string(auth.kind));
}

std::string describe_exclude(const std::optional<Exclude>& exclude) {
  if (!exclude) return "";
  return exclude->kind == Exclude::Kind::kClient ? " exclude=" + exclude->value
                                                 : " exclude_socket_id=" + exclude->value;
}

std::string describe_steps(const std::vector<Step>& steps) {
  std::string out = "[";
  for (const auto& step : steps) out += (out.size() > 1 ? "; " : "") + describe_step(step);
  return out + "]";
}

std::string describe(const ConnectStep& s) {
  std::string out = s.client;
  add(out, "app_key", s.app_key);
  add(out, "protocol", s.protocol_version);
  add(out, "path", s.path);
  add(out, "node", s.node);
  return out;
}
std::string describe(const DisconnectStep& s) {
  std::string out = s.client;
  add(out, "code", s.code);
  return out + (s.abrupt ? " abrupt" : "");
}
std::string describe(const SubscribeStep& s) {
  std::string out = s.client + " " + s.channel + describe_auth(s.auth);
  add(out, "channel_data", s.channel_data);
  return out;
}
std::string describe(const UnsubscribeStep& s) { return s.client + " " + s.channel; }
std::string describe(const SigninStep& s) {
  return s.client + (s.as ? " as " + *s.as : std::string()) + describe_auth(s.auth);
}
std::string describe(const ClientEventStep& s) {
  return s.client + " " + s.channel + " " + s.event + " " + dump(s.data);
}
std::string describe(const SendStep& s) {
  if (s.ws_ping) return s.client + " ws_ping " + json_quoted(*s.ws_ping);
  return s.client + (s.binary ? " binary " : " ") + json_quoted(s.text);
}
std::string describe(const ExpectPongStep& s) {
  return s.client + (s.payload ? " " + json_quoted(*s.payload) : std::string()) + " within " +
         format_duration(s.within);
}
std::string describe(const ShutdownServerStep&) { return ""; }
std::string describe(const TriggerStep& s) {
  std::string out;
  for (const auto& channel : s.channels) out += (out.empty() ? "" : ",") + channel;
  out += " " + s.event + " " + json_quoted(s.data) + describe_exclude(s.exclude);
  add(out, "info", s.info);
  add(out, "node", s.node);
  return out;
}
std::string describe(const BatchTriggerStep& s) {
  std::string out = std::to_string(s.items.size()) + " items:";
  for (const auto& item : s.items) {
    out += " {" + item.channel + " " + item.event + " " + json_quoted(item.data) + describe_exclude(item.exclude);
    add(out, "info", item.info);
    out += "}";
  }
  add(out, "node", s.node);
  return out;
}
std::string describe_params(const ParamList& params) {
  std::string out;
  for (const auto& [key, value] : params) out += (out.empty() ? "?" : "&") + key + "=" + value;
  return out;
}
std::string describe(const QueryStep& s) {
  std::string out = s.path + describe_params(s.params);
  add(out, "node", s.node);
  return out;
}
std::string describe(const RequestStep& s) {
  std::string out = s.method + " " + s.path + describe_params(s.params);
  if (s.body) out += " body=" + json_quoted(*s.body);
  if (s.signing != Signing::kValid) out += " signing=" + std::string(to_string(s.signing));
  if (s.timestamp_offset_s) out += " timestamp_offset=" + std::to_string(*s.timestamp_offset_s);
  add(out, "node", s.node);
  return out;
}
std::string describe(const ExpectStep& s) {
  std::string out = s.client + " " + s.event;
  add(out, "channel", s.channel);
  add(out, "data", s.data);
  add(out, "user_id", s.user_id);
  add_absent(out, s.absent);
  return out + (s.after_previous ? " after_previous" : "") + " within " + format_duration(s.within);
}
std::string describe(const ExpectNoneStep& s) {
  std::string out = s.client;
  add(out, "event", s.event);
  add(out, "channel", s.channel);
  add(out, "data", s.data);
  add_absent(out, s.absent);
  return out + (s.after_previous ? " after_previous" : "") + " for " + format_duration(s.span);
}
std::string describe(const ExpectCloseStep& s) {
  std::string out = s.client;
  add(out, "code", s.code);
  return out + " within " + format_duration(s.within);
}
std::string describe(const ExpectResponseStep& s) {
  std::string out = std::to_string(s.status);
  add(out, "body", s.body);
  return out;
}
std::string describe(const ExpectWebhookStep& s) {
  std::string out = s.name;
  add(out, "channel", s.channel);
  add(out, "user_id", s.user_id);
  add(out, "event", s.event);
  add(out, "data", s.data);
  add(out, "socket_id", s.socket_id);
  add(out, "subscription_count", s.subscription_count);
  add(out, "batch_size", s.batch_size);
  if (s.time_ms_within) out += " time_ms_within=" + format_duration(*s.time_ms_within);
  add(out, "endpoint", s.endpoint);
  add_absent(out, s.absent);
  return out + " within " + format_duration(s.within);
}
std::string describe(const ExpectRefusedStep& s) {
  return s.client + " " + s.channel + " within " + format_duration(s.within);
}
std::string describe(const ExpectNoWebhookStep& s) {
  std::string out = s.name.value_or("(any)");
  add(out, "channel", s.channel);
  add(out, "user_id", s.user_id);
  add(out, "endpoint", s.endpoint);
  return out + " for " + format_duration(s.span);
}
std::string describe(const ExpectWebhookStateStep& s) {
  std::string out = s.channel;
  add(out, "user_id", s.user_id);
  return out + " " + std::string(to_string(s.state)) + " within " + format_duration(s.within);
}
std::string describe(const AdvanceStep& s) { return format_duration(s.duration); }
std::string describe(const PartitionStep& s) { return s.client; }
std::string describe(const HealStep& s) { return s.client; }
std::string describe(const DropStep& s) { return s.client; }
std::string describe(const LatencyStep& s) {
  return s.client.value_or("(all)") + " " + format_duration(s.min) + ".." + format_duration(s.max);
}
std::string describe(const WebhookFailuresStep& s) {
  return std::to_string(s.count) + (s.status == 0 ? " no_answer" : " status=" + std::to_string(s.status));
}
std::string describe(const AuthRefuseStep& s) {
  return "client=" + s.client.value_or("(any)") + " channel=" + s.channel.value_or("(any)");
}
std::string describe(const CrashNodeStep& s) { return "node " + std::to_string(s.node); }
std::string describe(const RestartNodeStep& s) { return "node " + std::to_string(s.node); }
std::string describe(const PartitionNodesStep& s) { return std::to_string(s.a) + " " + std::to_string(s.b); }
std::string describe(const HealNodesStep& s) {
  return s.nodes ? std::to_string(s.nodes->first) + " " + std::to_string(s.nodes->second) : "(all)";
}
std::string describe(const ConcurrentlyStep& s) { return describe_steps(s.steps); }
std::string describe(const OneOfStep& s) {
  std::string out;
  for (const auto& branch : s.branches) out += (out.empty() ? "" : " | ") + describe_steps(branch);
  return out;
}

}  // namespace

bool ConcurrentlyStep::operator==(const ConcurrentlyStep& other) const {
  return where == other.where && steps == other.steps;
}

bool OneOfStep::operator==(const OneOfStep& other) const { return where == other.where && branches == other.branches; }

std::string_view step_kind(const Step& step) {
  static_assert(std::size(kStepKinds) == std::variant_size_v<StepAction>);
  return kStepKinds[step.action.index()];
}

const SourceLocation& location(const Step& step) {
  return std::visit([](const auto& action) -> const SourceLocation& { return action.where; }, step.action);
}

std::string describe_step(const Step& step) {
  return std::string(step_kind(step)) + " " +
         std::visit([](const auto& action) { return describe(action); }, step.action);
}

const Client* Scenario::find_client(std::string_view client_name) const {
  for (const auto& client : clients) {
    if (client.name == client_name) return &client;
  }
  return nullptr;
}

std::string_view to_string(Level level) {
  switch (level) {
    case Level::kMust: return "must";
    case Level::kShould: return "should";
    case Level::kInfo: return "info";
  }
  return "?";
}

std::string_view to_string(Signing signing) {
  switch (signing) {
    case Signing::kValid: return "valid";
    case Signing::kBadSignature: return "bad_signature";
    case Signing::kStaleTimestamp: return "stale_timestamp";
    case Signing::kWrongBodyMd5: return "wrong_body_md5";
    case Signing::kWrongKey: return "wrong_key";
    case Signing::kUnsigned: return "unsigned";
    case Signing::kUppercaseSignature: return "uppercase_signature";
    case Signing::kUnsortedQuery: return "unsorted_query";
  }
  return "?";
}

std::string_view to_string(ExpectWebhookStateStep::State state) {
  return kWebhookStates[static_cast<std::size_t>(state)];
}

std::string_view to_string(AuthChoice::Kind kind) {
  switch (kind) {
    case AuthChoice::Kind::kValid: return "valid";
    case AuthChoice::Kind::kNone: return "none";
    case AuthChoice::Kind::kWrongSignature: return "wrong_signature";
    case AuthChoice::Kind::kOtherSocket: return "other_socket";
    case AuthChoice::Kind::kLiteral: return "literal";
    case AuthChoice::Kind::kOtherChannelData: return "signed_channel_data";
  }
  return "?";
}

}  // namespace pushsim::harness
