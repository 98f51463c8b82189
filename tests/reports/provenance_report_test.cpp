// Which pushsim ran which suite (version, commit, suite fingerprint) in every report writer, so
// that two reports say whether they are comparable; absent when the run does not say.
#include <catch2/catch.hpp>

#include "report_fixture.hpp"
#include "reports/console_report.hpp"
#include "reports/html_report.hpp"
#include "reports/json_report.hpp"
#include "reports/junit_report.hpp"

namespace pushsim::reports {
namespace {

constexpr const char* kFingerprint = "sha256:2c1dd7c8eb4c5aa8c027beeb5ffcf0c4463d0735fc81f0c1c63338b935bae5c6";

harness::RunResult run_with_provenance() {
  auto run = test::sample_run();
  run.pushsim_version = "0.1.0";
  run.pushsim_commit = "5fc525de5142";
  run.suite_fingerprint = kFingerprint;
  return run;
}

bool contains(const std::string& text, const std::string& needle) { return text.find(needle) != std::string::npos; }

TEST_CASE("The console header's second line names the version, the commit and the suite", "[reports][provenance]") {
  CHECK(console_provenance("0.1.0", "5fc525de5142", kFingerprint, "/usr/share/pushsim/scenarios") ==
        std::string("pushsim 0.1.0 (commit 5fc525de5142), suite ") + kFingerprint +
            " (/usr/share/pushsim/scenarios)\n");
  const std::string report = console_report(run_with_provenance(), ConsoleStyle{false, false});
  CHECK(report.starts_with(std::string("pushsim run: 5 scenarios, target sim, seed 42\npushsim 0.1.0 (commit "
                                       "5fc525de5142), suite ") +
                           kFingerprint + "\n"));
  CHECK_FALSE(contains(console_report(test::sample_run(), ConsoleStyle{false, false}), "suite sha256:"));
}

TEST_CASE("The JSON report carries the version, the commit and the fingerprint", "[reports][provenance][json]") {
  const auto json = nlohmann::json::parse(json_report(run_with_provenance()));
  CHECK(json["pushsim_version"] == "0.1.0");
  CHECK(json["pushsim_commit"] == "5fc525de5142");
  CHECK(json["suite_fingerprint"] == kFingerprint);
  const auto without = nlohmann::json::parse(json_report(test::sample_run()));
  CHECK_FALSE(without.contains("pushsim_version"));
  CHECK_FALSE(without.contains("suite_fingerprint"));
}

TEST_CASE("Each JUnit suite's properties carry them", "[reports][provenance][junit]") {
  const std::string xml = junit_report(run_with_provenance());
  const std::string properties = std::string("<property name=\"pushsim_version\" value=\"0.1.0\"/>") +
                                 "<property name=\"pushsim_commit\" value=\"5fc525de5142\"/>" +
                                 "<property name=\"suite_fingerprint\" value=\"" + kFingerprint + "\"/>";
  std::size_t suites = 0;
  for (auto pos = xml.find("<testsuite "); pos != std::string::npos; pos = xml.find("<testsuite ", pos + 1)) ++suites;
  std::size_t with_properties = 0;
  for (auto pos = xml.find(properties); pos != std::string::npos; pos = xml.find(properties, pos + 1)) {
    ++with_properties;
  }
  CHECK(suites > 1);
  CHECK(with_properties == suites);
  CHECK_FALSE(contains(junit_report(test::sample_run()), "suite_fingerprint"));
}

TEST_CASE("The HTML header shows the commit and the fingerprint, escaped", "[reports][provenance][html]") {
  auto run = run_with_provenance();
  run.pushsim_commit = "5fc525de5142<x>";
  const std::string page = html_report(run, {"0.1.0", "now"});
  CHECK(contains(page, "pushsim 0.1.0 (commit 5fc525de5142&lt;x&gt;)"));
  CHECK(contains(page, std::string("suite <code>") + kFingerprint + "</code>"));
  CHECK_FALSE(contains(html_report(test::sample_run(), {"0.1.0", "now"}), "suite <code>"));
}

}  // namespace
}  // namespace pushsim::reports
