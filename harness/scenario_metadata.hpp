#pragma once
// The scenario header: id, name, level, section, tags, requires, simulation_only,
// exact_channel_names, and the declared clients. Used by the loader; errors go to the context.
#include <vector>

#include "harness/scenario.hpp"
#include "harness/yaml_reader.hpp"

namespace pushsim::harness {

inline constexpr std::size_t kClientsMax = 1000;

// Everything but clients and steps, from the scenario's top-level map.
void read_metadata(YamlContext& context, const MapReader& map, Scenario& scenario);
// `clients:` — a map from name to { user_id, user_info, app } (or nothing), in file order.
std::vector<Client> read_clients(YamlContext& context, const Field& field);
// `apps:` — a map from app name (as clients name it in `app:`) to its settings, in file order.
std::vector<AppSettings> read_apps(YamlContext& context, const Field& field);
// `webhook_endpoints: { NAME: [event, ...], ... }`: names as client names, events of §8.2.
std::vector<WebhookEndpoint> read_webhook_endpoints(YamlContext& context, const Field& field);

// area.N: lowercase letters, digits, '_' or '-' (starting with a letter), a dot, digits; or
// area.kebab-name, for scenarios named after what they reproduce (races.trigger-racing-subscribe):
// after the dot, lowercase letters, digits and single '-' between them, starting with a letter.
bool is_scenario_id(std::string_view id);
// A section number of docs/protocol.md: digits separated by single dots, like 3 or 3.4.
// Whether the document has that section is checked by `pushsim lint` (protocol_document.hpp).
bool is_section_number(std::string_view section);
// Client names appear in variables (${alice.socket_id}): letters, digits, '_' or '-',
// starting with a letter.
bool is_client_name(std::string_view name);

}  // namespace pushsim::harness
