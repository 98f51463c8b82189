// What explore, replay and selftest share: finding the scenario a command line names.
#include <system_error>

#include "apps/commands.hpp"
#include "harness/scenario_loader.hpp"

namespace pushsim::apps {

std::variant<harness::Scenario, std::string> scenario_argument(const std::string& argument) {
  std::error_code ec;
  if (std::filesystem::is_regular_file(argument, ec)) {
    auto loaded = harness::load_scenario_file(argument);
    if (!loaded) return loaded.error().message;
    return std::move(*loaded);
  }
  const auto suite = harness::check_suite({bundled_scenarios()});
  for (const auto& scenario : suite.scenarios) {
    if (scenario.id == argument) return scenario;
  }
  return "no scenario file or bundled scenario id '" + argument + "'";
}

}  // namespace pushsim::apps
