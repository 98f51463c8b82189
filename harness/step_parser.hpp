#pragma once
// Turns the `steps:` list of a scenario into typed steps, checking as it goes what only the
// order of steps can tell: a client is used only after a connect step for it, a socket_id
// variable only once that connect has completed (after, and outside, the concurrently block
// that holds it), expect_response only after a REST step. Errors go to the YamlContext; a
// step with errors is still returned, partly filled, so the rest of the file gets checked.
//
// The parsing of the step kinds is spread over step_parser*.cpp by family: connection
// steps, REST steps, expectations, time and faults.
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <vector>

#include "harness/scenario.hpp"
#include "harness/yaml_reader.hpp"

namespace pushsim::harness {

class StepParser {
 public:
  // cluster_nodes: the scenario's `cluster: { nodes: N }`; steps naming a node need it.
  StepParser(YamlContext& context, const std::vector<Client>& clients, std::optional<int> cluster_nodes = {});

  // The steps of a YAML list; blames `where` when node is not a non-empty list.
  std::vector<Step> parse_list(const YAML::Node& node, const SourceLocation& where, std::string_view owner,
                               int depth = 0);
  // The scenario's `webhook_endpoints:` names, which `endpoint:` of the webhook expectations may name.
  void set_webhook_endpoints(std::set<std::string> names) { webhook_endpoints_ = std::move(names); }

  static constexpr int kNestingMax = 8;  // concurrently / one_of inside each other
  static constexpr std::size_t kStepsMax = 10'000;

 private:
  std::optional<Step> parse_step(const YAML::Node& node, const SourceLocation& where, int depth);
  std::optional<StepAction> dispatch(const std::string& kind, const Field& field, const SourceLocation& at, int depth);

  // step_parser.cpp: connection steps and composition.
  StepAction parse_connect(const Field& field, const SourceLocation& at);
  StepAction parse_disconnect(const Field& field, const SourceLocation& at);
  StepAction parse_subscribe(const Field& field, const SourceLocation& at);
  StepAction parse_unsubscribe(const Field& field, const SourceLocation& at);
  StepAction parse_signin(const Field& field, const SourceLocation& at);
  StepAction parse_client_event(const Field& field, const SourceLocation& at);
  StepAction parse_send(const Field& field, const SourceLocation& at);
  StepAction parse_concurrently(const Field& field, const SourceLocation& at, int depth);
  StepAction parse_one_of(const Field& field, const SourceLocation& at, int depth);
  // step_parser_rest.cpp
  StepAction parse_trigger(const Field& field, const SourceLocation& at);
  StepAction parse_batch_trigger(const Field& field, const SourceLocation& at);
  BatchItem parse_batch_item(const Field& field);
  StepAction parse_query(const Field& field, const SourceLocation& at);
  StepAction parse_request(const Field& field, const SourceLocation& at);
  std::optional<Exclude> exclude(const Field& field);
  ParamList params(const Field& field);
  // step_parser_expect.cpp
  StepAction parse_expect(const Field& field, const SourceLocation& at);
  StepAction parse_expect_none(const Field& field, const SourceLocation& at);
  StepAction parse_expect_close(const Field& field, const SourceLocation& at);
  StepAction parse_expect_response(const Field& field, const SourceLocation& at);
  StepAction parse_expect_webhook(const Field& field, const SourceLocation& at);
  StepAction parse_expect_no_webhook(const Field& field, const SourceLocation& at);
  StepAction parse_expect_webhook_state(const Field& field, const SourceLocation& at);
  StepAction parse_expect_refused(const Field& field, const SourceLocation& at);
  StepAction parse_expect_pong(const Field& field, const SourceLocation& at);
  std::optional<std::string> webhook_name(const Field& field);
  std::optional<std::string> webhook_endpoint(const MapReader& map);
  // step_parser_faults.cpp
  StepAction parse_advance(const Field& field, const SourceLocation& at);
  StepAction parse_partition(const Field& field, const SourceLocation& at);
  StepAction parse_heal(const Field& field, const SourceLocation& at);
  StepAction parse_drop(const Field& field, const SourceLocation& at);
  StepAction parse_latency(const Field& field, const SourceLocation& at);
  StepAction parse_webhook_failures(const Field& field, const SourceLocation& at);
  StepAction parse_auth_refuse(const Field& field, const SourceLocation& at);
  std::string fault_client(const Field& field, std::string_view owner);
  StepAction parse_crash_node(const Field& field, const SourceLocation& at);
  StepAction parse_restart_node(const Field& field, const SourceLocation& at);
  StepAction parse_partition_nodes(const Field& field, const SourceLocation& at);
  StepAction parse_heal_nodes(const Field& field, const SourceLocation& at);
  StepAction parse_shutdown_server(const Field& field, const SourceLocation& at);
  // A node number (`node: K`, `crash_node: K`), checked against the scenario's cluster.
  std::optional<int> node_number(const Field& field);
  std::optional<int> node_of(const MapReader& map);
  std::optional<std::pair<int, int>> node_pair(const Field& field);

  // Shared readers (step_parser.cpp). Each reports its own errors.
  // A declared client's name; must_be_connected also wants a connect step for it before.
  std::optional<std::string> client_name(const Field& field, bool must_be_connected);
  std::optional<std::string> text(const Field& field);  // a string, variables checked
  std::optional<std::string> text(const MapReader& map, std::string_view key, bool required);
  std::optional<Json> json(const Field& field);  // any value, variables checked
  // An expected value: json() that also reads the matcher tags (expected_value.hpp).
  std::optional<Json> expected_json(const Field& field);
  // A string field of an expectation, or `!absent` (then key goes to absent, nullopt back).
  std::optional<std::string> expected_field(const MapReader& map, std::string_view key, bool required,
                                            std::vector<std::string>& absent);
  std::optional<std::string> payload(const Field& field);  // a string as is, else JSON text
  std::optional<AuthChoice> auth_choice(const Field& field);
  // The app of a REST step: "default" or an app some client names in `app:`.
  std::string app_name(const Field& field);
  void check_variables(const std::string& value, const SourceLocation& where);
  bool check_socket_known(const std::string& client, const SourceLocation& where, std::string_view usage);
  std::string declared_clients() const;
  const Client* find_client(std::string_view name) const;

  YamlContext& context_;
  const std::vector<Client>& clients_;
  std::optional<int> cluster_nodes_;
  std::set<std::string> webhook_endpoints_;
  std::set<std::string> connected_;       // a connect step came before, in step order
  std::set<std::string> socket_known_;    // that connect has completed: its socket_id is usable
  std::set<std::string> deferred_known_;  // connects inside the open concurrently blocks
  int concurrent_depth_ = 0;
  bool rest_step_seen_ = false;
  std::size_t steps_parsed_ = 0;
};

}  // namespace pushsim::harness
