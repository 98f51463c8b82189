#pragma once
// What `pushsim explore` prints: the header, then per failing seed the violated invariant or
// expectation, a trace excerpt and the replay command, then the shrunk run.
#include <ostream>
#include <string>

#include "harness/explorer.hpp"

namespace pushsim::apps {

class ExploreReport {
 public:
  ExploreReport(std::string scenario_argument, std::string profile_argument, std::ostream& out)
      : scenario_argument_(std::move(scenario_argument)), profile_argument_(std::move(profile_argument)), out_(out) {}

  void header(const harness::Scenario& scenario, const harness::RunSpec& base, const harness::ExploreOptions& options);
  void outcome(const harness::Scenario& scenario, const harness::RunSpec& base, const harness::ExploreResult& result,
               bool shrink);
  std::string replay_command(const harness::RunSpec& spec) const;

 private:
  void failing_run(const harness::Scenario& scenario, const harness::RunSpec& spec, const std::string& title);

  std::string scenario_argument_;
  std::string profile_argument_;
  std::ostream& out_;
};

}  // namespace pushsim::apps
