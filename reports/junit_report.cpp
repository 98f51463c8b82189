#include "reports/junit_report.hpp"

#include <map>

namespace pushsim::reports {
namespace {

using harness::ScenarioResult;
using harness::Verdict;

std::string seconds_text(std::int64_t ns) {
  const std::int64_t ms = ns / 1'000'000;
  return std::to_string(ms / 1000) + "." + std::to_string(ms % 1000 + 1000).substr(1);
}

std::string area_of(const std::string& id) {
  const auto dot = id.find('.');
  return dot == std::string::npos ? id : id.substr(0, dot);
}

std::string property(std::string_view name, std::string_view value) {
  return "<property name=\"" + xml_escape(name) + "\" value=\"" + xml_escape(value) + "\"/>";
}

// Which pushsim ran which suite, when the run says.
std::string provenance_properties(const harness::RunResult& run) {
  std::string out;
  if (!run.pushsim_version.empty()) out += property("pushsim_version", run.pushsim_version);
  if (!run.pushsim_commit.empty()) out += property("pushsim_commit", run.pushsim_commit);
  if (!run.suite_fingerprint.empty()) out += property("suite_fingerprint", run.suite_fingerprint);
  return out;
}

std::string joined(const std::vector<std::string>& lines) {
  std::string out;
  for (const auto& line : lines) out += (out.empty() ? "" : "\n") + line;
  return out;
}

std::string first_line(const std::string& text) { return text.substr(0, text.find('\n')); }

// The target-down finding, as an error of the scenario it happened during.
std::string target_down_error(const harness::TargetDownFinding& finding) {
  std::string text = finding.headline();
  if (!finding.last_sent.empty()) text += "\nwhat pushsim last sent it:\n" + joined(finding.last_sent);
  return "      <error type=\"target-down\" message=\"" + xml_escape(finding.headline()) + "\">" + xml_escape(text) +
         "</error>\n";
}

std::string testcase(const ScenarioResult& r, const std::optional<harness::TargetDownFinding>& down) {
  std::string out = "    <testcase classname=\"pushsim." + xml_escape(area_of(r.id)) + "\" name=\"" +
                    xml_escape(r.id + ": " + r.name) + "\" file=\"" + xml_escape(r.file) + "\" time=\"" +
                    seconds_text(r.wall_ns) + "\">\n";
  out += "      <properties>" + property("seed", std::to_string(r.seed)) +
         property("level", harness::to_string(r.level)) + property("section", r.section) +
         property("verdict", harness::to_string(r.verdict)) + "</properties>\n";
  const std::string findings = joined(r.failures);
  const harness::DeviationNote note = r.deviation.value_or(harness::DeviationNote{});
  if (r.verdict == Verdict::kKnownDeviation) {
    // JUnit has no expected failure; like pytest's xfail it is a skip that says why.
    out +=
        "      <skipped message=\"" + xml_escape("known deviation: " + note.reason + " (" + note.link + ")") + "\"/>\n";
    if (!findings.empty()) out += "      <system-out>" + xml_escape(findings) + "</system-out>\n";
  } else if (r.verdict == Verdict::kUnexpectedPass) {
    out += "      <system-out>" +
           xml_escape("unexpected pass: the profile lists a deviation here (" + note.reason + "; " + note.link + ")") +
           "</system-out>\n";
  } else if (r.verdict == Verdict::kFail) {
    out += "      <failure type=\"fail\" message=\"" + xml_escape(first_line(findings)) + "\">" + xml_escape(findings) +
           "</failure>\n";
  } else if (r.verdict == Verdict::kSkipped || r.verdict == Verdict::kNotRun) {
    out += "      <skipped message=\"" + xml_escape(r.skip_reason) + "\"/>\n";
  } else if (!findings.empty()) {
    out += "      <system-out>" + xml_escape(std::string(harness::to_string(r.verdict)) + ": " + findings) +
           "</system-out>\n";
  }
  if (down && down->scenario == r.id) out += target_down_error(*down);
  return out + "    </testcase>\n";
}

struct Totals {
  std::size_t tests = 0, failures = 0, errors = 0, skipped = 0;
  std::int64_t wall_ns = 0;
  void add(const ScenarioResult& r, const std::optional<harness::TargetDownFinding>& down) {
    ++tests;
    failures += r.verdict == Verdict::kFail ? 1 : 0;
    errors += down && down->scenario == r.id ? 1 : 0;
    skipped += r.verdict == Verdict::kSkipped || r.verdict == Verdict::kKnownDeviation || r.verdict == Verdict::kNotRun
                   ? 1
                   : 0;
    wall_ns += r.wall_ns;
  }
  std::string attributes() const {
    return "tests=\"" + std::to_string(tests) + "\" failures=\"" + std::to_string(failures) + "\" errors=\"" +
           std::to_string(errors) + "\" skipped=\"" + std::to_string(skipped) + "\" time=\"" + seconds_text(wall_ns) +
           "\"";
  }
};

}  // namespace

std::string xml_escape(std::string_view text) {
  std::string out;
  out.reserve(text.size());
  for (char c : text) {
    const auto byte = static_cast<unsigned char>(c);
    switch (c) {
      case '&': out += "&amp;"; break;
      case '<': out += "&lt;"; break;
      case '>': out += "&gt;"; break;
      case '"': out += "&quot;"; break;
      case '\'': out += "&apos;"; break;
      default:
        if (byte < 0x20 && c != '\t' && c != '\n' && c != '\r') {
          out += "\xEF\xBF\xBD";
        } else {
          out += c;
        }
    }
  }
  return out;
}

std::string junit_report(const harness::RunResult& run) {
  // Suites by area, in order of first appearance so that the file follows the suite order.
  std::vector<std::string> areas;
  std::map<std::string, std::vector<const ScenarioResult*>> by_area;
  Totals all;
  for (const auto& r : run.scenarios) {
    const std::string area = area_of(r.id);
    if (by_area.count(area) == 0) areas.push_back(area);
    by_area[area].push_back(&r);
    all.add(r, run.target_down);
  }
  std::string out = "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n";
  out += "<testsuites name=\"pushsim\" " + all.attributes() + ">\n";
  for (const auto& area : areas) {
    Totals totals;
    for (const auto* r : by_area[area]) totals.add(*r, run.target_down);
    out += "  <testsuite name=\"pushsim." + xml_escape(area) + "\" " + totals.attributes() + ">\n";
    out += "    <properties>" + property("target", run.target) +
           (run.profile.empty() ? "" : property("profile", run.profile)) +
           property("seed", std::to_string(run.root_seed)) + provenance_properties(run) + "</properties>\n";
    for (const auto* r : by_area[area]) out += testcase(*r, run.target_down);
    out += "  </testsuite>\n";
  }
  return out + "</testsuites>\n";
}

}  // namespace pushsim::reports
