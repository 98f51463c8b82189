#include "harness/explorer.hpp"

#include <algorithm>
#include <chrono>
#include <mutex>
#include <thread>

#include "fakes/world.hpp"
#include "harness/duration.hpp"
#include "harness/sim_target.hpp"

namespace pushsim::harness {
namespace {

std::string joined_numbers(const std::vector<std::size_t>& values) {
  std::string out;
  for (std::size_t v : values) out += (out.empty() ? "" : ",") + std::to_string(v);
  return out.empty() ? "none" : out;
}

std::string without_digits(const std::string& text) {
  std::string out;
  for (char c : text.substr(0, text.find('\n'))) {
    if (c < '0' || c > '9') out += c;
  }
  return out;
}

// The innermost failed step, depth first: where a failure really is.
const StepResult* first_failed(const std::vector<StepResult>& steps) {
  for (const auto& step : steps) {
    if (step.outcome != StepOutcome::kFailed) continue;
    if (step.kind != "one_of") {
      if (const StepResult* inner = first_failed(step.children)) return inner;
    }
    return &step;
  }
  return nullptr;
}

void strip_steps(std::vector<Step>& steps, const std::string& prefix, const std::set<std::string>& paths) {
  std::vector<Step> kept;
  for (std::size_t i = 0; i < steps.size(); ++i) {
    const std::string path = prefix + std::to_string(i + 1);
    if (paths.count(path) != 0) continue;
    if (auto* block = std::get_if<ConcurrentlyStep>(&steps[i].action)) strip_steps(block->steps, path + ".", paths);
    kept.push_back(std::move(steps[i]));
  }
  steps = std::move(kept);
}

std::unique_ptr<SimTarget> make_target(const Scenario& scenario, const RunSpec& spec, std::uint64_t world_seed) {
  SimTargetOptions options;
  options.scenario = scenario.id;
  options.seed = world_seed;
  options.defects = spec.defects;
  for (const auto& client : scenario.clients) {
    if (client.app && *client.app != "default") options.app_names.insert(*client.app);
  }
  options.app_settings = scenario.apps;
  options.webhook_endpoints = scenario.webhook_endpoints;
  for (const auto& feature : scenario.requires_features) {
    if (feature == "subscription_count" || feature == "batch_webhooks") options.enable.insert(feature);
  }
  options.cluster_nodes = scenario.cluster_nodes;
  options.faults = scenario.fault_delay_max ? spec.profile.capped(*scenario.fault_delay_max) : spec.profile;
  options.keep_faults = spec.keep_faults;
  options.shorten = spec.shorten;
  return std::make_unique<SimTarget>(std::move(options));
}

// "+1.234s deliver server>alice #3 {"event":...}", cut to a screen line.
std::string excerpt_line(const fakes::Trace& trace, const fakes::TraceRecord& record, TimeNs origin, bool mark) {
  std::string line = (mark ? "> +" : "  +") + format_duration(record.at - origin) + " " +
                     std::string(fakes::to_string(record.kind)) + " " + trace.endpoint_name(record.from) + ">" +
                     trace.endpoint_name(record.to) + (record.link != 0 ? " #" + std::to_string(record.link) : "") +
                     " " + *record.text;
  constexpr std::size_t kWidth = 160;
  if (line.size() > kWidth) line = line.substr(0, kWidth - 3) + "...";
  return line;
}

// Where in the trace the failure shows: the violation's record, or the first record after
// the failing step gave up.
std::size_t failure_position(const SpecRun& run, const fakes::Trace& trace, TimeNs origin) {
  if (!run.result.violations.empty()) return run.result.violations.front().position;
  const StepResult* step = first_failed(run.result.steps);
  const TimeNs at = origin + (step != nullptr ? step->ended_at : 0);
  const auto& records = trace.records();
  std::size_t i = 0;
  while (i < records.size() && records[i].at <= at) ++i;
  return i == 0 ? 0 : i - 1;
}

void fill_excerpt(SpecRun& run, const fakes::Trace& trace, TimeNs origin, std::size_t lines) {
  const auto& records = trace.records();
  if (records.empty()) return;
  const std::size_t at = std::min(failure_position(run, trace, origin), records.size() - 1);
  const std::size_t from = at > lines ? at - lines : 0;
  const std::size_t to = std::min(records.size(), at + lines + 1);
  for (std::size_t i = from; i < to; ++i) {
    if (records[i].kind == fakes::TraceKind::kTimer) continue;
    run.excerpt.push_back(excerpt_line(trace, records[i], origin, i == at));
  }
}

}  // namespace

std::string RunSpec::replay_flags(const std::string& profile_argument) const {
  std::string out = "--seed " + std::to_string(seed) + " --profile " + profile_argument;
  for (const auto& info : all_defects()) {
    if (defects.has(info.defect)) out += " --defect " + std::string(info.name);
  }
  if (keep_faults) out += " --faults " + joined_numbers(*keep_faults);
  if (shorten > 0) out += " --shorten " + std::to_string(shorten);
  if (!skip_steps.empty()) {
    std::string paths;
    for (const auto& path : skip_steps) paths += (paths.empty() ? "" : ",") + path;
    out += " --skip-steps " + paths;
  }
  return out;
}

ExecutorOptions exploration_executor_options() {
  ExecutorOptions options;
  // A connect waits (as pusher-js does) for connection_established; under a profile that
  // holds a client's traffic for up to 10 s, a 1 s wait would fail runs the server got right.
  options.connect_wait = seconds(30);
  options.keep_trace = false;
  return options;
}

Scenario without_steps(const Scenario& scenario, const std::set<std::string>& paths) {
  Scenario out = scenario;
  if (!paths.empty()) strip_steps(out.steps, "", paths);
  return out;
}

SpecRun run_spec(const Scenario& scenario, const RunSpec& spec, const SpecRunOptions& options) {
  const std::uint64_t world_seed = scenario_seed(spec.seed, scenario.id);
  auto target = make_target(scenario, spec, world_seed);
  if (options.wire_log) target->set_wire_log(options.wire_log);
  ExecutorOptions executor = exploration_executor_options();
  executor.keep_trace = options.keep_trace;
  SpecRun run;
  run.result = spec.skip_steps.empty()
                   ? run_scenario(scenario, *target, world_seed, executor)
                   : run_scenario(without_steps(scenario, spec.skip_steps), *target, world_seed, executor);
  run.planned = target->planned_faults();
  run.applied = target->applied_faults();
  run.began_at = target->began_at();
  const fakes::Trace& trace = target->world().trace();
  run.trace_records = trace.records().size();
  if (!run.result.violations.empty()) {
    run.signature = "invariant " + run.result.violations.front().name;
    run.failure = "invariant " + run.result.violations.front().name + ": " + run.result.violations.front().message;
  } else if (run.result.verdict == Verdict::kFail || run.result.verdict == Verdict::kNonStrict) {
    const StepResult* step = first_failed(run.result.steps);
    // The place and what went wrong there, without the numbers (times, counts, ids) that any
    // change of the run moves: "the same way" is the same step failing for the same reason.
    run.signature = "step " + (step != nullptr ? step->where.to_string() + ": " + without_digits(step->message)
                                               : std::string("setup"));
    run.failure = run.result.failures.empty() ? run.signature : run.result.failures.front();
  }
  if (options.trace_json_lines) run.trace_json_lines = trace.to_json_lines();
  if (options.excerpt) {
    run.trace_digest = trace.digest();
    if (run.failed()) fill_excerpt(run, trace, run.began_at, options.excerpt_lines);
  }
  return run;
}

// ---- exploring ---------------------------------------------------------------------------------

ExploreResult explore(const Scenario& scenario, const RunSpec& base, const ExploreOptions& options) {
  using Clock = std::chrono::steady_clock;
  const auto start = Clock::now();
  const unsigned count = std::max(1u, options.shard_count);
  const unsigned index = std::clamp(options.shard_index, 1u, count);
  const bool timed = options.time_budget_s.has_value();
  const auto budget = std::chrono::duration<double>(options.time_budget_s.value_or(0));

  std::atomic<std::uint64_t> next{0};              // k-th seed of this shard
  std::atomic<std::uint64_t> stop_at{UINT64_MAX};  // no seed from this k on is started
  std::atomic<std::uint64_t> done{0};
  std::mutex mutex;
  ExploreResult result;
  auto seed_of = [&](std::uint64_t k) { return 1 + (index - 1) + k * count; };

  auto worker = [&](bool reporter) {
    for (;;) {
      const std::uint64_t k = next++;
      const std::uint64_t seed = seed_of(k);
      if (k >= stop_at.load() || (!timed && seed > options.seeds)) return;
      if (timed && Clock::now() - start >= budget) return;
      RunSpec spec = base;
      spec.seed = seed;
      SpecRun run = run_spec(scenario, spec);
      const std::uint64_t finished = ++done;
      std::lock_guard lock(mutex);
      if (run.failed()) {
        result.failures.push_back(ExploreFailure{seed, run.signature, run.failure});
        if (!options.keep_going) {
          std::uint64_t current = stop_at.load();
          while (k < current && !stop_at.compare_exchange_weak(current, k)) {}
        }
      }
      if (reporter && options.on_progress) options.on_progress(finished, result.failures.size());
    }
  };
  const unsigned jobs = std::max(1u, options.jobs);
  std::vector<std::thread> threads;
  for (unsigned j = 1; j < jobs; ++j) threads.emplace_back(worker, false);
  worker(true);
  for (auto& thread : threads) thread.join();

  std::sort(result.failures.begin(), result.failures.end(),
            [](const ExploreFailure& a, const ExploreFailure& b) { return a.seed < b.seed; });
  if (!options.keep_going && result.failures.size() > 1) result.failures.resize(1);
  result.seeds_run = done.load();
  result.wall_s = std::chrono::duration<double>(Clock::now() - start).count();
  return result;
}

// ---- shrinking ---------------------------------------------------------------------------------

namespace {

class Shrinker {
 public:
  Shrinker(const Scenario& scenario, const RunSpec& failing, std::size_t attempts_max)
      : scenario_(scenario), attempts_max_(attempts_max) {
    best_.spec = failing;
    best_.run = run_spec(scenario, failing);
    signature_ = best_.run.signature;
  }

