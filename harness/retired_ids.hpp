#pragma once
// Scenario ids that were used once and are never used again. Reports and CI histories key on
// ids, so a merged or withdrawn scenario's id stays reserved: a folder's `retired.yaml` lists
// them, each with the scenario that took over its check (if any) and why.
//
//   - id: connection.55
//     replaced_by: connection.2
//     why: the same ping/pong exchange
//
// check_suite (scenario_loader.hpp) reads the retired.yaml of every folder it searches,
// refuses a scenario that takes a retired id, and checks that each replacement exists.
#include <filesystem>
#include <string>
#include <vector>

#include "harness/source_location.hpp"

namespace pushsim::harness {

inline constexpr const char* kRetiredIdsFile = "retired.yaml";

struct RetiredId {
  std::string id;
  std::string replaced_by;  // empty: withdrawn, nothing replaces it
  std::string why;
  SourceLocation where;
};

// The entries of one retired.yaml, in file order; problems (a malformed entry, an id listed
// twice) go to diagnostics with their place.
std::vector<RetiredId> read_retired_ids(const std::filesystem::path& file, std::vector<Diagnostic>& diagnostics);

}  // namespace pushsim::harness
