#include "harness/scenario_loader.hpp"

#include <algorithm>
#include <array>
#include <fstream>
#include <iterator>
#include <set>

#include "harness/scenario_metadata.hpp"
#include "harness/step_parser.hpp"
#include "harness/yaml_documents.hpp"
#include "harness/yaml_reader.hpp"

namespace pushsim::harness {
namespace {

// `cluster: { nodes: N }`. A cluster scenario runs on the simulated cluster, and live on a
// target of at least N nodes (live_target.hpp; others skip it).
void read_cluster(YamlContext& context, const Field& field, Scenario& scenario) {
  static constexpr std::string_view kKeys[] = {"nodes"};
  MapReader map(context, field.value, field.where, "cluster", kKeys);
  if (!map.is_map()) return;
  auto nodes = map.require("nodes");
  if (!nodes) return;
  auto count = read_integer(context, *nodes, 1, kClusterNodesMax);
  if (!count) return;
  scenario.cluster_nodes = static_cast<int>(*count);
}

Scenario parse_scenario(YamlContext& context, const YAML::Node& root) {
  static constexpr std::string_view kKeys[] = {"id",
                                               "name",
                                               "level",
                                               "section",
                                               "tags",
                                               "requires",
                                               "simulation_only",
                                               "exact_channel_names",
                                               "clients",
                                               "apps",
                                               "steps",
                                               "cluster",
                                               "virtual_time_limit",
                                               "fault_delay_max",
                                               "webhook_endpoints"};
  Scenario scenario;
  scenario.where = root.Mark().is_null() ? SourceLocation{context.file(), 1, 1} : context.at(root.Mark());
  MapReader map(context, root, scenario.where, "scenario", kKeys);
  if (!map.is_map()) return scenario;
  read_metadata(context, map, scenario);
  // Clients first, whatever their place in the file: steps refer to them.
  if (auto clients = map.get("clients")) scenario.clients = read_clients(context, *clients);
  if (auto cluster = map.get("cluster")) read_cluster(context, *cluster, scenario);
  if (auto apps = map.get("apps")) {
    scenario.apps = read_apps(context, *apps);
    for (const auto& app : scenario.apps) {
      const bool used = std::any_of(scenario.clients.begin(), scenario.clients.end(),
                                    [&](const Client& client) { return client.app == app.name; });
      if (!used) context.error(app.where, "app '" + app.name + "' is named by no client's 'app'");
    }
  }
  if (auto endpoints = map.get("webhook_endpoints")) {
    scenario.webhook_endpoints = read_webhook_endpoints(context, *endpoints);
  }
  if (auto steps = map.require("steps")) {
    StepParser parser(context, scenario.clients, scenario.cluster_nodes);
    std::set<std::string> endpoint_names;
    for (const auto& endpoint : scenario.webhook_endpoints) endpoint_names.insert(endpoint.name);
    parser.set_webhook_endpoints(std::move(endpoint_names));
    scenario.steps = parser.parse_list(steps->value, steps->where, "'steps' in scenario");
  }
  return scenario;
}

void parse_documents(YamlContext& context, std::string_view text, std::optional<Scenario>& scenario) {
  std::vector<YAML::Node> documents = load_all_documents(std::string(text));
  std::erase_if(documents, [](const YAML::Node& node) { return node.IsNull(); });
  if (documents.empty()) {
    context.error(SourceLocation{context.file(), 1, 1},
                  "expected a scenario (a map with id, name, level, section and steps), found an empty file");
    return;
  }
  if (documents.size() > 1) {
    const YAML::Mark mark = documents[1].Mark();
    context.error(mark.is_null() ? SourceLocation{context.file(), 1, 1} : context.at(mark),
                  "expected one YAML document per scenario file, found another one here (give it its own file)");
  }
  scenario = parse_scenario(context, documents[0]);
}

}  // namespace

LoadOutcome check_scenario_text(std::string_view text, const std::string& display_name) {
  YamlContext context(display_name);
  std::optional<Scenario> scenario;
  if (text.size() > kScenarioFileBytesMax) {
    context.error(SourceLocation{display_name, 1, 1}, "expected a scenario file of at most " +
                                                          std::to_string(kScenarioFileBytesMax) + " bytes, found " +
                                                          std::to_string(text.size()));
  } else {
    try {
      parse_documents(context, text, scenario);
    } catch (const YAML::Exception& e) {
      context.error(context.at(e.mark), "YAML syntax error: " + e.msg);
    } catch (const std::exception& e) {
      context.error(SourceLocation{display_name, 1, 1}, std::string("could not read the file: ") + e.what());
    } catch (...) {
      context.error(SourceLocation{display_name, 1, 1}, "could not read the file");
    }
  }
  LoadOutcome outcome;
  outcome.diagnostics = context.take_diagnostics();
  if (outcome.diagnostics.empty()) outcome.scenario = std::move(scenario);
  return outcome;
}

LoadOutcome check_scenario_file(const std::filesystem::path& path) {
  const std::string display_name = path.string();
  std::ifstream in(path, std::ios::binary);
  std::error_code ec;
  if (!in || std::filesystem::is_directory(path, ec)) {
    return LoadOutcome{std::nullopt, {Diagnostic{SourceLocation{display_name, 0, 0}, "cannot read the file"}}};
  }
  // One byte over the limit is enough to know it is too long. Read in pieces rather than into a
  // zeroed buffer of the limit's size: the suite is hundreds of files of a few KB, and zeroing a
  // fresh megabyte for each took most of the time of loading it under AddressSanitizer.
  std::string text;
  std::array<char, 16 * 1024> piece{};
  while (text.size() <= kScenarioFileBytesMax &&
         in.read(piece.data(), static_cast<std::streamsize>(piece.size())).gcount() > 0) {
    const auto got = static_cast<std::size_t>(in.gcount());
    text.append(piece.data(), std::min(got, kScenarioFileBytesMax + 1 - text.size()));
  }
  return check_scenario_text(text, display_name);
}

Result<Scenario> load_scenario_text(std::string_view text, const std::string& display_name) {
  auto outcome = check_scenario_text(text, display_name);
  if (outcome.scenario) return std::move(*outcome.scenario);
  return make_error(join_diagnostics(outcome.diagnostics));
}

Result<Scenario> load_scenario_file(const std::filesystem::path& path) {
  auto outcome = check_scenario_file(path);
  if (outcome.scenario) return std::move(*outcome.scenario);
  return make_error(join_diagnostics(outcome.diagnostics));
}

}  // namespace pushsim::harness
