#include "reports/compare_report.hpp"

#include <algorithm>
#include <cerrno>
#include <cstdio>
#include <cstring>
#include <fstream>
#include <map>
#include <set>
#include <sstream>

#include "harness/run_result.hpp"
#include "protocol/json.hpp"

namespace pushsim::reports {
namespace compare_reading {
namespace {

using Parsed = nlohmann::json;

// Steps and traces are most of a report's bytes and none of the comparison: the parser drops
// them (keys at depth 3 are a scenario's: top object, "scenarios" array, scenario object).
bool keep_value(int depth, Parsed::parse_event_t event, Parsed& parsed) {
  if (event != Parsed::parse_event_t::key || depth != 3) return true;
  return !(parsed == "steps" || parsed == "trace" || parsed == "failures");
}

// "FILE:LINE:COLUMN: not JSON: what", from the parser's "parse error at line L, column C: what".
std::string parse_error_message(const std::string& file, const Parsed::parse_error& e) {
  const std::string what = e.what();
  int line = 0;
  int column = 0;
  const auto at = what.find("at line ");
  if (at != std::string::npos && std::sscanf(what.c_str() + at, "at line %d, column %d", &line, &column) == 2) {
    const auto colon = what.find(": ", at);
    const std::string detail = colon == std::string::npos ? what : what.substr(colon + 2);
    return file + ":" + std::to_string(line) + ":" + std::to_string(column) + ": not JSON: " + detail;
  }
  const auto bracket = what.find("] ");
  return file + ": not JSON: " + (bracket == std::string::npos ? what : what.substr(bracket + 2));
}

// The string at `key`, or nullopt when the key is missing or holds something else.
std::optional<std::string> string_at(const Parsed& object, const char* key) {
  const auto it = object.find(key);
  if (it == object.end() || !it->is_string()) return std::nullopt;
  return it->get<std::string>();
}

// The pushsim version and the suite fingerprint, under the names a report may give them.
void read_provenance(const Parsed& top, ComparedReport& out) {
  out.version = string_at(top, "pushsim_version").value_or(string_at(top, "version").value_or(""));
  out.suite_fingerprint = string_at(top, "suite_fingerprint").value_or("");
  if (const auto suite = top.find("suite"); out.suite_fingerprint.empty() && suite != top.end()) {
    if (suite->is_string()) out.suite_fingerprint = suite->get<std::string>();
    if (suite->is_object()) out.suite_fingerprint = string_at(*suite, "fingerprint").value_or("");
  }
}

// The scenarios, or what is wrong with them ("scenarios[3]: no \"verdict\" string").
std::variant<std::vector<ComparedScenario>, std::string> read_scenarios(const Parsed& list) {
  std::vector<ComparedScenario> out;
  std::map<std::string, std::size_t> index_of;
  for (std::size_t i = 0; i < list.size(); ++i) {
    const Parsed& item = list[i];
    const std::string where = "scenarios[" + std::to_string(i) + "]: ";
    if (!item.is_object()) return where + "not an object";
    ComparedScenario s;
    const auto id = string_at(item, "id");
    if (!id || id->empty()) return where + "no \"id\" string";
    const auto verdict = string_at(item, "verdict");
    if (!verdict || verdict->empty()) return where + "no \"verdict\" string (scenario " + *id + ")";
    s.id = *id;
    s.verdict = *verdict;
    s.name = string_at(item, "name").value_or("");
    s.level = string_at(item, "level").value_or("");
    const auto [seen, fresh] = index_of.emplace(s.id, i);
    if (!fresh) {
      return "scenario " + s.id + " is listed twice (scenarios[" + std::to_string(seen->second) + "] and scenarios[" +
             std::to_string(i) + "])";
    }
    out.push_back(std::move(s));
  }
  return out;
}

}  // namespace
}  // namespace compare_reading

std::variant<ComparedReport, std::string> parse_compared_report(std::string_view text, const std::string& file) {
  using namespace compare_reading;
  if (text.find_first_not_of(" \t\r\n") == std::string_view::npos) {
    return file + ": empty, not a pushsim JSON report (`pushsim run --json FILE` writes one)";
  }
  Parsed top;
  try {
    top = Parsed::parse(text.begin(), text.end(), keep_value);
  } catch (const Parsed::parse_error& e) {
    return parse_error_message(file, e);
  } catch (const Parsed::exception& e) {
    // A number beyond a double's range ("1e999") is out_of_range, thrown with no position.
    const std::string what = e.what();
    const auto bracket = what.find("] ");
    return file + ": not JSON: " + (bracket == std::string::npos ? what : what.substr(bracket + 2));
  }
  const std::string not_report = file + ": not a pushsim JSON report (`pushsim run --json FILE` writes one): ";
  if (!top.is_object())
    return not_report + "the top level is a JSON " + std::string(top.type_name()) + ", not an object";
  const auto version = top.find("report_version");
  if (version == top.end()) return not_report + "no \"report_version\"";
  if (!version->is_number_integer() || version->get<long long>() < 1) {
    return not_report + "\"report_version\" is not a positive integer";
  }
  ComparedReport out;
  out.file = file;
  const auto target = string_at(top, "target");
  if (!target) return not_report + "no \"target\" string";
  out.target = *target;
  out.profile = string_at(top, "profile").value_or("");
  out.root_seed = string_at(top, "root_seed").value_or("");
  read_provenance(top, out);
  const auto scenarios = top.find("scenarios");
  if (scenarios == top.end() || !scenarios->is_array()) return not_report + "no \"scenarios\" array";
  auto read = read_scenarios(*scenarios);
  if (auto* error = std::get_if<std::string>(&read)) return file + ": " + *error;
  out.scenarios = std::move(std::get<std::vector<ComparedScenario>>(read));
  return out;
}

std::variant<ComparedReport, std::string> load_compared_report(const std::filesystem::path& path,
                                                               const std::string& file) {
  std::error_code ec;
  const auto status = std::filesystem::status(path, ec);
  if (ec || !std::filesystem::exists(status)) {
    return file + ": cannot read: " + (ec ? ec.message() : std::string("no such file"));
  }
  if (std::filesystem::is_directory(status)) return file + ": cannot read: it is a directory";
  if (std::filesystem::is_regular_file(status)) {
    const auto size = std::filesystem::file_size(path, ec);
    if (!ec && size > kCompareReportBytesMax) {
      return file + ": " + std::to_string(size) + " bytes, more than a report can be (" +
             std::to_string(kCompareReportBytesMax) + ")";
    }
  }
  errno = 0;
  std::ifstream in(path, std::ios::binary);
  if (!in) return file + ": cannot read: " + (errno != 0 ? std::strerror(errno) : "open failed");
  std::ostringstream text;
  text << in.rdbuf();
  if (in.bad()) return file + ": cannot read: read error";
  return parse_compared_report(text.str(), file);
}

bool id_less(std::string_view a, std::string_view b) {
  const auto digit = [](char c) { return c >= '0' && c <= '9'; };
  std::size_t i = 0;
  std::size_t j = 0;
  while (i < a.size() && j < b.size()) {
    if (digit(a[i]) && digit(b[j])) {
      std::size_t i_end = i;
      std::size_t j_end = j;
      while (i_end < a.size() && digit(a[i_end])) ++i_end;
      while (j_end < b.size() && digit(b[j_end])) ++j_end;
      // Numbers without their leading zeros: the longer is the larger, else by characters.
      std::size_t i_lead = i;
      std::size_t j_lead = j;
      while (i_lead + 1 < i_end && a[i_lead] == '0') ++i_lead;
      while (j_lead + 1 < j_end && b[j_lead] == '0') ++j_lead;
      const auto x = a.substr(i_lead, i_end - i_lead);
      const auto y = b.substr(j_lead, j_end - j_lead);
      if (x.size() != y.size()) return x.size() < y.size();
      if (x != y) return x < y;
      i = i_end;
      j = j_end;
      continue;
    }
    if (a[i] != b[j]) return a[i] < b[j];
    ++i;
    ++j;
  }
  if (a.size() - i != b.size() - j) return a.size() - i < b.size() - j;
  return a < b;  // equal under the natural order ("a.01" and "a.1"): plain order decides
}

namespace compare_reading {
namespace {

struct IdLess {
  bool operator()(const std::string& a, const std::string& b) const { return id_less(a, b); }
};

std::vector<VerdictCount> summary_of(const std::vector<ComparedReport>& reports, const std::vector<CompareRow>& rows) {
  std::map<std::string, std::vector<std::size_t>> counts;
  std::vector<std::size_t> absent(reports.size(), 0);
  for (std::size_t c = 0; c < reports.size(); ++c) {
    for (const auto& s : reports[c].scenarios) {
      auto& per_report = counts[s.verdict];
      per_report.resize(reports.size(), 0);
      ++per_report[c];
    }
  }
  for (const auto& row : rows) {
    for (std::size_t c = 0; c < row.verdicts.size(); ++c) absent[c] += row.verdicts[c] ? 0 : 1;
  }
  std::vector<VerdictCount> out;
  for (harness::Verdict v : harness::kAllVerdicts) {
    const std::string name(harness::to_string(v));
    auto it = counts.find(name);
    const bool always = v == harness::Verdict::kPass || v == harness::Verdict::kFail;
    if (it == counts.end() && !always) continue;
    out.push_back({name, it == counts.end() ? std::vector<std::size_t>(reports.size(), 0) : it->second});
    if (it != counts.end()) counts.erase(it);
  }
  for (auto& [verdict, per_report] : counts) out.push_back({verdict, std::move(per_report)});
  if (std::any_of(absent.begin(), absent.end(), [](std::size_t n) { return n > 0; })) {
    out.push_back({std::string(kAbsentVerdict), std::move(absent)});
  }
  return out;
}

// "a.json abc, b.json def" for the reports' values of one field.
template <typename Field>
std::string listed(const std::vector<ComparedReport>& reports, Field field) {
  std::string out;
  for (const auto& r : reports) {
    const std::string& value = field(r);
    out += (out.empty() ? "" : ", ") + r.file + " " + (value.empty() ? std::string("(none)") : value);
  }
  return out;
}

std::vector<std::string> warnings_of(const std::vector<ComparedReport>& reports, const std::vector<CompareRow>& rows) {
  std::vector<std::string> out;
  const auto fingerprint = [](const ComparedReport& r) -> const std::string& { return r.suite_fingerprint; };
  const auto version = [](const ComparedReport& r) -> const std::string& { return r.version; };
  std::set<std::string> fingerprints;
  std::set<std::string> versions;
  for (const auto& r : reports) {
    fingerprints.insert(r.suite_fingerprint);
    versions.insert(r.version);
  }
  if (fingerprints.size() > 1 && fingerprints.count("") == 0) {
    out.push_back("the reports ran different suites (suite fingerprints " + listed(reports, fingerprint) + ")");
  }
  std::string lacking;
  for (std::size_t c = 0; c < reports.size(); ++c) {
    const auto absent = static_cast<std::size_t>(
        std::count_if(rows.begin(), rows.end(), [c](const CompareRow& row) { return !row.verdicts[c]; }));
    if (absent == 0) continue;
    lacking += (lacking.empty() ? "" : ", ") + reports[c].file + " lacks " + std::to_string(absent) + " of " +
               std::to_string(rows.size());
  }
  if (!lacking.empty()) {
    out.push_back("the reports did not run the same scenarios (" + lacking + "); a scenario a report lacks shows as " +
                  std::string(kAbsentVerdict));
  }
  if (versions.size() > 1) {
    out.push_back("the reports were written by different pushsim versions (" + listed(reports, version) + ")");
  }
  return out;
}

}  // namespace
}  // namespace compare_reading

Comparison compare_reports(std::vector<ComparedReport> reports) {
  using namespace compare_reading;
  std::map<std::string, CompareRow, IdLess> by_id;
  for (std::size_t c = 0; c < reports.size(); ++c) {
    for (const auto& s : reports[c].scenarios) {
      auto [it, fresh] = by_id.try_emplace(s.id);
      CompareRow& row = it->second;
      if (fresh) {
        row.id = s.id;
        row.name = s.name;
        row.level = s.level;
        row.verdicts.resize(reports.size());
      }
      row.verdicts[c] = s.verdict;
    }
  }
  Comparison out;
  for (auto& entry : by_id) {
    CompareRow& row = entry.second;
    const auto& first = row.verdicts.front();
    row.differs = std::any_of(row.verdicts.begin(), row.verdicts.end(),
                              [&first](const std::optional<std::string>& v) { return v != first; });
    out.rows.push_back(std::move(row));
  }
  std::stable_partition(out.rows.begin(), out.rows.end(), [](const CompareRow& row) { return row.differs; });
  out.differing = static_cast<std::size_t>(
      std::count_if(out.rows.begin(), out.rows.end(), [](const CompareRow& row) { return row.differs; }));
  out.summary = summary_of(reports, out.rows);
  out.warnings = warnings_of(reports, out.rows);
  out.reports = std::move(reports);
  return out;
}

std::string column_label(const ComparedReport& report) {
  std::string out = report.target;
  if (!report.profile.empty()) out += " \xC2\xB7 profile " + report.profile;
  if (!report.version.empty()) out += " \xC2\xB7 pushsim " + report.version;
  if (!report.suite_fingerprint.empty()) out += " \xC2\xB7 suite " + report.suite_fingerprint.substr(0, 12);
  return out + " \xC2\xB7 " + report.file;
}

}  // namespace pushsim::reports
