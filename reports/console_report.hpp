#pragma once
// The console report: one line per scenario (verdict, id, name, target time, wall time),
// the failure messages indented under a failed or non-strict scenario, and a summary.
// Colours only when asked (the caller asks when stdout is a terminal).
#include <string>
#include <string_view>

#include "harness/run_result.hpp"

namespace pushsim::reports {

struct ConsoleStyle {
  bool color = false;
  bool wall_times = true;  // golden tests inject wall times; a run may hide them
};

// `profile`: the target profile given, named in the header when not empty.
std::string console_header(const std::string& target, std::uint64_t root_seed, std::size_t scenarios,
                           const ConsoleStyle& style, const std::string& profile = {});
// The header's second line: which pushsim runs which suite (its fingerprint, and where it was
// read from when `suite` is not empty), e.g.
// "pushsim 0.1.0 (commit 5fc525d1a2b3), suite sha256:... (/usr/share/pushsim/scenarios)".
std::string console_provenance(std::string_view version, std::string_view commit, std::string_view fingerprint,
                               std::string_view suite = {});
// The scenario's line, then its failure messages (each line indented), newline-terminated.
std::string console_scenario(const harness::ScenarioResult& result, const ConsoleStyle& style);
// The totals line, after the target-down finding when the target went away.
std::string console_summary(const harness::RunResult& run, const ConsoleStyle& style);
// The finding, once: which scenario the server went away during, why, what was last sent.
std::string console_target_down(const harness::RunResult& run);
// "[12/150] 8%" for a progress line a terminal rewrites in place.
std::string console_progress(std::size_t done, std::size_t total);

// The whole report: header, every scenario, summary.
std::string console_report(const harness::RunResult& run, const ConsoleStyle& style);

}  // namespace pushsim::reports
