#include "harness/target_watch.hpp"

#include <chrono>
#include <thread>

#include "harness/target_health.hpp"
#include "net/server_process.hpp"

namespace pushsim::harness {
namespace {

std::string bulleted(const std::vector<std::string>& lines) {
  if (lines.empty()) return "  (nothing)";
  std::string out;
  for (const auto& line : lines) out += (out.empty() ? "  " : "\n  ") + line;
  return out;
}

}  // namespace

LiveTargetWatch::LiveTargetWatch(LiveWatchOptions options) : options_(std::move(options)) {}

std::optional<TargetDownFinding> LiveTargetWatch::finding() const {
  std::lock_guard lock(mutex_);
  return down_;
}

int LiveTargetWatch::crashes() const {
  std::lock_guard lock(mutex_);
  return crashes_;
}

std::string LiveTargetWatch::not_run_reason() const { return "target down: " + down_->headline(); }

void LiveTargetWatch::declare_down(const std::string& scenario, bool before_scenario, std::string reason,
                                   std::vector<std::string> sent) {
  TargetDownFinding finding;
  finding.scenario = scenario;
  finding.before_scenario = before_scenario;
  finding.reason = redact(std::move(reason), options_.secrets);
  finding.last_sent = std::move(sent);
  for (const auto& other : running_) {
    if (other != scenario) finding.also_running.push_back(other);
  }
  down_ = std::move(finding);
}

std::optional<std::string> LiveTargetWatch::before(const Scenario& scenario) {
  std::lock_guard lock(mutex_);
  if (down_) return not_run_reason();
  const bool first = first_;
  first_ = false;
  if (options_.server != nullptr) {
    // A server that ended between scenarios, or every scenario with restart_each.
    const bool ended = options_.server->ended().has_value();
    if (ended || (options_.restart_each && !first)) {
      if (auto error = options_.server->restart()) {
        options_.server->keep_log();
        declare_down(scenario.id, true, "it could not be restarted: " + error->message, {});
        return not_run_reason();
      }
    }
  }
  running_.insert(scenario.id);
  return std::nullopt;
}

void LiveTargetWatch::after(const Scenario& scenario, ScenarioResult& result) {
  if (options_.server != nullptr) {
    after_process(result);
    std::lock_guard lock(mutex_);
    running_.erase(scenario.id);
    return;
  }
  // Without a process to look at, only a failure makes the probe worth its time.
  const bool failed = !result.failures.empty();
  std::optional<std::string> gone;
  if (failed) {
    {
      std::lock_guard lock(mutex_);
      if (down_) {
        running_.erase(scenario.id);
        result.verdict = Verdict::kNotRun;
        result.skip_reason = not_run_reason() + " (this scenario was running then)";
        return;
      }
    }
    gone = options_.probe();
  }
  std::lock_guard lock(mutex_);
  if (gone && down_) {  // another scenario found it first
    result.verdict = Verdict::kNotRun;
    result.skip_reason = not_run_reason() + " (this scenario was running then)";
  } else if (gone) {
    declare_down(scenario.id, false, *gone, last_sent(result, options_.secrets));
    result.failures.push_back("the server went away during this scenario: " + down_->reason);
  }
  running_.erase(scenario.id);
}

// One scenario at a time here: nothing else touches the process meanwhile.
void LiveTargetWatch::after_process(ScenarioResult& result) {
  ServerProcess& server = *options_.server;
  const auto gone = options_.probe();
  auto ended = server.ended();
  if (!gone && !ended) return;
  // A server that stopped listening may still be on its way out (an abort writing a core).
  const auto settle_end = std::chrono::steady_clock::now() + std::chrono::seconds(1);
  while (!ended && std::chrono::steady_clock::now() < settle_end) {
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
    ended = server.ended();
  }
  std::string what;
  if (ended) {
    what = "crashed the server: " + *ended;
  } else {
    what = "hung the server: " + *gone + " (its process was still running; pushsim stopped it)";
    server.stop();
  }
  server.keep_log();
  const auto sent = last_sent(result, options_.secrets);
  what += "\nlast sent:\n" + bulleted(sent) + "\nthe end of its log (" + server.log_path() + "):\n" +
          redact(server.log_tail(), options_.secrets);
  while (!what.empty() && what.back() == '\n') what.pop_back();
  result.verdict = Verdict::kFail;
  result.failures.push_back(std::move(what));
  std::lock_guard lock(mutex_);
  ++crashes_;
  if (auto error = server.start()) {
    declare_down(result.id, false, "it crashed and could not be restarted: " + error->message, sent);
  }
}

}  // namespace pushsim::harness
