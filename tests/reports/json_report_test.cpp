#include <catch2/catch.hpp>

#include "report_fixture.hpp"
#include "reports/json_report.hpp"

namespace pushsim::reports {
namespace {

TEST_CASE("The JSON report matches its golden file", "[reports][json]") {
  test::check_golden("report.json", json_report(test::sample_run(), test::sample_protocol()));
}

TEST_CASE("The JSON report links a section by its repository path when the document has it", "[reports][json]") {
  const auto json = json_run(test::sample_run(), test::sample_protocol());
  CHECK(json["scenarios"][1]["section"] == "3.4");
  CHECK(json["scenarios"][1]["section_link"] == "docs/protocol.md#34-presence-semantics");
  CHECK(json["scenarios"][0]["section"] == "7.3");
  CHECK_FALSE(json["scenarios"][0].contains("section_link"));
  CHECK_FALSE(json_run(test::sample_run())["scenarios"][1].contains("section_link"));
}

TEST_CASE("The JSON report keeps 64-bit seeds exact as strings and nests block steps", "[reports][json]") {
  const auto json = json_run(test::sample_run());
  CHECK(json["scenarios"][0]["seed"] == "1234567890123456789");
  CHECK(json["summary"]["fail"] == 1);
  CHECK(json["summary"]["exit_code"] == 1);
  CHECK(json["scenarios"][1]["steps"][2]["children"][0]["outcome"] == "not_run");
}

TEST_CASE("The JSON report survives text that is not UTF-8", "[reports][json]") {
  auto run = test::sample_run();
  run.scenarios[0].trace[0].text = "\xff\xfe";
  CHECK_NOTHROW(json_report(run));
}

}  // namespace
}  // namespace pushsim::reports