  ShrinkResult run() {
    if (signature_.empty()) return std::move(best_);
    drop_faults();
    shorten();
    skip_steps();
    tidy_skips();
    best_.attempts = attempts_;
    return std::move(best_);
  }

 private:
  // Tries the candidate; keeps it when it fails the same way.
  bool attempt(const RunSpec& candidate) {
    if (attempts_ >= attempts_max_) return false;
    ++attempts_;
    SpecRun run = run_spec(scenario_, candidate);
    if (run.signature != signature_) return false;
    best_.spec = candidate;
    best_.run = std::move(run);
    return true;
  }

  void drop_faults() {
    const auto groups = fakes::fault_groups(best_.run.planned);
    std::vector<std::size_t> kept;
    if (best_.spec.keep_faults) {
      kept = *best_.spec.keep_faults;
    } else {
      for (std::size_t i = 0; i < best_.run.planned.size(); ++i) kept.push_back(i);
    }
    for (const auto& group : groups) {
      std::vector<std::size_t> without;
      for (std::size_t i : kept) {
        if (std::find(group.begin(), group.end(), i) == group.end()) without.push_back(i);
      }
      if (without.size() == kept.size()) continue;
      RunSpec candidate = best_.spec;
      candidate.keep_faults = without;
      if (attempt(candidate)) kept = without;
    }
    if (!best_.spec.keep_faults && kept.size() == best_.run.planned.size()) return;
    best_.spec.keep_faults = kept;
  }

