#pragma once
// The JSON report: the whole result model, every step (nested for concurrently and one_of)
// and every trace line, for tools and for the HTML report. Keys in a fixed order; seeds
// are decimal strings (they are 64-bit, beyond what JavaScript numbers hold exactly);
// times are integer nanoseconds ("_ns"), target times as offsets from the scenario start.
#include <string>

#include "harness/protocol_document.hpp"
#include "harness/run_result.hpp"
#include "protocol/json.hpp"

namespace pushsim::reports {

inline constexpr int kJsonReportVersion = 1;

nlohmann::ordered_json json_step(const harness::StepResult& step);
// With the protocol document's sections, a scenario whose section is a heading there also
// gets "section_link": its repository path and anchor, "docs/protocol.md#34-presence-semantics".
nlohmann::ordered_json json_scenario(const harness::ScenarioResult& result,
                                     const harness::ProtocolDocument& protocol = {});
nlohmann::ordered_json json_run(const harness::RunResult& run, const harness::ProtocolDocument& protocol = {});
// json_run, pretty-printed with a trailing newline; invalid UTF-8 is replaced, not thrown.
std::string json_report(const harness::RunResult& run, const harness::ProtocolDocument& protocol = {});

}  // namespace pushsim::reports
