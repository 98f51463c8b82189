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
  // A server that ended between scenarios (or was crashed on purpose and left down), or every
  // one with restart_each.
  for (std::size_t node = 0; node < options_.servers.size(); ++node) {
    ServerProcess& server = *options_.servers[node];
    const bool ended = server.ended().has_value();
    if (!ended && !(options_.restart_each && !first)) continue;
    if (auto error = server.restart()) {
      server.keep_log();
      declare_down(scenario.id, true, node_name(node) + "it could not be restarted: " + error->message, {});
      return not_run_reason();
    }
  }
  running_.insert(scenario.id);
  return std::nullopt;
}

void LiveTargetWatch::after(const Scenario& scenario, ScenarioResult& result) {
  if (!options_.servers.empty()) {
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

std::string LiveTargetWatch::node_name(std::size_t node) const {
  return options_.servers.size() > 1 ? "node " + std::to_string(node) + ": " : std::string();
}

// One scenario at a time here: nothing else touches the processes meanwhile.
void LiveTargetWatch::after_process(ScenarioResult& result) {
  // A node the scenario crashed on purpose and left down is no finding: it comes back first,
  // so that the probe finds the cluster whole.
  for (std::size_t node = 0; node < options_.servers.size(); ++node) {
    ServerProcess& server = *options_.servers[node];
    if (!server.killed_on_purpose()) continue;
    // A graceful shutdown (shutdown_server) may still be under way: SIGTERM again and wait,
    // SIGKILL after the grace.
    if (!server.ended()) server.stop();
    if (auto error = server.start()) {
      server.keep_log();
      std::lock_guard lock(mutex_);
      declare_down(result.id, false,
                   node_name(node) + "crashed on purpose by the scenario, it could not be restarted: " + error->message,
                   last_sent(result, options_.secrets));
      return;
    }
  }
  for (std::size_t node = 0; node < options_.servers.size(); ++node) {
    const auto gone = options_.probe_node ? options_.probe_node(node) : options_.probe();
    after_node(*options_.servers[node], node, gone, result);
  }
}

void LiveTargetWatch::after_node(ServerProcess& server, std::size_t node, const std::optional<std::string>& gone,
                                 ScenarioResult& result) {
  auto ended = server.ended();
  if (!gone && !ended) return;
  // A server that stopped listening may still be on its way out (an abort writing a core).
  const auto settle_end = std::chrono::steady_clock::now() + std::chrono::seconds(1);
  while (!ended && std::chrono::steady_clock::now() < settle_end) {
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
    ended = server.ended();
  }
  const std::string which = options_.servers.size() > 1 ? " (node " + std::to_string(node) + ")" : std::string();
  std::string what;
  if (ended) {
    what = "crashed the server" + which + ": " + *ended;
  } else {
    what = "hung the server" + which + ": " + *gone + " (its process was still running; pushsim stopped it)";
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
    declare_down(result.id, false, node_name(node) + "it crashed and could not be restarted: " + error->message, sent);
  }
}

}  // namespace pushsim::harness
