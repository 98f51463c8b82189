// load_suite and friends (declared in scenario_loader.hpp): many files, one id space.
#include <algorithm>
#include <map>
#include <set>

#include "harness/retired_ids.hpp"
#include "harness/scenario_loader.hpp"

namespace pushsim::harness {
namespace {

namespace fs = std::filesystem;

bool is_yaml(const fs::path& path) { return path.extension() == ".yaml" || path.extension() == ".yml"; }

bool is_scenario_file(const fs::path& path) { return is_yaml(path) && path.filename() != kRetiredIdsFile; }

void add_directory(const fs::path& directory, std::vector<fs::path>& out, std::vector<Diagnostic>& diagnostics) {
  std::vector<fs::path> found;
  std::error_code ec;
  fs::recursive_directory_iterator it(directory, fs::directory_options::skip_permission_denied, ec);
  for (; !ec && it != fs::recursive_directory_iterator(); it.increment(ec)) {
    std::error_code type_ec;
    if (it->is_regular_file(type_ec) && is_scenario_file(it->path())) found.push_back(it->path());
  }
  if (ec) diagnostics.push_back(Diagnostic{SourceLocation{directory.string(), 0, 0}, "cannot list: " + ec.message()});
  // Sorted by the path's text, so the order is the same on every file system.
  std::sort(found.begin(), found.end(),
            [](const fs::path& a, const fs::path& b) { return a.generic_string() < b.generic_string(); });
  out.insert(out.end(), found.begin(), found.end());
}

}  // namespace

std::vector<fs::path> find_scenario_files(const std::vector<fs::path>& paths, std::vector<Diagnostic>& diagnostics) {
  std::vector<fs::path> candidates;
  for (const auto& path : paths) {
    std::error_code ec;
    if (fs::is_directory(path, ec)) {
      add_directory(path, candidates, diagnostics);
    } else if (fs::exists(path, ec)) {
      candidates.push_back(path);
    } else {
      diagnostics.push_back(Diagnostic{SourceLocation{path.string(), 0, 0}, "no such file or directory"});
    }
  }
  std::vector<fs::path> files;
  std::set<std::string> seen;
  for (auto& file : candidates) {
    if (seen.insert(file.lexically_normal().generic_string()).second) files.push_back(std::move(file));
  }
  return files;
}

SuiteOutcome check_suite(const std::vector<fs::path>& paths) {
  SuiteOutcome outcome;
  const auto files = find_scenario_files(paths, outcome.diagnostics);
  for (const auto& path : paths) {
    std::error_code ec;
    const auto retired_file = path / kRetiredIdsFile;
    if (!fs::is_directory(path, ec) || !fs::exists(retired_file, ec)) continue;
    auto retired = read_retired_ids(retired_file, outcome.diagnostics);
    outcome.retired.insert(outcome.retired.end(), std::make_move_iterator(retired.begin()),
                           std::make_move_iterator(retired.end()));
  }
  std::map<std::string, const RetiredId*> retired_by_id;
  for (const auto& retired : outcome.retired) retired_by_id.emplace(retired.id, &retired);

  std::map<std::string, SourceLocation> first_use;  // scenario id -> where it was declared
  for (const auto& file : files) {
    auto loaded = check_scenario_file(file);
    ++outcome.files_read;
    outcome.diagnostics.insert(outcome.diagnostics.end(), loaded.diagnostics.begin(), loaded.diagnostics.end());
    if (!loaded.scenario) continue;
    if (const auto retired = retired_by_id.find(loaded.scenario->id); retired != retired_by_id.end()) {
      outcome.diagnostics.push_back(
          Diagnostic{loaded.scenario->where, "scenario id '" + loaded.scenario->id + "' is retired (" +
                                                 retired->second->where.to_string() +
                                                 "); ids are never reused: take the next free number of the area"});
      continue;
    }
    auto [it, inserted] = first_use.emplace(loaded.scenario->id, loaded.scenario->where);
    if (!inserted) {
      outcome.diagnostics.push_back(Diagnostic{
          loaded.scenario->where,
          "duplicate scenario id '" + loaded.scenario->id + "' (also used by " + it->second.to_string() + ")"});
      continue;
    }
    outcome.scenarios.push_back(std::move(*loaded.scenario));
  }
  for (const auto& retired : outcome.retired) {
    if (!retired.replaced_by.empty() && !first_use.contains(retired.replaced_by)) {
      outcome.diagnostics.push_back(Diagnostic{
          retired.where,
          "retired id '" + retired.id + "' is replaced by '" + retired.replaced_by + "', which is not in the suite"});
    }
  }
  return outcome;
}

Result<std::vector<Scenario>> load_suite(const std::vector<fs::path>& paths) {
  auto outcome = check_suite(paths);
  if (!outcome.diagnostics.empty()) return make_error(join_diagnostics(outcome.diagnostics));
  return std::move(outcome.scenarios);
}

}  // namespace pushsim::harness
