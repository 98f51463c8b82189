#pragma once
// The JUnit XML report, in the dialect CI systems read (Jenkins, GitLab, GitHub actions):
// <testsuites> holding one <testsuite> per area (the id's prefix), one <testcase> per
// scenario. A failed MUST scenario is a <failure>; a skipped one is <skipped>; non-strict
// and informational verdicts pass, with their findings in <system-out> and a `verdict`
// property. The root seed and each scenario's seed are properties, so a CI failure can be
// replayed. Times are wall seconds with millisecond precision.
#include <string>
#include <string_view>

#include "harness/run_result.hpp"

namespace pushsim::reports {

// Text escaped for XML 1.0 content and attributes: & < > " ' as entities, characters XML
// cannot carry at all (controls other than tab, CR, LF) as U+FFFD.
std::string xml_escape(std::string_view text);

std::string junit_report(const harness::RunResult& run);

}  // namespace pushsim::reports
