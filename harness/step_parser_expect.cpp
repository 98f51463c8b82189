// Expectation steps: what a client, the REST API or the webhook receiver must (or must not)
// see, each bounded in time.
#include "harness/scenario_vocabulary.hpp"
#include "harness/step_parser.hpp"

namespace pushsim::harness {
namespace {

constexpr std::int64_t kWebhookCountMax = 1'000'000'000;  // subscription_count and batch_size in expect_webhook

}  // namespace

StepAction StepParser::parse_expect(const Field& field, const SourceLocation& at) {
  static constexpr std::string_view kKeys[] = {"client",  "event",  "channel",       "data",
                                               "user_id", "within", "after_previous"};
  ExpectStep step;
  step.where = at;
  MapReader map(context_, field.value, field.where, "expect step", kKeys);
  if (auto client = map.require("client")) step.client = client_name(*client, true).value_or("");
  step.event = expected_field(map, "event", true, step.absent).value_or("");
  step.channel = expected_field(map, "channel", false, step.absent);
  if (auto data = map.get("data")) step.data = expected_json(*data);
  step.user_id = expected_field(map, "user_id", false, step.absent);
  if (auto within = map.get("within")) step.within = read_duration(context_, *within).value_or(kExpectWithinDefault);
  if (auto after = map.get("after_previous")) step.after_previous = read_bool(context_, *after).value_or(false);
  return step;
}

StepAction StepParser::parse_expect_none(const Field& field, const SourceLocation& at) {
  static constexpr std::string_view kKeys[] = {"client", "event", "channel", "data", "for", "after_previous"};
  ExpectNoneStep step;
  step.where = at;
  MapReader map(context_, field.value, field.where, "expect_none step", kKeys);
  if (auto client = map.require("client")) step.client = client_name(*client, true).value_or("");
  step.event = expected_field(map, "event", false, step.absent);
  step.channel = expected_field(map, "channel", false, step.absent);
  if (auto data = map.get("data")) step.data = expected_json(*data);
  if (auto span = map.require("for")) step.span = read_duration(context_, *span).value_or(0);
  if (auto after = map.get("after_previous")) step.after_previous = read_bool(context_, *after).value_or(false);
  return step;
}

StepAction StepParser::parse_expect_close(const Field& field, const SourceLocation& at) {
  static constexpr std::string_view kKeys[] = {"client", "code", "within"};
  ExpectCloseStep step{at, {}, {}, kExpectWithinDefault};
  MapReader map(context_, field.value, field.where, "expect_close step", kKeys);
  if (auto client = map.require("client")) step.client = client_name(*client, true).value_or("");
  if (auto code = map.get("code")) {
    if (auto value = read_integer(context_, *code, 1000, 4999)) step.code = static_cast<int>(*value);
  }
  if (auto within = map.get("within")) step.within = read_duration(context_, *within).value_or(kExpectWithinDefault);
  return step;
}

StepAction StepParser::parse_expect_response(const Field& field, const SourceLocation& at) {
  static constexpr std::string_view kKeys[] = {"status", "body"};
  ExpectResponseStep step{at, 200, {}};
  if (!rest_step_seen_) {
    context_.error(at, "expect_response needs a query, request, trigger or batch_trigger step before it");
  }
  MapReader map(context_, field.value, field.where, "expect_response step", kKeys);
  if (auto status = map.require("status")) {
    if (auto value = read_integer(context_, *status, 100, 599)) step.status = static_cast<int>(*value);
  }
  if (auto body = map.get("body")) step.body = expected_json(*body);
  return step;
}

StepAction StepParser::parse_expect_webhook(const Field& field, const SourceLocation& at) {
  static constexpr std::string_view kKeys[] = {
      "name",       "channel", "user_id",        "event",   "data", "socket_id", "subscription_count",
      "batch_size", "within",  "time_ms_within", "endpoint"};
  ExpectWebhookStep step;
  step.where = at;
  MapReader map(context_, field.value, field.where, "expect_webhook step", kKeys);
  if (auto name = map.require("name")) step.name = webhook_name(*name).value_or("");
  step.channel = expected_field(map, "channel", false, step.absent);
  step.user_id = expected_field(map, "user_id", false, step.absent);
  step.event = expected_field(map, "event", false, step.absent);
  step.socket_id = expected_field(map, "socket_id", false, step.absent);
  if (auto data = map.get("data")) step.data = expected_json(*data);
  if (auto count = map.get("subscription_count")) {
    if (count->value.Tag() == "!absent" && count->value.IsScalar() && count->value.Scalar().empty()) {
      step.absent.emplace_back("subscription_count");
    } else {
      step.subscription_count = read_integer(context_, *count, 0, kWebhookCountMax);
    }
  }
  if (auto batch = map.get("batch_size")) step.batch_size = read_integer(context_, *batch, 1, kWebhookCountMax);
  if (auto within = map.get("within")) {
    step.within = read_duration(context_, *within).value_or(kExpectWebhookWithinDefault);
  }
  if (auto window = map.get("time_ms_within")) step.time_ms_within = read_duration(context_, *window);
  step.endpoint = webhook_endpoint(map);
  return step;
}

std::optional<std::string> StepParser::webhook_endpoint(const MapReader& map) {
  auto field = map.get("endpoint");
  if (!field) return std::nullopt;
  auto name = read_string(context_, *field);
  if (!name) return std::nullopt;
  if (webhook_endpoints_.count(*name) == 0) {
    std::string known;
    for (const auto& n : webhook_endpoints_) known += (known.empty() ? "" : ", ") + n;
    context_.error(field->where, "endpoint '" + *name + "' is not in the scenario's webhook_endpoints (" +
                                     (known.empty() ? std::string("none declared") : known) + ")");
  }
  return name;
}

StepAction StepParser::parse_expect_pong(const Field& field, const SourceLocation& at) {
  static constexpr std::string_view kKeys[] = {"client", "data", "within"};
  ExpectPongStep step{at, {}, {}, kExpectWithinDefault};
  if (field.value.IsScalar()) {
    step.client = client_name(field, true).value_or("");
    return step;
  }
  MapReader map(context_, field.value, field.where, "expect_pong step", kKeys);
  if (auto client = map.require("client")) step.client = client_name(*client, true).value_or("");
  if (auto data = map.get("data")) step.payload = read_string(context_, *data);
  if (auto within = map.get("within")) step.within = read_duration(context_, *within).value_or(kExpectWithinDefault);
  return step;
}

StepAction StepParser::parse_expect_no_webhook(const Field& field, const SourceLocation& at) {
  static constexpr std::string_view kKeys[] = {"name", "channel", "user_id", "for", "endpoint"};
  ExpectNoWebhookStep step{at, {}, {}, {}, 0};
  MapReader map(context_, field.value, field.where, "expect_no_webhook step", kKeys);
  if (auto name = map.get("name")) step.name = webhook_name(*name);
  step.channel = text(map, "channel", false);
  step.user_id = text(map, "user_id", false);
  if (auto span = map.require("for")) step.span = read_duration(context_, *span).value_or(0);
  step.endpoint = webhook_endpoint(map);
  return step;
}

StepAction StepParser::parse_expect_webhook_state(const Field& field, const SourceLocation& at) {
  static constexpr std::string_view kKeys[] = {"channel", "user_id", "state", "within"};
  ExpectWebhookStateStep step{at, {}, {}, ExpectWebhookStateStep::State::kOccupied, kExpectWithinDefault};
  MapReader map(context_, field.value, field.where, "expect_webhook_state step", kKeys);
  step.channel = text(map, "channel", true).value_or("");
  step.user_id = text(map, "user_id", false);
  if (auto within = map.get("within")) step.within = read_duration(context_, *within).value_or(kExpectWithinDefault);
  auto state_field = map.require("state");
  if (!state_field) return step;
  auto state = read_string(context_, *state_field);
  if (!state) return step;
  // A channel is occupied or vacated; a user (with user_id) is a member or absent.
  const std::size_t first = step.user_id ? 2 : 0;
  const std::span<const std::string_view> allowed(kWebhookStates + first, 2);
  if (!is_known(allowed, *state)) {
    context_.error(state_field->where, "unknown state '" + *state + "' (expected one of: " + join_words(allowed) +
                                           (step.user_id ? ", with user_id" : ", without user_id") + ")");
    return step;
  }
  step.state = static_cast<ExpectWebhookStateStep::State>(first + (*state == allowed[0] ? 0 : 1));
  return step;
}

StepAction StepParser::parse_expect_refused(const Field& field, const SourceLocation& at) {
  static constexpr std::string_view kKeys[] = {"client", "channel", "within"};
  ExpectRefusedStep step{at, {}, {}, kExpectWithinDefault};
  MapReader map(context_, field.value, field.where, "expect_refused step", kKeys);
  if (auto client = map.require("client")) step.client = client_name(*client, true).value_or("");
  step.channel = text(map, "channel", true).value_or("");
  if (auto within = map.get("within")) step.within = read_duration(context_, *within).value_or(kExpectWithinDefault);
  return step;
}

std::optional<std::string> StepParser::webhook_name(const Field& field) {
  auto name = read_string(context_, field);
  if (!name) return std::nullopt;
  if (is_known(kWebhookNames, *name)) return name;
  context_.error(field.where, "unknown webhook '" + *name + "' (expected one of: " + join_words(kWebhookNames) + ")");
  return std::nullopt;
}

}  // namespace pushsim::harness
