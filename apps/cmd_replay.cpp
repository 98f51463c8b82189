// `pushsim replay SCENARIO --seed N`: one run of exploration again, byte for byte: the same
// trace (its digest is printed), the failure if any, and optionally the HTML page with its
// sequence diagram or the whole trace as JSON lines.
#include <fstream>
#include <iostream>
#include <memory>

#include "apps/build_info.hpp"
#include "apps/commands.hpp"
#include "apps/wire_log_option.hpp"
#include "harness/explorer.hpp"
#include "harness/fault_profile_file.hpp"
#include "harness/suite_fingerprint.hpp"
#include "reports/html_report.hpp"

namespace pushsim::apps {
namespace {

struct ReplayArgs {
  std::string scenario;
  std::uint64_t seed = 1;
  std::string profile = "none";
  std::vector<std::string> defects;
  std::string faults;  // "0,3" or "none": indices of the seed's faults to keep
  int shorten = 0;
  std::string skip_steps;  // "4,5.2"
  std::string html;
  std::string trace;  // write the trace as JSON lines here
  WireLogArg log;     // --log [FILE]
};

std::vector<std::string> split_commas(const std::string& text) {
  std::vector<std::string> out;
  std::size_t start = 0;
  while (start <= text.size()) {
    const auto comma = text.find(',', start);
    const std::string part = text.substr(start, comma == std::string::npos ? std::string::npos : comma - start);
    if (!part.empty()) out.push_back(part);
    if (comma == std::string::npos) break;
    start = comma + 1;
  }
  return out;
}

std::optional<std::vector<std::size_t>> parse_fault_indices(const std::string& text) {
  std::vector<std::size_t> out;
  if (text == "none") return out;
  for (const auto& part : split_commas(text)) {
    if (part.find_first_not_of("0123456789") != std::string::npos || part.size() > 6) return std::nullopt;
    out.push_back(std::stoul(part));
  }
  return out;
}

bool valid_step_path(const std::string& path) {
  if (path.empty() || path.front() == '.' || path.back() == '.' || path.find("..") != std::string::npos) return false;
  return path.find_first_not_of("0123456789.") == std::string::npos;
}

std::optional<std::string> build_spec(const ReplayArgs& args, harness::RunSpec& spec) {
  auto profile = harness::resolve_fault_profile(args.profile);
  if (!profile) return profile.error().message;
  spec.seed = args.seed;
  spec.profile = *profile;
  spec.shorten = args.shorten;
  for (const auto& name : args.defects) {
    auto defect = parse_defect(name);
    if (!defect) return "no defect '" + name + "' (see protocol/server/defects.hpp)";
    spec.defects.add(*defect);
  }
  if (!args.faults.empty()) {
    auto kept = parse_fault_indices(args.faults);
    if (!kept) return "--faults wants fault indices like 0,3 (or none)";
    spec.keep_faults = *kept;
  }
  for (const auto& path : split_commas(args.skip_steps)) {
    if (!valid_step_path(path)) return "--skip-steps wants step paths like 4,5.2, found '" + path + "'";
    spec.skip_steps.insert(path);
  }
  return std::nullopt;
}

int replay_command(const ReplayArgs& args) {
  auto scenario = scenario_argument(args.scenario);
  if (auto* error = std::get_if<std::string>(&scenario)) {
    std::cerr << "pushsim replay: " << *error << "\n";
    return kExitUsage;
  }
  harness::RunSpec spec;
  if (auto error = build_spec(args, spec)) {
    std::cerr << "pushsim replay: " << *error << "\n";
    return kExitUsage;
  }
  const harness::Scenario& chosen = std::get<harness::Scenario>(scenario);
  auto wire_log = open_wire_log(args.log, {});
  if (auto* error = std::get_if<std::string>(&wire_log)) {
    std::cerr << "pushsim replay: " << *error << "\n";
    return kExitUsage;
  }
  std::unique_ptr<WireSink> wire;
  if (auto& log = std::get<OpenedWireLog>(wire_log).log) wire = log->scenario(0, chosen.id, kSimulationEpoch);
  harness::SpecRunOptions options;
  options.wire_log = wire.get();
  options.excerpt = true;
  options.keep_trace = !args.html.empty();
  options.trace_json_lines = !args.trace.empty();
  const auto run = harness::run_spec(chosen, spec, options);
  wire.reset();
  std::cout << "pushsim replay: " << chosen.id << " " << spec.replay_flags(args.profile) << "\n";
  if (!run.applied.empty()) {
    std::cout << "faults:";
    for (const auto& fault : run.applied) std::cout << " [" << fakes::describe(fault, run.began_at) << "]";
    std::cout << "\n";
  }
  std::cout << (run.failed() ? "FAIL " : "PASS ") << chosen.id << (run.failed() ? ": " + first_line(run.failure) : "")
            << "\n";
  for (const auto& failure : run.result.failures) std::cout << "  " << failure << "\n";
  if (run.failed()) {
    std::cout << "trace around it:\n";
    for (const auto& line : run.excerpt) std::cout << "  " << line << "\n";
  }
  char digest[17];
  std::snprintf(digest, sizeof digest, "%016llx", static_cast<unsigned long long>(run.trace_digest));
  std::cout << "trace: " << run.trace_records << " records, digest " << digest << "\n";
  if (!args.trace.empty()) {
    std::ofstream out(args.trace, std::ios::binary);
    out << run.trace_json_lines;
    if (!out) {
      std::cerr << "pushsim replay: cannot write " << args.trace << "\n";
      return kExitUsage;
    }
    std::cout << "wrote " << args.trace << "\n";
  }
  if (!args.html.empty()) {
    harness::RunResult result;
    result.target = "sim";
    result.root_seed = spec.seed;
    result.scenarios.push_back(run.result);
    result.pushsim_version = PUSHSIM_VERSION;
    result.pushsim_commit = build_commit();
    result.suite_fingerprint = harness::suite_fingerprint({chosen});
    std::ofstream out(args.html, std::ios::binary);
    out << reports::html_report(result, html_report_options(args.html));
    if (!out) {
      std::cerr << "pushsim replay: cannot write " << args.html << "\n";
      return kExitUsage;
    }
    std::cout << "wrote " << args.html << "\n";
  }
  return run.failed() ? 1 : 0;
}

}  // namespace

void add_replay_command(CLI::App& app, int& exit_code) {
  auto* cmd = app.add_subcommand("replay", "reproduce one seed of a scenario exactly");
  auto args = std::make_shared<ReplayArgs>();
  cmd->add_option("scenario", args->scenario, "a scenario file, or the id of a bundled scenario")->required();
  cmd->add_option("--seed", args->seed, "the seed explore printed")->required();
  cmd->add_option("--profile", args->profile, "fault profile (name or YAML file)")->capture_default_str();
  cmd->add_option("--defect", args->defects, "a deliberately broken engine variant (repeatable)");
  cmd->add_option("--faults", args->faults, "keep only these of the seed's faults: indices like 0,3, or none");
  cmd->add_option("--shorten", args->shorten, "halve the kept faults' spans and delays this many times")
      ->check(CLI::Range(0, 62));
  cmd->add_option("--skip-steps", args->skip_steps, "leave out these steps: paths like 4,5.2 (1-based)");
  cmd->add_option("--html", args->html, "write the HTML report with the sequence diagram here");
  cmd->add_option("--trace", args->trace,
                  "write the whole trace here as JSON lines (header first, then one record a line)");
  add_wire_log_option(*cmd, args->log);
  cmd->callback([cmd, args, &exit_code] {
    wire_log_given(*cmd, args->log);
    exit_code = replay_command(*args);
  });
}

}  // namespace pushsim::apps
