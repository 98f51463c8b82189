// `pushsim run [PATHS...]`: the suite against a target, with console, JUnit and JSON reports.
#include <unistd.h>

#include <cstdlib>
#include <ctime>
#include <fstream>
#include <iostream>
#include <memory>

#include "apps/commands.hpp"
#include "harness/scenario_loader.hpp"
#include "harness/suite_runner.hpp"
#include "reports/console_report.hpp"
#include "reports/html_report.hpp"
#include "reports/json_report.hpp"
#include "reports/junit_report.hpp"

namespace pushsim::apps {
namespace {

// Progress lines only on a terminal and only when a run is long enough to want them.
constexpr std::size_t kProgressFromScenarios = 40;

struct RunArgs {
  std::vector<std::string> paths;
  harness::SuiteFilter filter;
  std::uint64_t seed = 1;
  unsigned jobs = 1;
  std::string target = "sim";
  std::string junit, json, html;
  bool list = false;
  bool no_color = false;
};

bool write_file(const std::string& path, const std::string& text) {
  std::ofstream out(path, std::ios::binary);
  out << text;
  out.close();
  if (!out) std::cerr << "pushsim run: cannot write " << path << "\n";
  return static_cast<bool>(out);
}

// The page's generation time in UTC; SOURCE_DATE_EPOCH (seconds) fixes it for reproducible pages.
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

void list_scenarios(const std::vector<harness::Scenario>& scenarios) {
  for (const auto& s : scenarios) {
    std::cout << s.id << "\t" << harness::to_string(s.level) << "\t\xC2\xA7" << s.section << "\t" << s.name << "\n";
  }
  std::cout << scenarios.size() << " scenarios\n";
}

int run(const RunArgs& args) {
  if (args.target != "sim") {
    std::cerr << "pushsim run: target '" << args.target << "' is not available in this build (only 'sim')\n";
    return kExitUsage;
  }
  std::vector<std::filesystem::path> paths(args.paths.begin(), args.paths.end());
  if (paths.empty()) paths.push_back(bundled_scenarios());
  const auto suite = harness::check_suite(paths);
  if (!suite.diagnostics.empty() || suite.scenarios.empty()) {
    std::cerr << harness::join_diagnostics(suite.diagnostics);
    if (suite.scenarios.empty()) std::cerr << "\npushsim run: no scenarios found\n";
    return kExitUsage;
  }
  const auto scenarios = harness::select_scenarios(suite.scenarios, args.filter);
  if (args.list) {
    list_scenarios(scenarios);
    return 0;
  }
  const bool tty = isatty(STDOUT_FILENO) != 0;
  const reports::ConsoleStyle style{tty && !args.no_color, true};
  const bool progress = tty && scenarios.size() >= kProgressFromScenarios;
  std::cout << reports::console_header(args.target, args.seed, scenarios.size(), style) << std::flush;
  harness::SuiteOptions options;
  options.root_seed = args.seed;
  options.jobs = args.jobs;
  options.on_result = [&](const harness::ScenarioResult& result, std::size_t done, std::size_t total) {
    if (progress) std::cout << "\r\x1b[2K";
    std::cout << reports::console_scenario(result, style);
    if (progress && done < total) std::cout << reports::console_progress(done, total);
    std::cout << std::flush;
  };
  const auto run_result = harness::run_suite(scenarios, harness::sim_target_factory(), args.target, options);
  std::cout << reports::console_summary(run_result, style);
  bool written = true;
  if (!args.junit.empty()) written &= write_file(args.junit, reports::junit_report(run_result));
  if (!args.json.empty()) written &= write_file(args.json, reports::json_report(run_result));
  if (!args.html.empty()) {
    written &= write_file(args.html, reports::html_report(run_result, {PUSHSIM_VERSION, generation_time()}));
  }
  if (!written) return kExitUsage;
  return run_result.exit_code();
}

}  // namespace

void add_run_command(CLI::App& app, int& exit_code) {
  auto* cmd = app.add_subcommand("run", "run scenarios against the reference engine (simulated) or a live server");
  auto args = std::make_shared<RunArgs>();
  cmd->add_option("paths", args->paths, "scenario files or folders (default: the bundled suite)");
  cmd->add_option("--only", args->filter.only, "run only scenarios whose id matches this glob (repeatable)");
  cmd->add_option("--skip", args->filter.skip, "skip scenarios whose id matches this glob (repeatable)");
  cmd->add_option("--tag", args->filter.tags, "run only scenarios carrying this tag (repeatable)");
  cmd->add_option("--seed", args->seed, "root seed; each scenario's seed is hash(seed, id)")->capture_default_str();
  cmd->add_option("--jobs,-j", args->jobs, "scenarios run in parallel (output order unchanged)")
      ->check(CLI::Range(1u, 256u))
      ->capture_default_str();
  cmd->add_option("--target", args->target, "sim (the reference engine in virtual time)")->capture_default_str();
  cmd->add_option("--junit", args->junit, "write a JUnit XML report here");
  cmd->add_option("--json", args->json, "write a JSON report (every step, every observation) here");
  cmd->add_option("--html", args->html, "write an HTML report here (suite table; sequence diagrams of failures)");
  cmd->add_flag("--list", args->list, "list the scenarios (id, level, section, name) and exit");
  cmd->add_flag("--no-color", args->no_color, "no colours even on a terminal");
  cmd->callback([args, &exit_code] { exit_code = run(*args); });
}

}  // namespace pushsim::apps
