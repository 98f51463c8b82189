#include "reports/html_report.hpp"

#include "reports/junit_report.hpp"

namespace pushsim::reports {
namespace {

using harness::ScenarioResult;
using harness::StepResult;
using harness::Verdict;

constexpr std::string_view kStyle = R"(body{font-family:sans-serif;margin:1.5em;color:#222}
h1{font-size:1.5em;margin-bottom:.2em}
.meta{color:#555;margin-top:0}
.summary span{display:inline-block;margin-right:1em;font-weight:bold}
table.suite{border-collapse:collapse;margin:1em 0}
table.suite th,table.suite td{border:1px solid #ccc;padding:.2em .6em;text-align:left;vertical-align:top}
table.suite th{background:#eef2f7}
td.time{text-align:right;font-variant-numeric:tabular-nums}
.v-pass{color:#1b5e20}.v-fail{color:#b71c1c}.v-non-strict{color:#e65100}
.v-informational{color:#0d47a1}.v-skipped{color:#757575}
.v-known-deviation{color:#6a1b9a}.v-unexpected-pass{color:#827717}.v-not-run{color:#757575}
td.verdict{font-weight:bold}
tr.v-fail td.verdict{background:#ffebee}tr.v-non-strict td.verdict{background:#fff3e0}
tr.v-pass td.verdict{background:#e8f5e9}tr.v-known-deviation td.verdict{background:#f3e5f5}
tr.v-unexpected-pass td.verdict{background:#f9fbe7}
section.scenario{border-top:2px solid #ccc;margin-top:2em;padding-top:.5em}
pre{background:#f6f6f6;padding:.5em;white-space:pre-wrap;word-break:break-all}
ol.steps li{margin:.1em 0}
.o-failed{color:#b71c1c;font-weight:bold}.o-not_run{color:#9e9e9e}
.diagram{overflow-x:auto;border:1px solid #ddd;background:#fff;padding:.3em}
.note{color:#555;font-style:italic}
.target-down{border:2px solid #b71c1c;background:#ffebee;padding:.5em})";

std::string esc(std::string_view text) { return html_escape(text); }

// The id as an anchor: letters, digits, '.', '-' and '_' kept, anything else '_'.
std::string anchor(const std::string& id) {
  std::string out = "s-";
  for (char c : id) {
    const bool keep =
        (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '.' || c == '-' || c == '_';
    out += keep ? c : '_';
  }
  return out;
}

bool detailed(const ScenarioResult& r) {
  return r.verdict == Verdict::kFail || r.verdict == Verdict::kNonStrict || r.verdict == Verdict::kKnownDeviation;
}

// Whether the page shows a verdict's count: the profile verdicts only when a profile was given,
// not-run only when the target went away.
bool counted(const harness::RunResult& run, Verdict v) {
  if (v == Verdict::kNotRun) return run.count(v) > 0;
  return !run.profile.empty() || (v != Verdict::kKnownDeviation && v != Verdict::kUnexpectedPass);
}

std::string deviation_note(const ScenarioResult& r) {
  if (!r.deviation) return "";
  const std::string what =
      r.verdict == Verdict::kUnexpectedPass ? "listed as a known deviation, yet passed: " : "known deviation: ";
  // Only web links become links: the page stays inert whatever a profile file held.
  const std::string& link = r.deviation->link;
  const bool web = link.starts_with("https://") || link.starts_with("http://");
  const std::string shown = web ? "<a href=\"" + esc(link) + "\">" + esc(link) + "</a>" : esc(link);
  return " <span class=\"note\">(" + esc(what + r.deviation->reason) + "; " + shown + ")</span>";
}

// "§3.4", linked to its heading in the protocol document when the options can say where that is.
std::string section_html(const std::string& section, const HtmlOptions& options) {
  const std::string text = esc("\xC2\xA7" + section);
  if (options.protocol_href.empty()) return text;
  const std::string link = harness::section_link(options.protocol, options.protocol_href, section);
  return link.empty() ? text : "<a href=\"" + esc(link) + "\">" + text + "</a>";
}

std::string verdict_class(Verdict v) { return "v-" + std::string(harness::to_string(v)); }

std::string header(const harness::RunResult& run, const HtmlOptions& options) {
  std::string out =
      "<h1>pushsim report</h1>\n<p class=\"meta\">target <b>" + esc(run.target) + "</b> \xC2\xB7 seed <b>" +
      std::to_string(run.root_seed) + "</b>" +
      (run.profile.empty() ? "" : " \xC2\xB7 profile <b>" + esc(run.profile) + "</b>") + " \xC2\xB7 pushsim " +
      esc(options.version) + (run.pushsim_commit.empty() ? "" : " (commit " + esc(run.pushsim_commit) + ")") +
      (run.suite_fingerprint.empty() ? "" : " \xC2\xB7 suite <code>" + esc(run.suite_fingerprint) + "</code>") +
      " \xC2\xB7 generated " + esc(options.generated_at) + "</p>\n";
  out += "<p class=\"summary\"><span>" + std::to_string(run.scenarios.size()) + " scenarios</span>";
  for (Verdict v : harness::kAllVerdicts) {
    if (!counted(run, v)) continue;
    out += "<span class=\"" + verdict_class(v) + "\">" + std::to_string(run.count(v)) + " " +
           std::string(harness::to_string(v)) + "</span>";
  }
  out += "<span>exit code " + std::to_string(run.exit_code()) + "</span></p>\n";
  if (run.target_down) {
    const auto& finding = *run.target_down;
    out += "<div class=\"target-down\"><p><b>" + esc(finding.headline()) + "</b> (<a href=\"#" +
           anchor(finding.scenario) + "\">" + esc(finding.scenario) + "</a>); " +
           std::to_string(run.count(Verdict::kNotRun)) + " scenarios not run.</p>\n";
    if (!finding.last_sent.empty()) {
      std::string sent;
      for (const auto& line : finding.last_sent) sent += line + "\n";
      out += "<p>What pushsim last sent it:</p>\n<pre>" + esc(sent) + "</pre>\n";
    }
    if (!finding.also_running.empty()) {
      std::string ids;
      for (const auto& id : finding.also_running) ids += (ids.empty() ? "" : ", ") + id;
      out += "<p>Also running then: " + esc(ids) + "</p>\n";
    }
    out += "</div>\n";
  }
  return out;
}

std::string table(const harness::RunResult& run, const HtmlOptions& options) {
  std::string out =
      "<table class=\"suite\">\n<thead><tr><th>id</th><th>level</th><th>section</th><th>verdict</th><th>time (ms)</th>"
      "<th>name</th></tr></thead>\n<tbody>\n";
  for (const auto& r : run.scenarios) {
    const std::string id = detailed(r) ? "<a href=\"#" + anchor(r.id) + "\">" + esc(r.id) + "</a>" : esc(r.id);
    out += "<tr class=\"" + verdict_class(r.verdict) + "\"><td>" + id + "</td><td>" + esc(harness::to_string(r.level)) +
           "</td><td>" + section_html(r.section, options) + "</td><td class=\"verdict\">" +
           esc(harness::to_string(r.verdict)) + "</td><td class=\"time\">" + ms_text(r.duration) + "</td><td>" +
           esc(r.name) + (r.skip_reason.empty() ? "" : " <span class=\"note\">(" + esc(r.skip_reason) + ")</span>") +
           deviation_note(r) + "</td></tr>\n";
  }
  return out + "</tbody>\n</table>\n";
}

void steps_list(const std::vector<StepResult>& steps, std::string& out) {
  out += "<ol class=\"steps\">";
  for (const auto& s : steps) {
    out += "<li class=\"o-" + std::string(harness::to_string(s.outcome)) + "\">" + esc(harness::to_string(s.outcome)) +
           " \xC2\xB7 " + esc(s.where.to_string()) + " \xC2\xB7 " + esc(s.description) + " \xC2\xB7 " +
           ms_text(s.started_at) + "\xE2\x80\x93" + ms_text(s.ended_at) + " ms";
    if (!s.children.empty()) steps_list(s.children, out);
    out += "</li>";
  }
  out += "</ol>\n";
}

std::string details(const ScenarioResult& r, std::size_t index, const HtmlOptions& options) {
  std::string out = "<section class=\"scenario\" id=\"" + anchor(r.id) + "\">\n<h2><span class=\"" +
                    verdict_class(r.verdict) + "\">" + esc(harness::to_string(r.verdict)) + "</span> " + esc(r.id) +
                    ": " + esc(r.name) + "</h2>\n";
  out += "<p class=\"meta\">" + esc(harness::to_string(r.level)) + " \xC2\xB7 " + section_html(r.section, options) +
         " \xC2\xB7 " + esc(r.file) + " \xC2\xB7 seed " + std::to_string(r.seed) + deviation_note(r) + "</p>\n";
  for (const auto& failure : r.failures) out += "<pre class=\"failure\">" + esc(failure) + "</pre>\n";
  steps_list(r.steps, out);
  DiagramOptions diagram{options.max_arrows, "d" + std::to_string(index)};
  out += "<div class=\"diagram\">\n" + sequence_diagram_svg(r, diagram) + "</div>\n</section>\n";
  return out;
}

}  // namespace

std::string html_escape(std::string_view text) { return xml_escape(text); }

std::string html_report(const harness::RunResult& run, const HtmlOptions& options) {
  std::string out = "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n<title>pushsim report: " +
                    esc(run.target) + "</title>\n<style>\n" + std::string(kStyle) + "\n</style>\n</head>\n<body>\n";
  out += header(run, options) + table(run, options);
  for (std::size_t i = 0; i < run.scenarios.size(); ++i) {
    if (detailed(run.scenarios[i])) out += details(run.scenarios[i], i, options);
  }
  return out + "</body>\n</html>\n";
}

}  // namespace pushsim::reports
