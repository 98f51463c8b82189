// compare_html: the comparison as one self-contained page (compare_report.hpp), in the
// colours of the run report (html_report.cpp).
#include "reports/compare_report.hpp"
#include "reports/html_report.hpp"

namespace pushsim::reports {
namespace compare_html_page {
namespace {

constexpr std::string_view kCompareStyle = R"(body{font-family:sans-serif;margin:1.5em;color:#222}
h1{font-size:1.5em;margin-bottom:.2em}
h2{font-size:1.2em;margin-top:1.5em}
.meta{color:#555;margin-top:0}
ol.reports li{margin:.2em 0}
p.warning{background:#fff8e1;border-left:4px solid #f9a825;padding:.4em .6em}
table.matrix{border-collapse:collapse;margin:1em 0}
table.matrix th,table.matrix td{border:1px solid #ccc;padding:.2em .6em;text-align:left;vertical-align:top}
table.matrix th{background:#eef2f7;font-weight:normal}
table.matrix th.report{font-size:.9em}
table.matrix td.count{text-align:right;font-variant-numeric:tabular-nums}
table.matrix td.verdict{font-weight:bold;text-align:center;white-space:nowrap}
td.id{white-space:nowrap}
.v-pass{color:#1b5e20;background:#e8f5e9}.v-fail{color:#b71c1c;background:#ffebee}
.v-non-strict{color:#e65100;background:#fff3e0}.v-informational{color:#0d47a1}
.v-skipped{color:#757575}.v-known-deviation{color:#6a1b9a;background:#f3e5f5}
.v-unexpected-pass{color:#827717;background:#f9fbe7}.v-absent{color:#9e9e9e;font-weight:normal}
td.verdict.v-other{color:#4e342e;background:#efebe9}
.note{color:#555;font-style:italic})";

std::string esc(std::string_view text) { return html_escape(text); }

// The verdicts the page has colours for; any other verdict string gets the neutral v-other.
bool styled(std::string_view verdict) {
  for (std::string_view known :
       {"pass", "fail", "non-strict", "informational", "skipped", "known-deviation", "unexpected-pass"}) {
    if (verdict == known) return true;
  }
  return false;
}

std::string cell_class(const std::optional<std::string>& verdict) {
  if (!verdict) return "verdict v-absent";
  return styled(*verdict) ? "verdict v-" + *verdict : std::string("verdict v-other");
}

// A column heading: the label's parts (compare_report.hpp's column_label) one per line.
std::string heading(const ComparedReport& r) {
  std::string out = "<th class=\"report\">" + esc(r.target);
  if (!r.profile.empty()) out += "<br>profile " + esc(r.profile);
  if (!r.version.empty()) out += "<br>pushsim " + esc(r.version);
  if (!r.suite_fingerprint.empty()) out += "<br>suite " + esc(r.suite_fingerprint.substr(0, 12));
  return out + "<br><b>" + esc(r.file) + "</b></th>";
}

std::string legend(const Comparison& c) {
  std::string out = "<ol class=\"reports\">\n";
  for (const auto& r : c.reports) {
    out += "<li><b>" + esc(r.file) + "</b>: target <b>" + esc(r.target) + "</b>";
    if (!r.profile.empty()) out += " \xC2\xB7 profile <b>" + esc(r.profile) + "</b>";
    if (!r.root_seed.empty()) out += " \xC2\xB7 seed " + esc(r.root_seed);
    if (!r.version.empty()) out += " \xC2\xB7 pushsim " + esc(r.version);
    if (!r.suite_fingerprint.empty()) out += " \xC2\xB7 suite " + esc(r.suite_fingerprint);
    out += " \xC2\xB7 " + std::to_string(r.scenarios.size()) + " scenarios</li>\n";
  }
  return out + "</ol>\n";
}

std::string summary(const Comparison& c) {
  std::string out = "<table class=\"matrix summary\">\n<thead><tr><th>verdict</th>";
  for (const auto& r : c.reports) out += heading(r);
  out += "</tr></thead>\n<tbody>\n<tr><td>scenarios</td>";
  for (const auto& r : c.reports) out += "<td class=\"count\">" + std::to_string(r.scenarios.size()) + "</td>";
  out += "</tr>\n";
  for (const auto& line : c.summary) {
    const bool absent = line.verdict == kAbsentVerdict;
    const std::string cls = absent ? "v-absent" : (styled(line.verdict) ? "v-" + line.verdict : "v-other");
    out += "<tr><td class=\"" + cls + "\">" + esc(line.verdict) + (absent ? " (absent)" : "") + "</td>";
    for (std::size_t n : line.counts) out += "<td class=\"count\">" + std::to_string(n) + "</td>";
    out += "</tr>\n";
  }
  return out + "</tbody>\n</table>\n";
}

std::string rows(const Comparison& c, std::size_t from, std::size_t to, const std::string& cls) {
  std::string out = "<table class=\"matrix " + cls + "\">\n<thead><tr><th>scenario</th><th>level</th>";
  for (const auto& r : c.reports) out += heading(r);
  out += "<th>name</th></tr></thead>\n<tbody>\n";
  for (std::size_t i = from; i < to; ++i) {
    const CompareRow& row = c.rows[i];
    out += "<tr><td class=\"id\">" + esc(row.id) + "</td><td>" + esc(row.level) + "</td>";
    for (const auto& v : row.verdicts) {
      out += "<td class=\"" + cell_class(v) + "\">" + esc(v ? *v : std::string(kAbsentVerdict)) + "</td>";
    }
    out += "<td>" + esc(row.name) + "</td></tr>\n";
  }
  return out + "</tbody>\n</table>\n";
}

}  // namespace
}  // namespace compare_html_page

std::string compare_html(const Comparison& c, const CompareOptions& options) {
  using namespace compare_html_page;
  const std::size_t total = c.rows.size();
  const std::size_t same = total - c.differing;
  const std::string counts = std::to_string(c.reports.size()) + " reports \xC2\xB7 " + std::to_string(total) +
                             " scenarios \xC2\xB7 " + std::to_string(c.differing) + " differ";
  std::string out =
      "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n<title>pushsim compare: " + esc(counts) +
      "</title>\n<style>\n" + std::string(kCompareStyle) +
      "\n</style>\n</head>\n<body>\n<h1>pushsim compare</h1>\n<p class=\"meta\">" + esc(counts) + "</p>\n" + legend(c);
  for (const auto& warning : c.warnings) out += "<p class=\"warning\"><b>warning:</b> " + esc(warning) + "</p>\n";
  out += "<h2>Summary</h2>\n" + summary(c);
  out += "<h2>Differences (" + std::to_string(c.differing) + " of " + std::to_string(total) + " scenarios)</h2>\n";
  out += c.differing == 0 ? std::string("<p class=\"note\">Every scenario has the same verdict in every report.</p>\n")
                          : rows(c, 0, c.differing, "differences");
  out += "<h2>Same verdict in every report (" + std::to_string(same) + " scenarios)</h2>\n";
  if (same == 0) {
    out += "<p class=\"note\">None.</p>\n";
  } else if (!options.all_rows) {
    out += "<p class=\"note\">" + std::to_string(same) + " rows not shown (--all lists them).</p>\n";
  } else {
    out += rows(c, c.differing, total, "same");
  }
  return out + "</body>\n</html>\n";
}

}  // namespace pushsim::reports
