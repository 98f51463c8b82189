#include <catch2/catch.hpp>

#include "report_fixture.hpp"
#include "reports/junit_report.hpp"

namespace pushsim::reports {
namespace {

TEST_CASE("The JUnit report matches its golden file", "[reports][junit]") {
  test::check_golden("junit.xml", junit_report(test::sample_run()));
}

TEST_CASE("XML escaping covers markup, quotes and characters XML cannot carry", "[reports][junit]") {
  CHECK(xml_escape("a<b>&\"c'") == "a&lt;b&gt;&amp;&quot;c&apos;");
  CHECK(xml_escape(std::string("x\x01y\tz\n", 6)) == "x\xEF\xBF\xBDy\tz\n");
}

TEST_CASE("Only MUST failures are JUnit failures; skips are skipped", "[reports][junit]") {
  const std::string xml = junit_report(test::sample_run());
  CHECK(xml.find("<testsuites name=\"pushsim\" tests=\"5\" failures=\"1\" errors=\"0\" skipped=\"1\"") !=
        std::string::npos);
  CHECK(xml.find("<property name=\"seed\" value=\"42\"/>") != std::string::npos);
}

}  // namespace
}  // namespace pushsim::reports
