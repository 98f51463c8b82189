// Fuzz target: reading a JSON run report for `pushsim compare` (reports/compare_report.*), and
// the matrix and pages made from it, on arbitrary text.
// Properties: no crash and no exception; a report or an error naming the file; a report's ids
// are distinct and non-empty; the report compared with itself has no difference, and with an
// empty report every scenario differs; neither page lets the report's text become markup.
#include "fuzz/fuzz_support.hpp"
#include "reports/compare_report.hpp"

using namespace pushsim;
using namespace pushsim::fuzz;
using namespace pushsim::reports;

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  auto outcome = parse_compared_report(as_text(data, size), "fuzz.json");
  if (const auto* error = std::get_if<std::string>(&outcome)) {
    check(error->starts_with("fuzz.json:"), "an error that does not name the file", *error);
    return 0;
  }
  const auto& report = std::get<ComparedReport>(outcome);
  for (const auto& s : report.scenarios) check(!s.id.empty() && !s.verdict.empty(), "an empty id or verdict", s.id);

  const auto same = compare_reports({report, report});
  check(same.differing == 0, "a report differs from itself");
  check(same.rows.size() == report.scenarios.size(), "rows are not one per scenario (a duplicate id)");
  ComparedReport empty;
  empty.file = "empty.json";
  const auto against_empty = compare_reports({report, empty});
  check(against_empty.differing == report.scenarios.size(), "a scenario missing from one report does not differ");

  const std::string html = compare_html(against_empty, {true});
  check(html.find("<script") == std::string::npos, "the page has a script element");
  const std::string md = compare_markdown(against_empty, {true});
  // Each row of the matrix keeps its cells: "| id | level | verdict | — | name |".
  std::size_t rows = 0;
  for (const auto line : split(md, '\n')) {
    if (!line.starts_with("| ") || line.starts_with("| scenario |") || line.find(" \xE2\x80\x94 |") == line.npos) {
      continue;
    }
    std::size_t bars = 0;
    for (std::size_t i = 0; i < line.size(); ++i) bars += line[i] == '|' && (i == 0 || line[i - 1] != '\\') ? 1 : 0;
    check(bars == 6, "a row whose cells a report's text changed", line);
    ++rows;
  }
  check(rows >= report.scenarios.size(), "a scenario missing from the Markdown matrix");
  return 0;
}
