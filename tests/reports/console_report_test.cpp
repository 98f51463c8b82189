#include <catch2/catch.hpp>

#include "report_fixture.hpp"
#include "reports/console_report.hpp"

namespace pushsim::reports {
namespace {

TEST_CASE("The console report matches its golden file", "[reports][console]") {
  test::check_golden("console.txt", console_report(test::sample_run(), ConsoleStyle{false, true}));
}

TEST_CASE("The console report colours verdicts only when asked", "[reports][console]") {
  const auto run = test::sample_run();
  CHECK(console_report(run, ConsoleStyle{false, true}).find('\x1b') == std::string::npos);
  const std::string coloured = console_scenario(run.scenarios[1], ConsoleStyle{true, false});
  CHECK(coloured.starts_with("\x1b[31mFAIL     \x1b[0m presence.3"));
}

TEST_CASE("The progress line counts and rounds down", "[reports][console]") {
  CHECK(console_progress(1, 3) == "[1/3] 33%");
  CHECK(console_progress(0, 0) == "[0/0] 100%");
}

}  // namespace
}  // namespace pushsim::reports
