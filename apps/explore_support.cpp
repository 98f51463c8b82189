// What the commands share: finding the scenario a command line names, checking a served
// cluster's options, and the time an HTML report says it was made.
#include <cstdlib>
#include <ctime>
#include <system_error>

#include "apps/commands.hpp"
#include "harness/scenario_loader.hpp"
#include "net/redis_cluster_link.hpp"

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

std::optional<std::string> serve_cluster_error(const std::string& target, const std::string& url) {
  if (target != "serve") return std::string("--serve-cluster needs --target serve");
  if (auto address = parse_redis_url(url); !address) return "--serve-cluster: " + address.error().message;
  return std::nullopt;
}

std::string generation_time() {
  std::time_t now = std::time(nullptr);
  if (const char* fixed = std::getenv("SOURCE_DATE_EPOCH"); fixed != nullptr) {
    now = static_cast<std::time_t>(std::strtoll(fixed, nullptr, 10));
  }
  std::tm utc{};
  gmtime_r(&now, &utc);
  char text[32];
  std::strftime(text, sizeof text, "%Y-%m-%d %H:%M:%S UTC", &utc);
  return text;
}

}  // namespace pushsim::apps
