#include "harness/workload_check.hpp"

#include <algorithm>
#include <set>
#include <tuple>

#include "harness/explorer.hpp"
#include "harness/scenario_loader.hpp"

namespace pushsim::harness {

WorkloadRun run_workload_text(const std::string& yaml, const Defects& defects, const std::string& display_name,
                              WireSink* wire_log) {
  WorkloadRun out;
  auto scenario = load_scenario_text(yaml, display_name);
  if (!scenario) {
    out.loaded = false;
    out.failed = true;
    out.failure = "the generated scenario does not load: " + scenario.error().message;
    return out;
  }
  RunSpec spec;
  spec.seed = 1;
  spec.defects = defects;
  SpecRunOptions options;
  options.excerpt = true;
  options.wire_log = wire_log;
  const SpecRun run = run_spec(*scenario, spec, options);
  out.failed = run.failed();
  out.failure = run.failure;
  out.trace_digest = run.trace_digest;
  out.trace_records = run.trace_records;
  return out;
}

WorkloadRun run_workload(const Workload& workload, const Defects& defects) {
  return run_workload_text(render_workload(workload).yaml, defects);
}

namespace {

class WorkloadShrinker {
 public:
  WorkloadShrinker(const Workload& failing, const WorkloadPredicate& still_fails, std::size_t attempts_max,
                   const std::function<bool()>& stopped)
      : still_fails_(still_fails), stopped_(stopped), attempts_max_(attempts_max) {
    best_ = failing;
    best_.ops = kept_ops(failing);
  }

  Workload run() {
    ddmin();
    drop_clients();
    ddmin();
    return std::move(best_);
  }

  std::size_t attempts() const { return attempts_; }

 private:
  // The operations the model keeps: shrinking works on those only.
  static std::vector<WorkloadOp> kept_ops(const Workload& workload) {
    Workload probe = workload;
    std::vector<WorkloadOp> kept;
    for (std::size_t i = 0; i < workload.ops.size(); ++i) {
      probe.ops.assign(workload.ops.begin(), workload.ops.begin() + static_cast<std::ptrdiff_t>(i + 1));
      if (render_workload(probe).ops_kept > kept.size()) kept.push_back(workload.ops[i]);
    }
    return kept;
  }

  bool attempt(std::vector<WorkloadOp> ops) {
    if (attempts_ >= attempts_max_ || (stopped_ && stopped_())) return false;
    ++attempts_;
    Workload candidate = best_;
    candidate.ops = std::move(ops);
    if (!still_fails_(candidate)) return false;
    best_ = std::move(candidate);
    return true;
  }

  void ddmin() {
    std::size_t parts = 2;
    while (best_.ops.size() >= 2 && attempts_ < attempts_max_) {
      const auto& ops = best_.ops;
      const std::size_t chunk = (ops.size() + parts - 1) / parts;
      bool removed = false;
      for (std::size_t start = 0; start < ops.size(); start += chunk) {
        std::vector<WorkloadOp> without(ops.begin(), ops.begin() + static_cast<std::ptrdiff_t>(start));
        const std::size_t end = std::min(ops.size(), start + chunk);
        without.insert(without.end(), ops.begin() + static_cast<std::ptrdiff_t>(end), ops.end());
        if (attempt(std::move(without))) {
          parts = std::max<std::size_t>(parts - 1, 2);
          removed = true;
          break;
        }
      }
      if (removed) continue;
      if (parts >= best_.ops.size()) break;
      parts = std::min(best_.ops.size(), parts * 2);
    }
  }

  void drop_clients() {
    for (int c = 0; c < best_.clients; ++c) {
      std::vector<WorkloadOp> without;
      for (const auto& op : best_.ops) {
        if (op.a == c || op.b == c) continue;
        WorkloadOp kept = op;
        if (kept.exclude == c) kept.exclude = -1;
        for (auto& item : kept.items) {
          if (item.exclude == c) item.exclude = -1;
        }
        without.push_back(std::move(kept));
      }
      if (without != best_.ops) attempt(std::move(without));
    }
  }

  const WorkloadPredicate& still_fails_;
  const std::function<bool()>& stopped_;
  std::size_t attempts_max_;
  std::size_t attempts_ = 0;
  Workload best_;
};

}  // namespace

std::pair<Workload, std::size_t> shrink_workload_by(const Workload& failing, const WorkloadPredicate& still_fails,
                                                    std::size_t attempts_max, const std::function<bool()>& stopped) {
  WorkloadShrinker shrinker(failing, still_fails, attempts_max, stopped);
  Workload smallest = shrinker.run();
  return {std::move(smallest), shrinker.attempts()};
}

// Still tells the engine under test from the reference (with no defects: still fails).
WorkloadShrink shrink_workload(const Workload& failing, const Defects& defects, std::size_t attempts_max) {
  const WorkloadPredicate still_fails = [&defects](const Workload& candidate) {
    const std::string yaml = render_workload(candidate).yaml;
    const auto broken = run_workload_text(yaml, defects);
    if (!broken.loaded || !broken.failed) return false;
    return defects.empty() || !run_workload_text(yaml, Defects{}).failed;
  };
  WorkloadShrink out;
  std::tie(out.workload, out.attempts) = shrink_workload_by(failing, still_fails, attempts_max, {});
  out.rendered = render_workload(out.workload);
  out.run = run_workload_text(out.rendered.yaml, defects);
  return out;
}

}  // namespace pushsim::harness