  void shorten() {
    if (best_.run.applied.empty()) return;
    constexpr int kHalvingsMax = 12;
    for (int times = best_.spec.shorten + 1; times <= kHalvingsMax; ++times) {
      RunSpec candidate = best_.spec;
      candidate.shorten = times;
      if (!attempt(candidate)) return;
    }
  }

  void skip_steps() {
    // From the last step backwards, so that skipping one does not renumber those still to try.
    std::vector<std::string> paths;
    collect_paths(scenario_.steps, "", paths);
    for (auto it = paths.rbegin(); it != paths.rend(); ++it) {
      if (best_.spec.skip_steps.count(*it) != 0 || covered(*it)) continue;
      RunSpec candidate = best_.spec;
      candidate.skip_steps.insert(*it);
      attempt(candidate);
    }
  }

  // A skipped block's children need not be named too.
  void tidy_skips() {
    std::set<std::string> tidy;
    for (const auto& path : best_.spec.skip_steps) {
      if (!covered(path)) tidy.insert(path);
    }
    best_.spec.skip_steps = std::move(tidy);
  }

  bool covered(const std::string& path) const {
    for (const auto& skipped : best_.spec.skip_steps) {
      if (path.starts_with(skipped + ".")) return true;
    }
    return false;
  }

  static void collect_paths(const std::vector<Step>& steps, const std::string& prefix, std::vector<std::string>& out) {
    for (std::size_t i = 0; i < steps.size(); ++i) {
      const std::string path = prefix + std::to_string(i + 1);
      out.push_back(path);
      if (const auto* block = std::get_if<ConcurrentlyStep>(&steps[i].action)) {
        collect_paths(block->steps, path + ".", out);
      }
    }
  }

  const Scenario& scenario_;
  std::size_t attempts_max_;
  std::size_t attempts_ = 0;
  std::string signature_;
  ShrinkResult best_;
};

}  // namespace

ShrinkResult shrink(const Scenario& scenario, const RunSpec& failing, std::size_t attempts_max) {
  return Shrinker(scenario, failing, attempts_max).run();
}

}  // namespace pushsim::harness
