// compare_markdown: the comparison as GitHub-flavoured Markdown (compare_report.hpp).
#include "reports/compare_report.hpp"

namespace pushsim::reports {
namespace compare_markdown_text {
namespace {

bool alnum(std::string_view text, std::size_t i) {
  if (i >= text.size()) return false;
  const char c = text[i];
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9');
}

// Text from a report inside a table cell or a list item: Markdown's inline punctuation and
// the cell separator escaped with a backslash, line breaks as spaces, other control
// characters as U+FFFD, so no report can add markup, links or cells. An underscore inside a
// word ("client_events") starts no emphasis and stays as it is, for readable ids.
std::string md(std::string_view text) {
  std::string out;
  out.reserve(text.size());
  for (std::size_t i = 0; i < text.size(); ++i) {
    const char c = text[i];
    const auto byte = static_cast<unsigned char>(c);
    if (c == '\n' || c == '\r' || c == '\t') {
      out += ' ';
    } else if (byte < 0x20 || byte == 0x7f) {
      out += "\xEF\xBF\xBD";
    } else {
      const bool inside_word = c == '_' && i > 0 && alnum(text, i - 1) && alnum(text, i + 1);
      if (!inside_word && std::string_view("\\`*_[]<>|&~").find(c) != std::string_view::npos) out += '\\';
      out += c;
    }
  }
  return out;
}

std::string legend_item(const ComparedReport& r, std::size_t index) {
  std::string out = std::to_string(index + 1) + ". " + md(r.file) + ": target " + md(r.target);
  if (!r.profile.empty()) out += ", profile " + md(r.profile);
  if (!r.root_seed.empty()) out += ", seed " + md(r.root_seed);
  if (!r.version.empty()) out += ", pushsim " + md(r.version);
  if (!r.suite_fingerprint.empty()) out += ", suite " + md(r.suite_fingerprint);
  return out + ", " + std::to_string(r.scenarios.size()) + " scenarios\n";
}

std::string header_row(const Comparison& c, const std::string& first, bool numbers) {
  std::string out = "| " + first + " |";
  std::string rule = "|---|";
  if (!numbers) {
    out += " level |";
    rule += "---|";
  }
  for (const auto& r : c.reports) {
    out += " " + md(column_label(r)) + " |";
    rule += numbers ? "---:|" : "---|";
  }
  if (!numbers) {
    out += " name |";
    rule += "---|";
  }
  return out + "\n" + rule + "\n";
}

std::string summary_table(const Comparison& c) {
  std::string out = header_row(c, "verdict", true) + "| scenarios |";
  for (const auto& r : c.reports) out += " " + std::to_string(r.scenarios.size()) + " |";
  out += "\n";
  for (const auto& line : c.summary) {
    const bool absent = line.verdict == kAbsentVerdict;
    out += "| " + (absent ? std::string(kAbsentVerdict) + " (absent)" : md(line.verdict)) + " |";
    for (std::size_t n : line.counts) out += " " + std::to_string(n) + " |";
    out += "\n";
  }
  return out;
}

std::string rows_table(const Comparison& c, std::size_t from, std::size_t to) {
  std::string out = header_row(c, "scenario", false);
  for (std::size_t i = from; i < to; ++i) {
    const CompareRow& row = c.rows[i];
    out += "| " + md(row.id) + " | " + md(row.level) + " |";
    for (const auto& v : row.verdicts) out += " " + (v ? md(*v) : std::string(kAbsentVerdict)) + " |";
    out += " " + md(row.name) + " |\n";
  }
  return out;
}

}  // namespace
}  // namespace compare_markdown_text

std::string compare_markdown(const Comparison& c, const CompareOptions& options) {
  using namespace compare_markdown_text;
  const std::size_t total = c.rows.size();
  const std::size_t same = total - c.differing;
  std::string out = "# pushsim compare: " + std::to_string(c.reports.size()) + " reports, " + std::to_string(total) +
                    " scenarios, " + std::to_string(c.differing) + " differ\n\n";
  for (std::size_t i = 0; i < c.reports.size(); ++i) out += legend_item(c.reports[i], i);
  out += "\n";
  for (const auto& warning : c.warnings) out += "> **warning:** " + md(warning) + "\n\n";
  out += "## Summary\n\n" + summary_table(c) + "\n";
  out += "## Differences (" + std::to_string(c.differing) + " of " + std::to_string(total) + " scenarios)\n\n";
  out += c.differing == 0 ? std::string("Every scenario has the same verdict in every report.\n")
                          : rows_table(c, 0, c.differing);
  out += "\n## Same verdict in every report (" + std::to_string(same) + " scenarios)\n\n";
  if (same == 0) return out + "None.\n";
  if (!options.all_rows) return out + std::to_string(same) + " rows not shown (`--all` lists them).\n";
  return out + rows_table(c, c.differing, total);
}

}  // namespace pushsim::reports
