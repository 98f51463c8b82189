#pragma once
// Watching a live server between scenarios, so that a server that goes away is reported once,
// as what it is, instead of as a failure of every scenario after it.
//
// Theory of operation. The suite runner asks the watch before each scenario (may it run?) and
// hands it each result after (was the server still there?). Without a server process, a
// scenario that failed is followed by a probe (target_health.hpp); when the probe finds the
// server gone, the run gets its one TargetDownFinding, naming that scenario with what pushsim
// last sent, and every later scenario is not run (Verdict::kNotRun). A scenario that failed on
// a healthy server stays an ordinary failure: the probe passed.
//
// With server processes (--server-cmd, one per node of a live target of several), every
// scenario is followed by a probe of every node and a look at each process. A node the scenario
// killed on purpose (crash_node, ServerProcess::killed_on_purpose) and left down is restarted
// first and is no finding; it must come back, as any other restart. A server that ended, or stopped answering, fails
// that scenario with "crashed the server" (how it ended, what was last sent, the end of its log) and is restarted; the
// suite goes on. Only a server that cannot be restarted ends the run as above. restart_each
// restarts it before every scenario but the first, for full isolation.
//
// Thread-safe: with --jobs > 1 several scenarios run at once, so the finding lists the others
// that were running, and those that fail after it are not-run too (they ran against a dying
// server). --server-cmd runs one scenario at a time (cmd_run checks).
#include <functional>
#include <mutex>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "harness/run_result.hpp"
#include "harness/scenario.hpp"

namespace pushsim {
class ServerProcess;
}  // namespace pushsim

namespace pushsim::harness {

class TargetWatch {
 public:
  virtual ~TargetWatch() = default;
  // Before a scenario: nullopt to run it, else why it is not run.
  virtual std::optional<std::string> before(const Scenario& scenario) = 0;
  // After it: may turn the result into a crash failure or a not-run.
  virtual void after(const Scenario& scenario, ScenarioResult& result) = 0;
  virtual std::optional<TargetDownFinding> finding() const = 0;
};

struct LiveWatchOptions {
  // nullopt: the server is there; else why not. Usually probe_target with the target's URLs.
  std::function<std::optional<std::string>()> probe;
  // With several servers: the probe of node K alone (none: `probe` for each).
  std::function<std::optional<std::string>(std::size_t node)> probe_node;
  // --server-cmd: one per node, node 0 first; started before the suite, not owned.
  std::vector<ServerProcess*> servers;
  bool restart_each = false;
  std::vector<std::string> secrets;  // redacted from everything quoted
};

class LiveTargetWatch final : public TargetWatch {
 public:
  explicit LiveTargetWatch(LiveWatchOptions options);

  std::optional<std::string> before(const Scenario& scenario) override;
  void after(const Scenario& scenario, ScenarioResult& result) override;
  std::optional<TargetDownFinding> finding() const override;

  // Times the server process crashed (or hung) and was restarted.
  int crashes() const;

 private:
  std::string not_run_reason() const;  // holds mutex_
  void after_process(ScenarioResult& result);
  void after_node(ServerProcess& server, std::size_t node, const std::optional<std::string>& gone,
                  ScenarioResult& result);
  std::string node_name(std::size_t node) const;
  void declare_down(const std::string& scenario, bool before_scenario, std::string reason,
                    std::vector<std::string> sent);  // holds mutex_

  LiveWatchOptions options_;
  mutable std::mutex mutex_;
  std::optional<TargetDownFinding> down_;
  std::set<std::string> running_;
  bool first_ = true;
  int crashes_ = 0;
};

}  // namespace pushsim::harness
