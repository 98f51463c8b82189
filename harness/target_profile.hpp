#pragma once
// Target profiles: what one server implementation is known to have and known to do
// differently, written down once so that a conformance run against it says something useful.
//
// A profile (profiles/README.md has the format) names the optional features the server has
// (from kKnownFeatures; a scenario that requires another is skipped, with the reason) and its
// known deviations: scenario ids or globs, each with why and where upstream says so. A listed
// scenario that fails is reported as a known deviation instead of a failure; one that passes
// is reported as an unexpected pass, so that a fixed server or a stale entry shows up rather
// than rotting in the file.
//
// Loading follows the scenario loader: every error of a file, `file:line:col: message`, in
// file order, never an exception.
#include <filesystem>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <vector>

#include "harness/run_result.hpp"
#include "harness/scenario.hpp"
#include "harness/source_location.hpp"

namespace pushsim::harness {

inline constexpr std::size_t kProfileFileBytesMax = 256 * 1024;
inline constexpr std::size_t kDeviationsMax = 1000;

// Where the server listens by default, for the fields that differ from pushsim's defaults.
struct ProfileConnection {
  std::optional<std::string> host;
  std::optional<int> port;
  std::optional<bool> tls;
  std::optional<std::string> path;  // a prefix before /app/{key} and /apps/{id}, e.g. "/ws"

  bool operator==(const ProfileConnection&) const = default;
};

struct ProfileDeviation {
  DeviationNote note;    // scenario (id or glob), reason, link
  SourceLocation where;  // of the scenario pattern, for "matches no scenario" errors

  bool operator==(const ProfileDeviation&) const = default;
};

struct TargetProfile {
  std::string name;  // lower-case letters, digits, '-' and '_': `--profile NAME`
  std::string description;
  std::string server;  // the implementation and version the profile was written against
  ProfileConnection connection;
  std::set<std::string> features;
  std::vector<ProfileDeviation> deviations;  // in file order; the first match wins
  SourceLocation where;

  bool operator==(const TargetProfile&) const = default;
};

// The profile the sim and `--target serve` use when none is given: the reference engine has
// every known feature, and no deviation. profiles/reference.yaml says the
// same (a test keeps them equal), but the default does not depend on finding that file.
TargetProfile builtin_reference_profile();

struct ProfileOutcome {
  std::optional<TargetProfile> profile;  // set only when there are no diagnostics
  std::vector<Diagnostic> diagnostics;
};

ProfileOutcome check_profile_text(std::string_view text, const std::string& display_name);
ProfileOutcome check_profile_file(const std::filesystem::path& path);

// True when the text's first YAML document is a map with a `profile` key: how `pushsim lint`
// tells profiles from scenarios in one folder walk. False on unreadable YAML (the scenario
// loader then reports it).
bool looks_like_profile(std::string_view text);

// The deviation that covers a scenario id, if any (the first whose pattern matches).
const ProfileDeviation* find_deviation(const TargetProfile& profile, std::string_view scenario_id);

// Why the profile cannot run a scenario: the first required feature it lacks.
std::optional<std::string> profile_skip_reason(const Scenario& scenario, const TargetProfile& profile);

// A deviation turns a failed or non-strict result into a known deviation and a pass into an
// unexpected pass; informational and skipped results keep their verdict. The note is kept.
void apply_deviation(ScenarioResult& result, const DeviationNote& deviation);

// One error per deviation that can never apply: its pattern matches no scenario of the suite
// (a renamed or removed scenario would otherwise leave an entry that silently does nothing),
// or only scenarios the profile skips (a feature it lacks) or that are simulation-only.
std::vector<Diagnostic> inapplicable_deviations(const TargetProfile& profile, const std::vector<Scenario>& suite);

// The ws:// or wss:// URL the profile's connection settings name, with pushsim's defaults
// (127.0.0.1, port 6001, no TLS, no prefix) for the fields it leaves out.
std::string profile_ws_url(const ProfileConnection& connection);

}  // namespace pushsim::harness
