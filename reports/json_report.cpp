#include "reports/json_report.hpp"

namespace pushsim::reports {

using Ordered = nlohmann::ordered_json;

Ordered json_step(const harness::StepResult& step) {
  Ordered out;
  out["kind"] = step.kind;
  out["description"] = step.description;
  out["where"] = step.where.to_string();
  out["outcome"] = std::string(harness::to_string(step.outcome));
  out["started_at_ns"] = step.started_at;
  out["ended_at_ns"] = step.ended_at;
  if (!step.message.empty()) out["message"] = step.message;
  if (!step.children.empty()) {
    Ordered children = Ordered::array();
    for (const auto& child : step.children) children.push_back(json_step(child));
    out["children"] = std::move(children);
  }
  return out;
}

Ordered json_scenario(const harness::ScenarioResult& result, const harness::ProtocolDocument& protocol) {
  Ordered out;
  out["id"] = result.id;
  out["name"] = result.name;
  out["level"] = std::string(harness::to_string(result.level));
  out["section"] = result.section;
  if (auto link = harness::section_link(protocol, harness::kProtocolDocumentPath, result.section); !link.empty()) {
    out["section_link"] = std::move(link);
  }
  out["file"] = result.file;
  out["tags"] = result.tags;
  out["verdict"] = std::string(harness::to_string(result.verdict));
  out["seed"] = std::to_string(result.seed);
  out["duration_ns"] = result.duration;
  out["wall_ns"] = result.wall_ns;
  if (!result.skip_reason.empty()) out["skip_reason"] = result.skip_reason;
  if (result.deviation) {
    out["deviation"] = Ordered{{"scenario", result.deviation->scenario},
                               {"reason", result.deviation->reason},
                               {"link", result.deviation->link}};
  }
  out["failures"] = result.failures;
  Ordered steps = Ordered::array();
  for (const auto& step : result.steps) steps.push_back(json_step(step));
  out["steps"] = std::move(steps);
  Ordered trace = Ordered::array();
  for (const auto& line : result.trace) {
    Ordered entry;
    entry["at_ns"] = line.at;
    entry["kind"] = line.kind;
    entry["from"] = line.from;
    entry["to"] = line.to;
    entry["text"] = line.text;
    trace.push_back(std::move(entry));
  }
  out["trace"] = std::move(trace);
  return out;
}

Ordered json_run(const harness::RunResult& run, const harness::ProtocolDocument& protocol) {
  using harness::Verdict;
  Ordered out;
  out["report_version"] = kJsonReportVersion;
  if (!run.pushsim_version.empty()) out["pushsim_version"] = run.pushsim_version;
  if (!run.pushsim_commit.empty()) out["pushsim_commit"] = run.pushsim_commit;
  if (!run.suite_fingerprint.empty()) out["suite_fingerprint"] = run.suite_fingerprint;
  out["target"] = run.target;
  if (!run.profile.empty()) out["profile"] = run.profile;
  out["root_seed"] = std::to_string(run.root_seed);
  out["wall_ns"] = run.wall_ns;
  if (!run.invariants.empty()) out["invariants_checked"] = run.invariants;
  Ordered summary;
  summary["scenarios"] = run.scenarios.size();
  for (Verdict v : harness::kAllVerdicts) {
    summary[std::string(harness::to_string(v))] = run.count(v);
  }
  summary["exit_code"] = run.exit_code();
  out["summary"] = std::move(summary);
  if (run.target_down) {
    const auto& finding = *run.target_down;
    out["target_down"] =
        Ordered{{"scenario", finding.scenario},   {"when", finding.before_scenario ? "before" : "during"},
                {"message", finding.headline()},  {"reason", finding.reason},
                {"last_sent", finding.last_sent}, {"also_running", finding.also_running}};
  }
  Ordered scenarios = Ordered::array();
  for (const auto& scenario : run.scenarios) scenarios.push_back(json_scenario(scenario, protocol));
  out["scenarios"] = std::move(scenarios);
  return out;
}

std::string json_report(const harness::RunResult& run, const harness::ProtocolDocument& protocol) {
  return json_run(run, protocol).dump(2, ' ', false, nlohmann::ordered_json::error_handler_t::replace) + "\n";
}

}  // namespace pushsim::reports
