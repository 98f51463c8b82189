#pragma once
// `pushsim compare`: several JSON reports (what `pushsim run --json FILE` writes, see
// json_report.hpp) side by side, as one matrix of scenario x report with the verdict in each
// cell — Autobahn|Testsuite's multi-server table, for a team choosing between servers or
// upgrading one.
//
// Only what identifies a run (target, profile, seed, and the pushsim version and suite
// fingerprint when the report carries them) and each scenario's id, name, level and verdict
// are read; steps and traces are not. Verdicts are compared as the strings the report holds,
// so a verdict this build does not know is still shown and counted. Rows are in natural id
// order (presence.2 before presence.10), rows whose verdicts differ first; a scenario that a
// report lacks shows as "—" there and makes its row differ. The writers print no time and
// no path other than the report names given, so the same reports give the same bytes.
#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <optional>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

namespace pushsim::reports {

// A report file larger than this is refused rather than read (a full run's report, with
// every step and trace line, is a few megabytes).
inline constexpr std::uintmax_t kCompareReportBytesMax = 1ULL << 30;

// What a cell shows for a scenario the report lacks.
inline constexpr std::string_view kAbsentVerdict = "\xE2\x80\x94";  // "—"

struct ComparedScenario {
  std::string id;
  std::string name;
  std::string level;    // "must", "should", "info"; empty when the report has none
  std::string verdict;  // as the report writes it: "pass", "fail", ... or one this build does not know
};

struct ComparedReport {
  std::string file;  // as named on the command line: it labels the report's column
  std::string target;
  std::string profile;                      // empty: none
  std::string root_seed;                    // empty: not in the report
  std::string version;                      // the pushsim version that wrote it; empty: not in the report
  std::string suite_fingerprint;            // empty: not in the report
  std::vector<ComparedScenario> scenarios;  // in report order
};

// The text of a JSON report, or a message naming `file` and what is wrong with it (not JSON,
// with file:line:column; not a pushsim run report; a scenario without an id or verdict; an id
// listed twice).
std::variant<ComparedReport, std::string> parse_compared_report(std::string_view text, const std::string& file);
// The same for a file, named `file` in messages and in the matrix; a message when it cannot
// be read (missing, a directory, too large).
std::variant<ComparedReport, std::string> load_compared_report(const std::filesystem::path& path,
                                                               const std::string& file);

struct CompareRow {
  std::string id;
  std::string name;                                  // from the first report that has the scenario
  std::string level;                                 // likewise
  std::vector<std::optional<std::string>> verdicts;  // one per report; nullopt: absent
  bool differs = false;                              // not every cell the same (absent counts as a value)
};

// How many scenarios of each verdict one report holds, for the summary lines.
struct VerdictCount {
  std::string verdict;              // a verdict string, or kAbsentVerdict
  std::vector<std::size_t> counts;  // one per report
};

struct Comparison {
  std::vector<ComparedReport> reports;  // the columns, in the order given
  std::vector<CompareRow> rows;         // differing rows first, each part in natural id order
  std::size_t differing = 0;            // the first `differing` rows differ
  // The known verdicts in json_report's order, then unknown ones sorted, then the absent
  // count; a verdict appears when some report has it (pass and fail always).
  std::vector<VerdictCount> summary;
  // Reasons to read the matrix with care: different suites (fingerprints, else scenario
  // sets), different pushsim versions.
  std::vector<std::string> warnings;
};

// Natural order of scenario ids: runs of digits compare as numbers ("a.2" < "a.10").
bool id_less(std::string_view a, std::string_view b);

Comparison compare_reports(std::vector<ComparedReport> reports);

// A column's heading: target, profile, pushsim version and suite fingerprint (when the
// report has them) and the file, joined with " · ".
std::string column_label(const ComparedReport& report);

struct CompareOptions {
  bool all_rows = false;  // list the rows that agree too (else only their count)
};

// GitHub-flavoured Markdown; every text from a report is escaped.
std::string compare_markdown(const Comparison& comparison, const CompareOptions& options);
// One self-contained page (inline CSS, no scripts), styled like html_report; every text escaped.
std::string compare_html(const Comparison& comparison, const CompareOptions& options);

}  // namespace pushsim::reports
