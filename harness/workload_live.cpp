#include "harness/workload_live.hpp"

#include <map>
#include <tuple>

#include "harness/executor.hpp"
#include "harness/scenario_loader.hpp"
#include "harness/workload_check.hpp"
#include "protocol/frame.hpp"

namespace pushsim::harness {
namespace {

bool all_digits(std::string_view text) {
  return !text.empty() && std::all_of(text.begin(), text.end(), [](char c) { return c >= '0' && c <= '9'; });
}

// The events workloads publish: e<N> (REST) and client-e<N> (client events).
bool workload_event(std::string_view name) {
  if (name.starts_with("client-e")) return all_digits(name.substr(8));
  return name.starts_with("e") && all_digits(name.substr(1));
}

std::string times(int count) {
  if (count == 0) return "none";
  if (count == 1) return "once";
  if (count == 2) return "twice";
  return std::to_string(count) + " times";
}

std::string owed_text(int min, int max) {
  if (max == 0) return "none (not subscribed there, excluded, or its sender)";
  if (min == max) return times(min);
  return times(min) + " to " + times(max) + " (a race decides)";
}

std::int64_t elapsed_ms(std::chrono::steady_clock::time_point since) {
  return std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::steady_clock::now() - since).count();
}

}  // namespace

std::vector<std::string> check_workload_deliveries(const std::vector<WorkloadDelivery>& owed,
                                                   const std::vector<TraceLine>& trace) {
  using Key = std::tuple<std::string, std::string, std::string>;  // client, event, channel
  std::map<Key, std::pair<int, int>> ranges;
  for (const auto& delivery : owed)
    ranges[{delivery.client, delivery.event, delivery.channel}] = {delivery.min, delivery.max};
  std::map<Key, int> got;
  for (const auto& line : trace) {
    if (line.kind != "deliver" || line.from != "server" || line.to == "app" || line.to == "webhooks") continue;
    auto frame = decode_frame(line.text);
    if (!frame || !frame->channel || !workload_event(frame->event)) continue;
    ++got[{line.to, frame->event, *frame->channel}];
  }
  for (const auto& [key, range] : ranges) got.try_emplace(key, 0);
  std::vector<std::string> out;
  for (const auto& [key, count] : got) {
    const auto& [client, event, channel] = key;
    auto range = ranges.find(key);
    const int min = range == ranges.end() ? 0 : range->second.first;
    const int max = range == ranges.end() ? 0 : range->second.second;
    if (count >= min && count <= max) continue;
    out.push_back("delivery: " + client + " got " + event + " on " + channel + " " +
                  (count == 0 ? std::string("never") : times(count)) + "; the protocol owes it " + owed_text(min, max));
  }
  return out;
}

LiveWorkloadRun run_workload_live(const Workload& workload, const TargetFactory& factory) {
  const auto started = std::chrono::steady_clock::now();
  LiveWorkloadRun out;
  const RenderedWorkload rendered = render_workload(workload);
  auto scenario = load_scenario_text(rendered.yaml, "generated.yaml");
  if (!scenario) {
    out.loaded = false;
    out.failed = true;
    out.failure = "the generated scenario does not load: " + scenario.error().message;
    return out;
  }
  const std::uint64_t seed = scenario_seed(1, scenario->id);
  auto target = factory(*scenario, seed);
  if (auto reason = skip_reason(*scenario, *target)) {
    out.skipped = true;
    out.failure = *reason;
    return out;
  }
  const ScenarioResult result = run_scenario(*scenario, *target, seed);
  out.wall_ms = elapsed_ms(started);
  if (result.verdict == Verdict::kSkipped) {
    out.skipped = true;
    out.failure = result.skip_reason;
    return out;
  }
  if (result.verdict == Verdict::kFail || !result.failures.empty()) {
    out.failed = true;
    out.failure = result.failures.empty() ? std::string(to_string(result.verdict)) : result.failures.front();
    return out;
  }
  const auto problems = check_workload_deliveries(rendered.deliveries, target->trace());
  if (!problems.empty()) {
    out.failed = true;
    out.failure = "generated.yaml: " + problems.front();
    if (problems.size() > 1) out.failure += " (and " + std::to_string(problems.size() - 1) + " more)";
  }
  return out;
}

LiveWorkloadShrink shrink_workload_live(const Workload& failing, const TargetFactory& factory,
                                        const LiveShrinkOptions& options) {
  const auto started = std::chrono::steady_clock::now();
  LiveWorkloadShrink out;
  // Candidates stop where the final runs, at the last run's pace, would pass the budget.
  std::int64_t run_ms = 0;
  const WorkloadPredicate still_fails = [&](const Workload& candidate) {
    for (unsigned run = 0; run < options.runs; ++run) {
      if (elapsed_ms(started) + run_ms * (options.runs + 1) >= options.budget.count()) {
        out.budget_spent = true;
        return false;
      }
      const auto result = run_workload_live(candidate, factory);
      run_ms = result.wall_ms;
      if (result.failed && result.loaded) return true;
    }
    return false;
  };
  const std::function<bool()> stopped = [&] { return out.budget_spent; };
  std::tie(out.workload, out.attempts) = shrink_workload_by(failing, still_fails, options.attempts_max, stopped);
  out.rendered = render_workload(out.workload);
  for (unsigned run = 0; run < options.runs; ++run) {
    const auto result = run_workload_live(out.workload, factory);
    ++out.runs;
    if (!result.failed) continue;
    ++out.reproduced;
    if (out.failure.empty()) out.failure = result.failure;
  }
  return out;
}

}  // namespace pushsim::harness
