#include "reports/console_report.hpp"

#include <cstdio>

#include "harness/matcher.hpp"

namespace pushsim::reports {
namespace {

using harness::Verdict;

const char* colour_of(Verdict verdict) {
  switch (verdict) {
    case Verdict::kPass: return "\x1b[32m";
    case Verdict::kFail: return "\x1b[31m";
    case Verdict::kNonStrict: return "\x1b[33m";
    case Verdict::kInformational: return "\x1b[36m";
    case Verdict::kSkipped: return "\x1b[90m";
    case Verdict::kKnownDeviation: return "\x1b[35m";
    case Verdict::kUnexpectedPass: return "\x1b[93m";
    case Verdict::kNotRun: return "\x1b[90m";
  }
  return "";
}

const char* label_of(Verdict verdict) {
  switch (verdict) {
    case Verdict::kPass: return "PASS";
    case Verdict::kFail: return "FAIL";
    case Verdict::kNonStrict: return "NONSTRICT";
    case Verdict::kInformational: return "INFO";
    case Verdict::kSkipped: return "SKIP";
    case Verdict::kKnownDeviation: return "DEVIATION";
    case Verdict::kUnexpectedPass: return "XPASS";
    case Verdict::kNotRun: return "NOT RUN";
  }
  return "?";
}

std::string padded(std::string text, std::size_t width) {
  if (text.size() < width) text.append(width - text.size(), ' ');
  return text;
}

std::string millis(std::int64_t ns) { return std::to_string(ns / 1'000'000) + "ms"; }

std::string indented(const std::string& text, const std::string& prefix) {
  std::string out = prefix;
  for (char c : text) {
    out += c;
    if (c == '\n') out += prefix;
  }
  return out + "\n";
}

}  // namespace

std::string console_header(const std::string& target, std::uint64_t root_seed, std::size_t scenarios,
                           const ConsoleStyle&, const std::string& profile) {
  return "pushsim run: " + std::to_string(scenarios) + " scenarios, target " + target +
         (profile.empty() ? "" : ", profile " + profile) + ", seed " + std::to_string(root_seed) + "\n";
}

std::string console_provenance(std::string_view version, std::string_view commit, std::string_view fingerprint,
                               std::string_view suite) {
  std::string out =
      "pushsim " + std::string(version) + " (commit " + std::string(commit) + "), suite " + std::string(fingerprint);
  if (!suite.empty()) out += " (" + std::string(suite) + ")";
  return out + "\n";
}

std::string console_scenario(const harness::ScenarioResult& result, const ConsoleStyle& style) {
  std::string label = padded(label_of(result.verdict), 9);
  if (style.color) label = colour_of(result.verdict) + label + "\x1b[0m";
  std::string line = label + " " + padded(result.id, 18) + " " + padded(result.name, 56) + " " +
                     harness::format_offset(result.duration);
  if (style.wall_times) line += " (" + millis(result.wall_ns) + ")";
  line += "\n";
  if (result.verdict == Verdict::kSkipped || result.verdict == Verdict::kNotRun) {
    return line + indented(result.skip_reason, "    ");
  }
  if (result.verdict == Verdict::kPass) return line;
  const harness::DeviationNote note = result.deviation.value_or(harness::DeviationNote{});
  if (result.verdict == Verdict::kUnexpectedPass) {
    return line + indented("unexpected pass: the profile lists a deviation here (" + note.reason + "; " + note.link +
                               "); fixed upstream, or a stale profile entry?",
                           "    ");
  }
  if (result.verdict == Verdict::kKnownDeviation) {
    line += indented("known deviation: " + note.reason + " (" + note.link + ")", "    ");
  }
  for (const auto& failure : result.failures) {
    line += indented(failure, "    ");
  }
  if (!result.failures.empty() && result.verdict != Verdict::kInformational) {
    line += "    replay: pushsim run --only " + result.id + " (scenario seed " + std::to_string(result.seed) + ")\n";
  }
  return line;
}

std::string console_target_down(const harness::RunResult& run) {
  if (!run.target_down) return "";
  const auto& finding = *run.target_down;
  std::string out = finding.headline() + "\n";
  if (!finding.last_sent.empty()) {
    out += "  what pushsim last sent it:\n";
    for (const auto& line : finding.last_sent) out += "    " + line + "\n";
  }
  if (!finding.also_running.empty()) {
    out += "  also running then:";
    for (const auto& id : finding.also_running) out += " " + id;
    out += "\n";
  }
  return out + "  " + std::to_string(run.count(Verdict::kNotRun)) + " scenarios not run (exit code " +
         std::to_string(run.exit_code()) + ")\n";
}

std::string console_summary(const harness::RunResult& run, const ConsoleStyle& style) {
  std::string out = std::to_string(run.scenarios.size()) + " scenarios: " + std::to_string(run.count(Verdict::kPass)) +
                    " passed, " + std::to_string(run.count(Verdict::kFail)) + " failed, " +
                    std::to_string(run.count(Verdict::kNonStrict)) + " non-strict, " +
                    std::to_string(run.count(Verdict::kInformational)) + " informational, " +
                    std::to_string(run.count(Verdict::kSkipped)) + " skipped";
  if (!run.profile.empty()) {
    out += ", " + std::to_string(run.count(Verdict::kKnownDeviation)) + " known deviations, " +
           std::to_string(run.count(Verdict::kUnexpectedPass)) + " unexpected passes";
  }
  if (run.count(Verdict::kNotRun) > 0) out += ", " + std::to_string(run.count(Verdict::kNotRun)) + " not run";
  out += " (target " + run.target + (run.profile.empty() ? "" : ", profile " + run.profile) + ", seed " +
         std::to_string(run.root_seed);
  if (style.wall_times) out += ", " + millis(run.wall_ns);
  out += ")";
  if (style.color) out = std::string(run.exit_code() == 0 ? "\x1b[32m" : "\x1b[31m") + out + "\x1b[0m";
  return console_target_down(run) + out + "\n";
}

std::string console_progress(std::size_t done, std::size_t total) {
  const std::size_t percent = total == 0 ? 100 : done * 100 / total;
  return "[" + std::to_string(done) + "/" + std::to_string(total) + "] " + std::to_string(percent) + "%";
}

std::string console_report(const harness::RunResult& run, const ConsoleStyle& style) {
  std::string out = console_header(run.target, run.root_seed, run.scenarios.size(), style, run.profile);
  if (!run.suite_fingerprint.empty()) {
    out += console_provenance(run.pushsim_version, run.pushsim_commit, run.suite_fingerprint);
  }
  for (const auto& scenario : run.scenarios) out += console_scenario(scenario, style);
  return out + console_summary(run, style);
}

}  // namespace pushsim::reports
