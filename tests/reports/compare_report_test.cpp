// `pushsim compare`'s model and writers (reports/compare_report.hpp). The real reports come from
// running part of the bundled suite against the reference engine and against a broken variant
// of it, written by json_report exactly as `pushsim run --json` writes them.
#include <catch2/catch.hpp>

#include <algorithm>
#include <map>

#include "harness/scenario_loader.hpp"
#include "harness/suite_runner.hpp"
#include "report_fixture.hpp"
#include "reports/compare_report.hpp"
#include "reports/json_report.hpp"

namespace pushsim::reports {
namespace {

using harness::RunResult;

const std::vector<harness::Scenario>& connection_scenarios() {
  static const std::vector<harness::Scenario> scenarios = [] {
    auto loaded = harness::load_suite({pushsim::test::source_root() / "scenarios"});
    REQUIRE(loaded.ok());
    harness::SuiteFilter filter;
    filter.only = {"connection.*"};
    return harness::select_scenarios(*loaded, filter);
  }();
  return scenarios;
}

RunResult run_connection_scenarios(Defects defects, const std::string& target) {
  return harness::run_suite(connection_scenarios(), harness::sim_target_factory(defects), target, {});
}

ComparedReport parsed(const std::string& text, const std::string& file) {
  auto report = parse_compared_report(text, file);
  if (auto* error = std::get_if<std::string>(&report)) FAIL(*error);
  return std::get<ComparedReport>(report);
}

ComparedReport parsed(const RunResult& run, const std::string& file) { return parsed(json_report(run), file); }

std::string error_of(const std::variant<ComparedReport, std::string>& outcome) {
  const auto* error = std::get_if<std::string>(&outcome);
  return error == nullptr ? std::string("(no error)") : *error;
}

// The ids whose verdicts differ between two runs, worked out from the results themselves.
std::vector<std::string> differing_ids(const RunResult& a, const RunResult& b) {
  std::map<std::string, std::string> verdict_in_a;
  for (const auto& s : a.scenarios) verdict_in_a[s.id] = std::string(harness::to_string(s.verdict));
  std::vector<std::string> out;
  for (const auto& s : b.scenarios) {
    if (verdict_in_a.at(s.id) != harness::to_string(s.verdict)) out.push_back(s.id);
  }
  std::sort(out.begin(), out.end(), [](const std::string& x, const std::string& y) { return id_less(x, y); });
  return out;
}

// A report's JSON with some scenarios changed: `edit` gets each scenario object.
template <typename Edit>
std::string edited(const RunResult& run, Edit edit) {
  auto json = json_run(run);
  for (auto& scenario : json["scenarios"]) edit(scenario);
  return json.dump(2);
}

std::size_t count_of(const Comparison& c, const std::string& verdict, std::size_t column) {
  for (const auto& line : c.summary) {
    if (line.verdict == verdict) return line.counts.at(column);
  }
  return 0;
}

TEST_CASE("Comparing the reference with a broken engine lists the scenarios that caught it first",
          "[reports][compare]") {
  const auto reference = run_connection_scenarios({}, "sim");
  const auto broken = run_connection_scenarios(Defects{Defect::kNoPong}, "sim+no-pong");
  const auto expected = differing_ids(reference, broken);
  REQUIRE(!expected.empty());  // no-pong is caught by connection scenarios (pushsim selftest)

  const auto c = compare_reports({parsed(reference, "ref.json"), parsed(broken, "broken.json")});
  REQUIRE(c.differing == expected.size());
  REQUIRE(c.rows.size() == reference.scenarios.size());
  for (std::size_t i = 0; i < expected.size(); ++i) {
    CHECK(c.rows[i].id == expected[i]);
    CHECK(c.rows[i].differs);
  }
  for (std::size_t i = c.differing; i < c.rows.size(); ++i) {
    CHECK_FALSE(c.rows[i].differs);
    CHECK(c.rows[i].verdicts[0] == c.rows[i].verdicts[1]);
    if (i > c.differing) CHECK(id_less(c.rows[i - 1].id, c.rows[i].id));
  }
  for (harness::Verdict v : harness::kAllVerdicts) {
    const std::string name(harness::to_string(v));
    CHECK(count_of(c, name, 0) == reference.count(v));
    CHECK(count_of(c, name, 1) == broken.count(v));
  }
  CHECK(c.warnings.empty());

  const std::string md = compare_markdown(c, {});
  const auto differences = md.find("## Differences (" + std::to_string(expected.size()) + " of " +
                                   std::to_string(reference.scenarios.size()) + " scenarios)");
  const auto same = md.find("## Same verdict in every report");
  REQUIRE(differences != std::string::npos);
  REQUIRE(same != std::string::npos);
  const auto first_row = md.find("| " + expected.front() + " | ");
  CHECK(differences < first_row);
  CHECK(first_row < same);
  CHECK(md.find("| sim+no-pong \xC2\xB7 broken.json |") != std::string::npos);
  // Without --all the agreeing rows are a count; with it they follow, after the differences.
  const std::string agreeing = c.rows.back().id;
  CHECK(md.find("| " + agreeing + " | ") == std::string::npos);
  const std::string all = compare_markdown(c, {true});
  CHECK(all.find("| " + agreeing + " | ") > all.find("## Same verdict in every report"));
}

TEST_CASE("The same run twice has no differences, and one changed verdict is one", "[reports][compare]") {
  const auto reference = run_connection_scenarios({}, "sim");
  const auto same = compare_reports({parsed(reference, "a.json"), parsed(reference, "b.json")});
  CHECK(same.differing == 0);
  CHECK(compare_markdown(same, {}).find("Every scenario has the same verdict in every report.") != std::string::npos);

  const auto passed = std::find_if(reference.scenarios.rbegin(), reference.scenarios.rend(),
                                   [](const auto& r) { return r.verdict == harness::Verdict::kPass; });
  REQUIRE(passed != reference.scenarios.rend());
  const std::string changed_id = passed->id;
  const std::string text = edited(reference, [&](auto& s) {
    if (s["id"] == changed_id) s["verdict"] = "fail";
  });
  const auto one = compare_reports({parsed(reference, "a.json"), parsed(text, "b.json")});
  REQUIRE(one.differing == 1);
  CHECK(one.rows.front().id == changed_id);
  CHECK(one.rows.front().verdicts[1] == std::optional<std::string>("fail"));
  CHECK(count_of(one, "fail", 1) == 1);
  CHECK(count_of(one, "pass", 1) == reference.count(harness::Verdict::kPass) - 1);
  CHECK(count_of(one, "pass", 0) == reference.count(harness::Verdict::kPass));
}

TEST_CASE("A scenario one report lacks shows as a dash and makes its row differ", "[reports][compare]") {
  const auto full = json_report(test::sample_run());
  const auto fewer = edited(test::sample_run(), [](auto&) {});
  auto partial = nlohmann::json::parse(fewer);
  partial["scenarios"].erase(partial["scenarios"].begin() + 1);  // presence.3
  const auto c = compare_reports({parsed(full, "full.json"), parsed(partial.dump(), "partial.json")});
  REQUIRE(c.differing == 1);
  CHECK(c.rows[0].id == "presence.3");
  CHECK(c.rows[0].verdicts[1] == std::nullopt);
  CHECK(count_of(c, std::string(kAbsentVerdict), 1) == 1);
  CHECK(count_of(c, std::string(kAbsentVerdict), 0) == 0);
  REQUIRE(c.warnings.size() == 1);
  CHECK(c.warnings[0].find("partial.json lacks 1 of 5") != std::string::npos);
  CHECK(compare_markdown(c, {}).find("| presence.3 | must | fail | \xE2\x80\x94 |") != std::string::npos);
  CHECK(compare_html(c, {}).find("<td class=\"verdict v-absent\">\xE2\x80\x94</td>") != std::string::npos);
}

TEST_CASE("A verdict this build does not know is shown, counted and styled neutrally", "[reports][compare]") {
  const auto down = edited(test::sample_run(), [](auto& s) {
    if (s["id"] != "public.1") s["verdict"] = "not run: target down";
  });
  const auto c = compare_reports({parsed(json_report(test::sample_run()), "a.json"), parsed(down, "b.json")});
  CHECK(c.differing == 4);
  CHECK(count_of(c, "not run: target down", 1) == 4);
  CHECK(c.summary.back().verdict == "not run: target down");  // after the known verdicts
  CHECK(compare_markdown(c, {}).find("| fail | not run: target down |") != std::string::npos);
  CHECK(compare_html(c, {}).find("<td class=\"verdict v-other\">not run: target down</td>") != std::string::npos);
}

TEST_CASE("The pushsim version and suite fingerprint head the columns, and different suites are warned of",
          "[reports][compare]") {
  auto with = [](const std::string& version, const std::string& fingerprint) {
    auto json = json_run(test::sample_run());
    json["pushsim_version"] = version;
    json["suite"] = {{"fingerprint", fingerprint}};
    return json.dump();
  };
  const auto same_suite = compare_reports(
      {parsed(with("0.1.0", "abcdef0123456789"), "a.json"), parsed(with("0.1.0", "abcdef0123456789"), "b.json")});
  CHECK(same_suite.warnings.empty());
  CHECK(column_label(same_suite.reports[0]) ==
        "sim \xC2\xB7 pushsim 0.1.0 \xC2\xB7 suite abcdef012345 \xC2\xB7 a.json");
  CHECK(compare_html(same_suite, {}).find("<br>suite abcdef012345<br><b>a.json</b></th>") != std::string::npos);

  const auto other_suite =
      compare_reports({parsed(with("0.1.0", "abcdef0123456789"), "a.json"), parsed(with("0.2.0", "99999"), "b.json")});
  REQUIRE(other_suite.warnings.size() == 2);
  CHECK(other_suite.warnings[0] ==
        "the reports ran different suites (suite fingerprints a.json abcdef0123456789, "
        "b.json 99999)");
  CHECK(other_suite.warnings[1] ==
        "the reports were written by different pushsim versions (a.json 0.1.0, b.json 0.2.0)");
  CHECK(compare_markdown(other_suite, {}).find("> **warning:** the reports ran different suites") != std::string::npos);

  auto flat = json_run(test::sample_run());
  flat["suite_fingerprint"] = "1234";
  CHECK(parsed(flat.dump(), "flat.json").suite_fingerprint == "1234");
  CHECK(parsed(json_report(test::sample_run()), "plain.json").suite_fingerprint.empty());
}

TEST_CASE("Scenario ids sort naturally", "[reports][compare]") {
  CHECK(id_less("presence.2", "presence.10"));
  CHECK_FALSE(id_less("presence.10", "presence.2"));
  CHECK(id_less("cache.9", "client_events.1"));
  CHECK(id_less("a.1", "a.1b"));
  CHECK(id_less("a.01", "a.1"));  // equal numbers: plain order decides, so the order is total
  CHECK_FALSE(id_less("a.1", "a.01"));
  CHECK_FALSE(id_less("a.1", "a.1"));
  CHECK(id_less("races.member-count", "races.stale"));
}

TEST_CASE("Every text from a report is escaped in both formats", "[reports][compare]") {
  const auto hostile = edited(test::sample_run(), [](auto& s) {
    if (s["id"] == "public.1") s["name"] = "<script>alert(1)</script> | *x* [l](u)\nnext";
  });
  auto json = nlohmann::json::parse(hostile);
  json["target"] = "ws://h|<b>";
  const auto c = compare_reports({parsed(json.dump(), "a&b.json"), parsed(json_report(test::sample_run()), "c.json")});
  const std::string md = compare_markdown(c, {true});
  CHECK(md.find("\\<script\\>alert(1)\\</script\\> \\| \\*x\\* \\[l\\](u) next |") != std::string::npos);
  CHECK(md.find("ws://h\\|\\<b\\>") != std::string::npos);
  // Every table row still has one cell per column: unescaped '|' count is the same on each line.
  for (std::size_t at = md.find("| public.1 |"); at != std::string::npos; at = md.find("| public.1 |", at + 1)) {
    const std::string line = md.substr(at, md.find('\n', at) - at);
    std::size_t bars = 0;
    for (std::size_t i = 0; i < line.size(); ++i) bars += line[i] == '|' && (i == 0 || line[i - 1] != '\\') ? 1 : 0;
    CHECK(bars == 6);
  }
  const std::string html = compare_html(c, {true});
  CHECK(html.find("<script>") == std::string::npos);
  CHECK(html.find("&lt;script&gt;alert(1)&lt;/script&gt;") != std::string::npos);
  CHECK(html.find("<b>a&amp;b.json</b>") != std::string::npos);
  CHECK(html.find("ws://h|&lt;b&gt;") != std::string::npos);
}

TEST_CASE("The comparison matches its golden files, byte for byte on every run", "[reports][compare]") {
  // Three runs: the sample, the sample against a profile (two scenarios more), and the sample
  // with a verdict changed and one the target-health check would write.
  const auto changed = edited(test::sample_run(), [](auto& s) {
    if (s["id"] == "webhooks.4") s["verdict"] = "pass";
    if (s["id"] == "public.9") s["verdict"] = "not run: target down";
  });
  auto load = [&] {
    return compare_reports({parsed(json_report(test::sample_run()), "sim.json"),
                            parsed(json_report(test::profiled_run()), "soketi.json"), parsed(changed, "changed.json")});
  };
  const auto c = load();
  test::check_golden("compare.md", compare_markdown(c, {true}));
  test::check_golden("compare.html", compare_html(c, {true}));
  CHECK(compare_markdown(load(), {true}) == compare_markdown(c, {true}));
  CHECK(compare_html(load(), {}) == compare_html(c, {}));
}

std::filesystem::path fixture(const std::string& name) {
  return pushsim::test::source_root() / "tests" / "reports" / "compare_fixture" / name;
}

std::string load_error(const std::string& name) { return error_of(load_compared_report(fixture(name), name)); }

TEST_CASE("A file that is not a pushsim JSON report is refused with its name and what is wrong", "[reports][compare]") {
  CHECK(load_error("missing.json") == "missing.json: cannot read: No such file or directory");
  CHECK(error_of(load_compared_report(fixture(""), "compare_fixture")) ==
        "compare_fixture: cannot read: it is a directory");
  CHECK(load_error("empty.json") ==
        "empty.json: empty, not a pushsim JSON report (`pushsim run --json FILE` writes one)");
  CHECK(load_error("not_json.json").starts_with("not_json.json:4:18: not JSON: syntax error"));
  const std::string not_report = ": not a pushsim JSON report (`pushsim run --json FILE` writes one): ";
  CHECK(load_error("top_array.json") == "top_array.json" + not_report + "the top level is a JSON array, not an object");
  CHECK(load_error("bench_fanout.json") == "bench_fanout.json" + not_report + "no \"report_version\"");
  CHECK(load_error("no_scenarios.json") == "no_scenarios.json" + not_report + "no \"scenarios\" array");
  CHECK(load_error("no_verdict.json") == "no_verdict.json: scenarios[1]: no \"verdict\" string (scenario public.2)");
  CHECK(load_error("duplicate_id.json") ==
        "duplicate_id.json: scenario public.1 is listed twice (scenarios[0] and scenarios[2])");
  CHECK(error_of(parse_compared_report(R"({"report_version": "1", "target": "sim", "scenarios": []})", "v.json")) ==
        "v.json" + not_report + "\"report_version\" is not a positive integer");
  // Found by fuzz_compare_report: the parser throws out_of_range, not parse_error, for this.
  CHECK(error_of(parse_compared_report(R"({"report_version": 1e999})", "n.json")) ==
        "n.json: not JSON: number overflow parsing '1e999'");
  CHECK(error_of(parse_compared_report(R"({"report_version": 1, "scenarios": []})", "t.json")) ==
        "t.json" + not_report + "no \"target\" string");
  CHECK(error_of(parse_compared_report(R"({"report_version": 1, "target": "sim", "scenarios": [{"verdict": "pass"}]})",
                                       "i.json")) == "i.json: scenarios[0]: no \"id\" string");
}

TEST_CASE("Reading a report keeps what the matrix shows", "[reports][compare]") {
  const auto report = parsed(json_report(test::sample_run()), "r.json");
  CHECK(report.target == "sim");
  CHECK(report.root_seed == "42");
  CHECK(report.profile.empty());
  REQUIRE(report.scenarios.size() == 5);
  CHECK(report.scenarios[1].id == "presence.3");
  CHECK(report.scenarios[1].name == "member_added <once> & \"only\" once");
  CHECK(report.scenarios[1].level == "must");
  CHECK(report.scenarios[1].verdict == "fail");
  CHECK(parsed(json_report(test::profiled_run()), "p.json").profile == "soketi");
}

}  // namespace
}  // namespace pushsim::reports
