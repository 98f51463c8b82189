// A run whose live target went away: the finding and the not-run verdict in every report writer.
#include <catch2/catch.hpp>

#include "report_fixture.hpp"
#include "reports/console_report.hpp"
#include "reports/html_report.hpp"
#include "reports/json_report.hpp"
#include "reports/junit_report.hpp"

namespace pushsim::reports {
namespace {

using harness::Verdict;

// sample_run() with its failure (presence.3) as the scenario the server went away during and
// one scenario after it not run.
harness::RunResult target_down_run() {
  auto run = test::sample_run();
  run.target = "ws://127.0.0.1:6001";
  harness::ScenarioResult later = run.scenarios[0];
  later.id = "public.9";
  later.name = "a scenario after the crash";
  later.verdict = Verdict::kNotRun;
  later.skip_reason = "target down: the server went away during scenario presence.3: TCP connect: refused";
  later.steps.clear();
  later.trace.clear();
  run.scenarios.push_back(later);
  harness::TargetDownFinding finding;
  finding.scenario = "presence.3";
  finding.reason = "TCP connect: refused";
  finding.last_sent = {"+0.010s alice send {\"event\":\"pusher:subscribe\",\"data\":{\"channel\":\"<x>\"}}"};
  run.target_down = finding;
  return run;
}

TEST_CASE("Console: the finding once, before the totals, and NOT RUN lines with the reason", "[reports][health]") {
  const std::string report = console_report(target_down_run(), ConsoleStyle{false, false});
  CHECK(report.find("NOT RUN   public.9") != std::string::npos);
  CHECK(report.find("    target down: the server went away during scenario presence.3") != std::string::npos);
  const auto finding = report.find("\nthe server went away during scenario presence.3: TCP connect: refused\n");
  REQUIRE(finding != std::string::npos);
  CHECK(report.find("the server went away during scenario presence.3: TCP", finding + 2) == std::string::npos);
  CHECK(report.find("  what pushsim last sent it:\n    +0.010s alice send") != std::string::npos);
  CHECK(report.find("  1 scenarios not run (exit code 3)\n") != std::string::npos);
  CHECK(report.find(", 1 not run (target") != std::string::npos);
}

TEST_CASE("Console: a run without the finding says nothing of not-run", "[reports][health]") {
  const std::string report = console_report(test::sample_run(), ConsoleStyle{false, false});
  CHECK(report.find("not run") == std::string::npos);
  CHECK(report.find("went away") == std::string::npos);
}

TEST_CASE("JSON: target_down, the not-run count and exit code 3", "[reports][health]") {
  const auto json = nlohmann::json::parse(json_report(target_down_run()));
  CHECK(json["summary"]["not-run"] == 1);
  CHECK(json["summary"]["exit_code"] == 3);
  CHECK(json["target_down"]["scenario"] == "presence.3");
  CHECK(json["target_down"]["when"] == "during");
  CHECK(json["target_down"]["reason"] == "TCP connect: refused");
  CHECK(json["target_down"]["last_sent"].size() == 1);
  CHECK(json["scenarios"][5]["verdict"] == "not-run");
  CHECK_FALSE(nlohmann::json::parse(json_report(test::sample_run())).contains("target_down"));
}

TEST_CASE("JUnit: an error on the scenario it went away during, a skip for each not run", "[reports][health]") {
  const std::string xml = junit_report(target_down_run());
  CHECK(xml.find("<error type=\"target-down\" message=\"the server went away during scenario presence.3: TCP "
                 "connect: refused\">") != std::string::npos);
  CHECK(xml.find("<skipped message=\"target down: the server went away during scenario presence.3") !=
        std::string::npos);
  CHECK(xml.find("<testsuites name=\"pushsim\" tests=\"6\" failures=\"1\" errors=\"1\" skipped=\"2\"") !=
        std::string::npos);
}

TEST_CASE("HTML: a box with the finding, a not-run count only when there is one", "[reports][health]") {
  const std::string page = html_report(target_down_run(), {"0.1.0", "now"});
  CHECK(page.find("<div class=\"target-down\"><p><b>the server went away during scenario presence.3: TCP connect: "
                  "refused</b> (<a href=\"#s-presence.3\">presence.3</a>); 1 scenarios not run.</p>") !=
        std::string::npos);
  CHECK(page.find("&quot;channel&quot;:&quot;&lt;x&gt;&quot;") != std::string::npos);  // escaped
  CHECK(page.find("<span class=\"v-not-run\">1 not-run</span>") != std::string::npos);
  CHECK(page.find("<tr class=\"v-not-run\">") != std::string::npos);
  CHECK(html_report(test::sample_run(), {"0.1.0", "now"}).find("not-run</span>") == std::string::npos);
}

}  // namespace
}  // namespace pushsim::reports
