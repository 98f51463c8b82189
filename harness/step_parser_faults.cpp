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
  if (auto count = map.get("count")) step.count = static_cast<int>(read_integer(context_, *count, 0, 1000).value_or(1));
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

namespace pushsim::harness {

// ---- Cluster faults -------------------------------------------------------------------------

std::optional<int> StepParser::node_number(const Field& field) {
  if (!cluster_nodes_) {
    const std::string what = field.owner == "steps" ? field.key + " step" : "'" + field.key + "' in " + field.owner;
    context_.error(field.where, what + " names a server node, but the scenario has no 'cluster: { nodes: N }'");
    return std::nullopt;
  }
  auto node = read_integer(context_, field, 0, *cluster_nodes_ - 1);
  if (!node) return std::nullopt;
  return static_cast<int>(*node);
}

std::optional<int> StepParser::node_of(const MapReader& map) {
  auto field = map.get("node");
  return field ? node_number(*field) : std::nullopt;
}

std::optional<std::pair<int, int>> StepParser::node_pair(const Field& field) {
  if (!field.value.IsSequence() || field.value.size() != 2) {
    const std::string found =
        field.value.IsSequence() ? "a list of " + std::to_string(field.value.size()) : describe_found(field.value);
    context_.error(field.where, "expected two node numbers like [0, 1] for " + field.owner + ", found " + found);
    return std::nullopt;
  }
  std::optional<int> nodes[2];
  for (std::size_t i = 0; i < 2; ++i) {
    const YAML::Node item = field.value[i];
    const SourceLocation where = item.Mark().is_null() ? field.where : context_.at(item.Mark());
    nodes[i] = node_number(Field{field.key, field.owner, item, where});
  }
  if (!nodes[0] || !nodes[1]) return std::nullopt;
  if (*nodes[0] == *nodes[1]) {
    context_.error(field.where, "expected two different nodes for " + field.owner + ", found " +
                                    std::to_string(*nodes[0]) + " twice");
    return std::nullopt;
  }
  return std::pair(*nodes[0], *nodes[1]);
}

StepAction StepParser::parse_crash_node(const Field& field, const SourceLocation& at) {
  return CrashNodeStep{at, node_number(field).value_or(0)};
}

StepAction StepParser::parse_restart_node(const Field& field, const SourceLocation& at) {
  return RestartNodeStep{at, node_number(field).value_or(0)};
}

StepAction StepParser::parse_partition_nodes(const Field& field, const SourceLocation& at) {
  const auto pair = node_pair(Field{field.key, "partition_nodes step", field.value, field.where});
  return PartitionNodesStep{at, pair ? pair->first : 0, pair ? pair->second : 0};
}

// `heal_nodes: [A, B]` heals that pair; `heal_nodes:` alone, every pair.
StepAction StepParser::parse_heal_nodes(const Field& field, const SourceLocation& at) {
  if (field.value.IsNull()) {
    if (!cluster_nodes_) {
      context_.error(field.where, "heal_nodes step needs a scenario with 'cluster: { nodes: N }'");
    }
    return HealNodesStep{at, std::nullopt};
  }
  return HealNodesStep{at, node_pair(Field{field.key, "heal_nodes step", field.value, field.where})};
}

StepAction StepParser::parse_shutdown_server(const Field& field, const SourceLocation& at) {
  const bool empty_map = field.value.IsMap() && field.value.size() == 0;
  if (!field.value.IsNull() && !empty_map) {
    context_.error(field.where,
                   "shutdown_server takes nothing (write '- shutdown_server:' or '- shutdown_server: {}'), "
                   "found " +
                       describe_found(field.value));
  }
  return ShutdownServerStep{at};
}

}  // namespace pushsim::harness
