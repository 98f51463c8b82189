// Time and fault steps: advance the clock, and the network and fake-app faults a race
// scenario injects.
#include "harness/duration.hpp"
#include "harness/step_parser.hpp"

namespace pushsim::harness {

StepAction StepParser::parse_advance(const Field& field, const SourceLocation& at) {
  return AdvanceStep{at, read_duration(context_, field).value_or(0)};
}

// partition, heal and drop: `partition: alice` or `partition: { client: alice }`.
std::string StepParser::fault_client(const Field& field, std::string_view owner) {
  static constexpr std::string_view kKeys[] = {"client"};
  if (field.value.IsScalar()) return client_name(field, true).value_or("");
  MapReader map(context_, field.value, field.where, std::string(owner), kKeys);
  auto client = map.require("client");
  return client ? client_name(*client, true).value_or("") : "";
}

StepAction StepParser::parse_partition(const Field& field, const SourceLocation& at) {
  return PartitionStep{at, fault_client(field, "partition step")};
}

StepAction StepParser::parse_heal(const Field& field, const SourceLocation& at) {
  return HealStep{at, fault_client(field, "heal step")};
}

StepAction StepParser::parse_drop(const Field& field, const SourceLocation& at) {
  return DropStep{at, fault_client(field, "drop step")};
}

StepAction StepParser::parse_latency(const Field& field, const SourceLocation& at) {
  static constexpr std::string_view kKeys[] = {"client", "min", "max"};
  LatencyStep step{at, {}, 0, 0};
  MapReader map(context_, field.value, field.where, "latency step", kKeys);
  if (auto client = map.get("client")) step.client = client_name(*client, false);
  const auto min = map.require("min");
  const auto max = map.require("max");
  if (min) step.min = read_duration(context_, *min).value_or(0);
  if (max) step.max = read_duration(context_, *max).value_or(0);
  if (min && max && step.max < step.min) {
    context_.error(max->where, "latency max " + format_duration(step.max) + " is below min " +
                                   format_duration(step.min) + " (expected max >= min)");
  }
  return step;
}

StepAction StepParser::parse_webhook_failures(const Field& field, const SourceLocation& at) {
  static constexpr std::string_view kKeys[] = {"count", "status", "no_answer"};
  WebhookFailuresStep step{at, 1, 500};
  MapReader map(context_, field.value, field.where, "webhook_failures step", kKeys);
  if (auto count = map.get("count")) step.count = static_cast<int>(read_integer(context_, *count, 1, 1000).value_or(1));
  const auto status = map.get("status");
  const auto no_answer = map.get("no_answer");
  const bool silent = no_answer && read_bool(context_, *no_answer).value_or(false);
  if (status) step.status = static_cast<int>(read_integer(context_, *status, 100, 599).value_or(500));
  if (silent) step.status = 0;
  if (map.is_map() && (status.has_value() == silent)) {
    context_.error(map.where(), "expected exactly one of 'status' or 'no_answer: true' in webhook_failures step");
  }
  return step;
}

StepAction StepParser::parse_auth_refuse(const Field& field, const SourceLocation& at) {
  static constexpr std::string_view kKeys[] = {"client", "channel"};
  AuthRefuseStep step{at, {}, {}};
  if (field.value.IsNull()) return step;  // `auth_refuse:` alone refuses every request
  MapReader map(context_, field.value, field.where, "auth_refuse step", kKeys);
  if (auto client = map.get("client")) step.client = client_name(*client, false);
  step.channel = text(map, "channel", false);
  return step;
}

}  // namespace pushsim::harness
