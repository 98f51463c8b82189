#include "harness/executor.hpp"

#include <chrono>

#include "harness/duration.hpp"
#include "harness/execution.hpp"

namespace pushsim::harness {
namespace {

std::uint64_t splitmix64(std::uint64_t x) {
  x += 0x9e3779b97f4a7c15ULL;
  x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9ULL;
  x = (x ^ (x >> 27)) * 0x94d049bb133111ebULL;
  return x ^ (x >> 31);
}

Verdict verdict_for(Level level, bool failed) {
  if (level == Level::kInfo) return Verdict::kInformational;
  if (!failed) return Verdict::kPass;
  return level == Level::kMust ? Verdict::kFail : Verdict::kNonStrict;
}

StepResult not_run(const Step& step) {
  StepResult out;
  out.kind = std::string(step_kind(step));
  out.description = describe_step(step);
  out.where = location(step);
  out.outcome = StepOutcome::kNotRun;
  return out;
}

ScenarioResult header_of(const Scenario& scenario, std::uint64_t seed) {
  ScenarioResult result;
  result.id = scenario.id;
  result.name = scenario.name;
  result.level = scenario.level;
  result.section = scenario.section;
  result.file = scenario.where.file;
  result.tags = scenario.tags;
  result.seed = seed;
  return result;
}

// The target's problems, appended to a failed step's message: the likely reason why what was
// awaited never came (a peer that sent garbage, a call that got no answer).
std::string problems_note(const Target& target) {
  constexpr std::size_t kShownMax = 10;
  const auto problems = target.problems();
  if (problems.empty()) return "";
  std::string out = "\nproblems the target saw:";
  for (std::size_t i = 0; i < problems.size() && i < kShownMax; ++i) out += "\n  " + problems[i];
  if (problems.size() > kShownMax) out += "\n  ... and " + std::to_string(problems.size() - kShownMax) + " more";
  return out;
}

}  // namespace

std::uint64_t scenario_seed(std::uint64_t root_seed, std::string_view scenario_id) {
  std::uint64_t hash = 0xcbf29ce484222325ULL;  // FNV-1a 64 of the id
  for (char c : scenario_id) {
    hash ^= static_cast<unsigned char>(c);
    hash *= 0x100000001b3ULL;
  }
  return splitmix64(root_seed ^ splitmix64(hash));
}

std::optional<std::string> skip_reason(const Scenario& scenario, const Target& target) {
  const auto features = target.features();
  for (const auto& feature : scenario.requires_features) {
    if (features.count(feature) == 0) return "target '" + target.name() + "' lacks feature '" + feature + "'";
  }
  if (scenario.simulation_only && target.name() != "sim") return "simulation only: " + *scenario.simulation_only;
  if (auto reason = target.cannot_play(scenario)) return reason;
  return std::nullopt;
}

ScenarioResult skipped_result(const Scenario& scenario, std::uint64_t seed, std::string reason) {
  ScenarioResult result = header_of(scenario, seed);
  result.verdict = Verdict::kSkipped;
  result.skip_reason = std::move(reason);
  for (const auto& step : scenario.steps) result.steps.push_back(not_run(step));
  return result;
}

ScenarioResult run_scenario(const Scenario& scenario, Target& target, std::uint64_t seed,
                            const ExecutorOptions& options) {
  const auto wall_start = std::chrono::steady_clock::now();
  if (auto reason = skip_reason(scenario, target)) return skipped_result(scenario, seed, std::move(*reason));
  ScenarioResult result = header_of(scenario, seed);
  Execution execution(scenario, target, options);
  bool failed = false;
  for (const auto& client : scenario.clients) {
    ClientSpec spec{client.name, client.user_id, client.user_info, client.app.value_or("default"), client.watchlist};
    if (auto error = target.declare_client(spec)) {
      failed = true;
      result.failures.push_back(client.where.to_string() + ": " + *error);
    }
  }
  if (!failed) target.begin();
  for (const auto& step : scenario.steps) {
    if (failed) {
      result.steps.push_back(not_run(step));
      continue;
    }
    StepResult step_result = execution.run(step, target.now(), false);
    if (step_result.outcome == StepOutcome::kFailed) {
      failed = true;
      step_result.message += problems_note(target);
      result.failures.push_back(step_result.where.to_string() + ": " + step_result.description + ": " +
                                step_result.message);
    }
    result.steps.push_back(std::move(step_result));
  }
  result.duration = target.now() - execution.origin();
  result.violations = target.finish();
  for (const auto& violation : result.violations) {
    result.failures.push_back(scenario.where.file + ": invariant " + violation.name + ": " + violation.message +
                              " (trace record " + std::to_string(violation.position) + ", +" +
                              format_duration(violation.at - execution.origin()) + ")");
  }
  // An invariant is a protocol guarantee: whatever the scenario's level, breaking it fails.
  result.verdict = result.violations.empty() ? verdict_for(scenario.level, failed) : Verdict::kFail;
  if (options.keep_trace) {
    for (auto& line : target.trace()) {
      result.trace.push_back(TraceEntry{line.at - execution.origin(), std::move(line.kind), std::move(line.from),
                                        std::move(line.to), std::move(line.text)});
    }
  }
  result.wall_ns =
      std::chrono::duration_cast<std::chrono::nanoseconds>(std::chrono::steady_clock::now() - wall_start).count();
  return result;
}

// ---- Execution: the loop and composition ------------------------------------------------------

Execution::Execution(const Scenario& scenario, Target& target, const ExecutorOptions& options)
    : scenario_(scenario),
      target_(target),
      options_(options),
      origin_(target.now()),
      time_max_(scenario.virtual_time_limit.value_or(options.time_max)),
      cap_at_(target.now() + time_max_) {}

std::string Execution::cap_note(TimeNs deadline) const {
  return deadline > cap_at_ ? " (cut short by the scenario's time cap of " + format_duration(time_max_) + ")" : "";
}

StepResult Execution::run(const Step& step, TimeNs start, bool in_block) {
  StepResult out;
  out.kind = std::string(step_kind(step));
  out.description = describe_step(step);
  out.where = location(step);
  out.started_at = target_.now() - origin_;
  if (++steps_run_ > options_.steps_max) {
    out.outcome = StepOutcome::kFailed;
    out.message = "step cap reached: more than " + std::to_string(options_.steps_max) + " steps run";
  } else if (target_.now() >= cap_at_) {
    out.outcome = StepOutcome::kFailed;
    out.message = "time cap reached: the scenario ran for " + format_duration(time_max_);
  } else if (const auto* block = std::get_if<ConcurrentlyStep>(&step.action)) {
    StepResult inner = run_concurrently(*block, start);
    inner.kind = out.kind, inner.description = out.description, inner.where = out.where;
    inner.started_at = out.started_at;
    out = std::move(inner);
  } else if (const auto* choice = std::get_if<OneOfStep>(&step.action)) {
    StepResult inner = run_one_of(*choice, start);
    inner.kind = out.kind, inner.description = out.description, inner.where = out.where;
    inner.started_at = out.started_at;
    out = std::move(inner);
  } else if (auto error = run_action(step.action, start, in_block)) {
    out.outcome = StepOutcome::kFailed;
    out.message = *error;
  } else {
    out.outcome = StepOutcome::kPassed;
  }
  out.ended_at = target_.now() - origin_;
  return out;
}

StepResult Execution::run_concurrently(const ConcurrentlyStep& step, TimeNs start) {
  StepResult out;
  out.outcome = StepOutcome::kPassed;
  for (const auto& child : step.steps) {
    if (out.outcome == StepOutcome::kFailed) {
      out.children.push_back(not_run(child));
      continue;
    }
    StepResult child_result = run(child, start, true);
    if (child_result.outcome == StepOutcome::kFailed) {
      out.outcome = StepOutcome::kFailed;
      out.message = child_result.where.line_column() + " " + child_result.description + ": " + child_result.message;
    }
    out.children.push_back(std::move(child_result));
  }
  return out;
}

StepResult Execution::run_one_of(const OneOfStep& step, TimeNs start) {
  StepResult out;
  out.outcome = StepOutcome::kFailed;
  const Consumption before = consumed_;
  std::string reasons;
  for (std::size_t b = 0; b < step.branches.size(); ++b) {
    StepResult branch;
    branch.kind = "branch";
    branch.description = "branch " + std::to_string(b + 1);
    branch.where = step.branches[b].empty() ? step.where : location(step.branches[b].front());
    branch.started_at = target_.now() - origin_;
    if (out.outcome == StepOutcome::kPassed) {
      for (const auto& child : step.branches[b]) branch.children.push_back(not_run(child));
      out.children.push_back(std::move(branch));
      continue;
    }
    consumed_ = before;
    branch.outcome = StepOutcome::kPassed;
    for (const auto& child : step.branches[b]) {
      if (branch.outcome == StepOutcome::kFailed) {
        branch.children.push_back(not_run(child));
        continue;
      }
      StepResult child_result = run(child, start, true);
      if (child_result.outcome == StepOutcome::kFailed) {
        branch.outcome = StepOutcome::kFailed;
        branch.message =
            child_result.where.line_column() + " " + child_result.description + ": " + child_result.message;
      }
      branch.children.push_back(std::move(child_result));
    }
    branch.ended_at = target_.now() - origin_;
    if (branch.outcome == StepOutcome::kPassed) {
      out.outcome = StepOutcome::kPassed;
    } else {
      reasons += "\n-- branch " + std::to_string(b + 1) + ": " + branch.message;
    }
    out.children.push_back(std::move(branch));
  }
  if (out.outcome == StepOutcome::kFailed) {
    consumed_ = before;
    out.message = "no branch held:" + reasons;
  }
  return out;
}

}  // namespace pushsim::harness
