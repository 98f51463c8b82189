// The profile verdicts (known deviation, unexpected pass) in every report writer.
#include <catch2/catch.hpp>

#include "report_fixture.hpp"
#include "reports/console_report.hpp"
#include "reports/html_report.hpp"
#include "reports/json_report.hpp"
#include "reports/junit_report.hpp"

namespace pushsim::reports {
namespace {

using harness::Verdict;

TEST_CASE("Profiled runs match their golden files", "[reports][profile]") {
  const auto run = test::profiled_run();
  test::check_golden("console_profile.txt", console_report(run, ConsoleStyle{false, true}));
  test::check_golden("junit_profile.xml", junit_report(run));
  test::check_golden("report_profile.json", json_report(run));
  test::check_golden("report_profile.html", html_report(run, {"0.1.0", "2026-11-28 00:00:00 UTC"}));
}

TEST_CASE("The console names the profile and explains both verdicts", "[reports][profile][console]") {
  const auto run = test::profiled_run();
  const std::string report = console_report(run, ConsoleStyle{false, false});
  CHECK(report.starts_with("pushsim run: 7 scenarios, target ws://127.0.0.1:6001, profile soketi, seed 42\n"));
  CHECK(report.find("DEVIATION connection.51") != std::string::npos);
  CHECK(report.find("    known deviation: activity_timeout is 30 <not 120> (https://github.com/") != std::string::npos);
  CHECK(report.find("XPASS     rest.6") != std::string::npos);
  CHECK(report.find("    unexpected pass: the profile lists a deviation here") != std::string::npos);
  CHECK(report.find("1 known deviations, 1 unexpected passes (target ws://127.0.0.1:6001, profile soketi") !=
        std::string::npos);
  // Without a profile the summary keeps its old shape.
  CHECK(console_summary(test::sample_run(), ConsoleStyle{false, false}).find("deviation") == std::string::npos);
}

TEST_CASE("JUnit: a known deviation is a skip that says why, never a failure", "[reports][profile][junit]") {
  const std::string xml = junit_report(test::profiled_run());
  CHECK(xml.find("<skipped message=\"known deviation: activity_timeout is 30 &lt;not 120&gt; (https://") !=
        std::string::npos);
  CHECK(xml.find("unexpected pass: the profile lists a deviation here") != std::string::npos);
  CHECK(xml.find("<testsuites name=\"pushsim\" tests=\"7\" failures=\"1\" errors=\"0\" skipped=\"2\"") !=
        std::string::npos);
  CHECK(xml.find("<property name=\"profile\" value=\"soketi\"/>") != std::string::npos);
}

TEST_CASE("JSON carries the profile, each deviation note and the new counts", "[reports][profile][json]") {
  const auto json = nlohmann::json::parse(json_report(test::profiled_run()));
  CHECK(json["profile"] == "soketi");
  CHECK(json["summary"]["known-deviation"] == 1);
  CHECK(json["summary"]["unexpected-pass"] == 1);
  CHECK(json["summary"]["exit_code"] == 1);  // presence.3 still fails
  CHECK(json["scenarios"][5]["verdict"] == "known-deviation");
  CHECK(json["scenarios"][5]["deviation"]["reason"] == "activity_timeout is 30 <not 120>");
  CHECK(json["scenarios"][6]["verdict"] == "unexpected-pass");
  CHECK_FALSE(json["scenarios"][0].contains("deviation"));
}

TEST_CASE("HTML links only web links, and details known deviations like failures", "[reports][profile][html]") {
  const std::string page = html_report(test::profiled_run(), {"0.1.0", "now"});
  CHECK(page.find("<a href=\"https://github.com/soketi/soketi/blob/057530e/src/ws-handler.ts\">") != std::string::npos);
  CHECK(page.find("href=\"javascript:") == std::string::npos);
  CHECK(page.find("id=\"s-connection.51\"") != std::string::npos);
  CHECK(page.find("id=\"s-rest.6\"") == std::string::npos);
  CHECK(page.find("profile <b>soketi</b>") != std::string::npos);
  CHECK(page.find("1 known-deviation") != std::string::npos);
  CHECK(test::sample_run().profile.empty());
  CHECK(html_report(test::sample_run(), {"0.1.0", "now"}).find("known-deviation</span>") == std::string::npos);
}

}  // namespace
}  // namespace pushsim::reports
