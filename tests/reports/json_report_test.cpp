#include <catch2/catch.hpp>

#include "report_fixture.hpp"
#include "reports/json_report.hpp"

namespace pushsim::reports {
namespace {

TEST_CASE("The JSON report matches its golden file", "[reports][json]") {
  test::check_golden("report.json", json_report(test::sample_run()));
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
