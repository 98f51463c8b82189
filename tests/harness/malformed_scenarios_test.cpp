// One fault per file under tests/harness/malformed/, each with the exact message the loader
// must give: file:line:col, what was expected, what was found.
#include <catch2/catch.hpp>

#include <set>

#include "harness/scenario_loader.hpp"
#include "harness_test_support.hpp"

using namespace pushsim::harness;
using pushsim::harness::test::fixtures;
using pushsim::harness::test::read_text;

namespace {

struct Case {
  const char* file;
  const char* message;  // everything after "file:"
};

// clang-format off
const Case kCases[] = {
    {"abrupt_not_a_bool.yaml",
     "10:42: expected true or false for 'abrupt' in disconnect step, found 'yes'"},
    {"after_previous_not_a_bool.yaml",
     "10:56: expected true or false for 'after_previous' in expect step, found 'yes'"},
    {"bad_client_name.yaml",
     "7:3: bad client name 'bob.smith' (expected letters, digits, '_' or '-', starting with a letter)"},
    {"bad_duration.yaml",
     "10:48: bad duration '5 parsecs' (expected a number followed by ms, s or m)"},
    {"bad_id.yaml",
     "1:5: bad scenario id 'Malformed 1' (expected area.N, like presence.12, or area.kebab-name)"},
    {"bad_kebab_id.yaml",
     "1:5: bad scenario id 'races.Trigger--twice' (expected area.N, like presence.12, or area.kebab-name)"},
    {"bad_section.yaml",
     "4:10: bad section 'three' (expected a section number of docs/protocol.md, like 3.4)"},
    {"cluster_no_nodes.yaml",
     "5:19: expected an integer from 1 to 8 for 'nodes' in cluster, found '0'"},
    {"cluster_not_a_map.yaml",
     "5:10: expected a map for cluster, found '3'"},
    {"crash_without_cluster.yaml",
     "9:17: crash_node step names a server node, but the scenario has no 'cluster: { nodes: N }'"},
    {"heal_one_node.yaml",
     "10:17: expected two node numbers like [0, 1] for heal_nodes step, found a list of 1"},
    {"node_out_of_range.yaml",
     "9:37: expected an integer from 0 to 1 for 'node' in connect step, found '2'"},
    {"node_without_cluster.yaml",
     "8:37: 'node' in connect step names a server node, but the scenario has no 'cluster: { nodes: N }'"},
    {"partition_same_node.yaml",
     "10:22: expected two different nodes for partition_nodes step, found 1 twice"},
    {"rest_node_not_integer.yaml",
     "10:37: expected an integer from 0 to 1 for 'node' in query step, found 'first'"},
    {"channel_and_channels.yaml",
     "10:38: trigger step has both 'channel' and 'channels' (expected one of them)"},
    {"channel_is_a_map.yaml",
     "10:42: expected a string for 'channel' in subscribe step, found a map"},
    {"client_used_before_connect.yaml",
     "10:26: client 'bob' is used before any connect step for it"},
    {"clients_is_a_list.yaml",
     "5:10: expected a map of clients (name: { user_id, user_info, app }) for 'clients' in scenario, found a list"},
    {"code_and_abrupt.yaml",
     "10:17: disconnect step has both 'code' and 'abrupt: true' (an abrupt close sends no code)"},
    {"code_not_an_integer.yaml",
     "10:40: expected an integer from 1000 to 4999 for 'code' in disconnect step, found 'normal'"},
    {"duplicate_client.yaml",
     "8:3: duplicate client 'alice' (first declared at 6:3)"},
    {"duplicate_key.yaml",
     "10:45: duplicate key 'channel' in subscribe step (first given at 10:33)"},
    {"duration_finer_than_ns.yaml",
     "10:14: bad duration '1.0000000001s' (expected a whole number of nanoseconds)"},
    {"duration_too_long.yaml",
     "10:14: bad duration '2000m' (expected at most 1440m)"},
    {"duration_without_unit.yaml",
     "10:14: bad duration '5' (expected a number followed by ms, s or m)"},
    {"empty_file.yaml",
     "1:1: expected a scenario (a map with id, name, level, section and steps), found an empty file"},
    {"empty_steps.yaml",
     "8:8: expected a non-empty list of steps for 'steps' in scenario, found an empty list"},
    {"exclude_unknown_client.yaml",
     "10:47: unknown client 'bbo' (declared clients: alice, bob; any other socket_id goes in { socket_id: ... })"},
    {"expect_response_first.yaml",
     "10:5: expect_response needs a query, request, trigger or batch_trigger step before it"},
    {"fault_delay_max_zero.yaml",
     "5:18: expected a duration above 0 and at most 10s for 'fault_delay_max' in scenario, found 0s"},
    {"fields_not_indented.yaml",
     "10:5: expected one key per step (its kind), found 3: 'subscribe', 'client', 'channel' (are the step's fields indented under its kind?)"},
    {"latency_max_below_min.yaml",
     "10:33: latency max 10ms is below min 200ms (expected max >= min)"},
    {"lowercase_method.yaml",
     "10:24: expected an HTTP method in capitals (GET, POST, ...) for 'method' in request step, found 'post'"},
    {"missing_channels.yaml",
     "10:14: missing key 'channels' (or 'channel') in trigger step"},
    {"missing_id.yaml",
     "1:1: missing key 'id' in scenario"},
    {"missing_key.yaml",
     "10:18: missing key 'channel' in unsubscribe step"},
    {"nested_too_deep.yaml",
     "18:37: concurrently and one_of nested deeper than 8 levels"},
    {"one_of_single_branch.yaml",
     "11:7: expected a list of at least two branches (each a list of steps) for one_of step, found one"},
    {"params_value_is_a_list.yaml",
     "10:41: expected 'name: value' strings in 'params', found 'info': a list"},
    {"path_without_slash.yaml",
     "10:20: expected a path starting with '/' for 'path' in query step, found 'channels'"},
    {"recursive_alias.yaml",
     "10:79: value nested deeper than 64 levels or larger than 100000 nodes (a recursive alias?)"},
    {"root_is_a_list.yaml",
     "1:1: expected a map for scenario, found a list"},
    {"exact_channel_names_flag.yaml",
     "5:22: expected a reason (why the scenario needs its channel names unsuffixed on a live server) for "
     "'exact_channel_names' in scenario, found 'true'"},
    {"simulation_only_flag.yaml",
     "5:18: expected a reason (why the scenario can run only in simulation) for 'simulation_only' in scenario, found 'true'"},
    {"socket_id_before_connect.yaml",
     "10:47: '${bob.socket_id}' needs the socket_id of 'bob', known only after its connect step (and outside the concurrently block holding it)"},
    {"socket_id_in_same_block.yaml",
     "12:53: '${bob.socket_id}' needs the socket_id of 'bob', known only after its connect step (and outside the concurrently block holding it)"},
    {"stray_comma.yaml",
     "11:1: YAML syntax error: unexpected ',' (a ',' belongs inside [ ] or { })"},
    {"status_out_of_range.yaml",
     "11:32: expected an integer from 100 to 599 for 'status' in expect_response step, found '999'"},
    {"step_is_a_word.yaml",
     "10:5: expected a step (a map with one key, its kind, like '- connect: alice'), found 'disconnect'"},
    {"tag_absent_in_list.yaml",
     "10:58: !absent in a list: it says whether a key is there"},
    {"tag_absent_with_value.yaml",
     "10:54: !absent takes no value, found '4001'"},
    {"tag_exact_on_scalar.yaml",
     "10:54: !exact takes a map or a list (a scalar is always compared exactly), found '4001'"},
    {"tag_inside_exact.yaml",
     "11:67: !present inside !exact: everything there is compared exactly already"},
    {"tag_on_required_field.yaml",
     "10:37: 'event' in expect step takes a string, found the tag !absent"},
    {"tag_outside_expectation.yaml",
     "10:84: !absent is a matcher tag: only expectations (expect, expect_none, expect_webhook, expect_response) may use it"},
    {"tag_unknown.yaml",
     "10:54: unknown tag '!abscent' (expected one of: !absent, !present, !exact)"},
    {"tags_not_a_list.yaml",
     "5:7: expected a list of strings for 'tags' in scenario, found 'presence'"},
    {"timestamp_offset_unsigned.yaml",
     "8:82: 'timestamp_offset' needs a signed request whose timestamp it sets (not with signing: unsigned or stale_timestamp)"},
    {"two_documents.yaml",
     "11:1: expected one YAML document per scenario file, found another one here (give it its own file)"},
    {"unknown_auth.yaml",
     "10:59: unknown auth 'wrong_sig' (expected valid, none, wrong_signature, other_socket, a literal 'key:signature', or { literal: ... })"},
    {"unknown_client.yaml",
     "10:26: unknown client 'carol' (declared clients: alice, bob)"},
    {"unknown_feature.yaml",
     "5:11: unknown feature 'client_event' in 'requires' (expected one of: batch_webhooks, cache_channels, client_events, encrypted_channels, publish_info, server_to_user, subscription_count, terminate_connections, user_authentication, watchlist, webhooks)"},
    {"unknown_key.yaml",
     "10:33: unknown key 'chanel' in subscribe step (expected one of: client, channel, auth, channel_data)"},
    {"unknown_level.yaml",
     "3:8: unknown level 'may' (expected one of: must, should, info)"},
    {"unknown_signing.yaml",
     "10:42: unknown signing 'forged' (expected one of: valid, bad_signature, stale_timestamp, wrong_body_md5, wrong_key, unsigned, uppercase_signature, unsorted_query)"},
    {"unknown_step.yaml",
     "10:5: unknown step 'subscibe' (expected one of: connect, disconnect, subscribe, unsubscribe, signin, client_event, send, trigger, batch_trigger, query, request, expect, expect_none, expect_close, expect_response, expect_webhook, expect_no_webhook, expect_webhook_state, expect_refused, expect_pong, advance, partition, heal, drop, latency, webhook_failures, auth_refuse, crash_node, restart_node, partition_nodes, heal_nodes, shutdown_server, concurrently, one_of)"},
    {"unknown_webhook.yaml",
     "10:29: unknown webhook 'member_joined' (expected one of: channel_occupied, channel_vacated, member_added, member_removed, client_event, cache_miss, subscription_count)"},
    {"user_id_variable_without_user_id.yaml",
     "10:34: '${bob.user_id}' names a client without a user_id (declare one under clients: bob)"},
    {"variable_bad_attribute.yaml",
     "10:34: bad variable '${alice.name}' (expected ${client.socket_id} or ${client.user_id})"},
    {"variable_unknown_client.yaml",
     "10:34: unknown client 'carol' in '${carol.socket_id}' (declared clients: alice, bob)"},
    {"variable_unterminated.yaml",
     "10:34: unterminated variable '${alice.socket_id' (expected ${client.socket_id} or ${client.user_id})"},
    {"virtual_time_limit_over_max.yaml",
     "5:21: expected a duration above 0 and at most 120m for 'virtual_time_limit' in scenario, found 130m"},
    {"webhook_failures_status_and_no_answer.yaml",
     "10:23: expected exactly one of 'status' or 'no_answer: true' in webhook_failures step"},
    {"webhook_state_member_without_user.yaml",
     "10:51: unknown state 'member' (expected one of: occupied, vacated, without user_id)"},
    {"webhook_state_occupied_with_user.yaml",
     "10:73: unknown state 'occupied' (expected one of: member, absent, with user_id)"},
    {"webhook_state_without_state.yaml",
     "10:27: missing key 'state' in expect_webhook_state step"},
    {"yaml_syntax_error.yaml",
     "10:48: YAML syntax error: illegal flow end"},
};
// clang-format on

}  // namespace

TEST_CASE("each malformed scenario gives its exact message", "[loader][malformed]") {
  for (const auto& c : kCases) {
    CAPTURE(c.file);
    const auto outcome = check_scenario_text(read_text(fixtures() / "malformed" / c.file), c.file);
    CHECK_FALSE(outcome.scenario.has_value());
    CHECK(join_diagnostics(outcome.diagnostics) == std::string(c.file) + ":" + c.message);
  }
}

TEST_CASE("every malformed fixture is in the table, and there are at least 30", "[loader][malformed]") {
  std::set<std::string> on_disk;
  for (const auto& entry : std::filesystem::directory_iterator(fixtures() / "malformed")) {
    on_disk.insert(entry.path().filename().string());
  }
  std::set<std::string> in_table;
  for (const auto& c : kCases) in_table.insert(c.file);
  CHECK(on_disk == in_table);
  CHECK(in_table.size() >= 30);
}
