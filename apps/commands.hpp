#pragma once
// The subcommands, each in its own file; main registers them and runs the one
// chosen. Each add_* sets `exit_code` from its callback.
#include <CLI/CLI.hpp>

#include <filesystem>
#include <optional>
#include <string>
#include <variant>
#include <vector>

#include "harness/protocol_document.hpp"
#include "harness/scenario.hpp"
#include "harness/target_profile.hpp"
#include "reports/html_report.hpp"

namespace pushsim::apps {

inline constexpr int kExitUsage = 2;

// `text` padded with spaces to `width` columns, for the listings' aligned columns.
inline std::string padded(std::string text, std::size_t width) {
  if (text.size() < width) text.append(width - text.size(), ' ');
  return text;
}

// A message's first line: the headline of a failure whose details follow on the next lines.
inline std::string first_line(const std::string& text) { return text.substr(0, text.find('\n')); }

// The bundled suite: env PUSHSIM_SCENARIOS, else share/pushsim/scenarios relative to the
// executable, else (in the build tree) the source folder (build_paths.hpp, bundled_dir).
std::filesystem::path bundled_scenarios();
// The protocol document scenarios cite: protocol.md in env PUSHSIM_DOCS, else in docs/ found
// as the scenarios are (cmd_lint.cpp).
std::filesystem::path bundled_protocol_document();
// How messages name it: its repository path in the source tree, else the file itself.
std::string bundled_protocol_document_name();
// Its sections, for links from the reports; none when it cannot be read (protocol_links.cpp).
harness::ProtocolDocument bundled_protocol_sections();
// The document's address relative to the folder of an HTML page written at `page`.
std::string protocol_href(const std::filesystem::path& page);
// The HTML report's options for a page written at `page`: version, generation time and
// links from each scenario's section to its heading in the protocol document.
reports::HtmlOptions html_report_options(const std::filesystem::path& page);
// The shipped target profiles: env PUSHSIM_PROFILES, else `profiles/` next to the bundled
// scenarios (cmd_profiles.cpp), and the *.yaml files there, sorted.
std::filesystem::path bundled_profiles();
std::vector<std::filesystem::path> shipped_profile_files();
// `--profile NAME|FILE`: a shipped profile by name, or a file (anything with a '/' or a .yaml
// or .yml ending); else the message for the user (every diagnostic of a bad file). The name
// `reference` falls back to the built-in profile when the shipped file is not there.
std::variant<harness::TargetProfile, std::string> load_profile(const std::string& name_or_file);

// A scenario named on the command line: a YAML file, or the id of a bundled scenario
// (explore_support.cpp). An error message for the user otherwise.
std::variant<harness::Scenario, std::string> scenario_argument(const std::string& argument);

// `--serve-cluster URL` beside `--target TARGET` (run, explore): the message for the user when
// the target is not `serve` or the URL is not a Redis URL; nothing when they go together
// (explore_support.cpp).
std::optional<std::string> serve_cluster_error(const std::string& target, const std::string& url);

// An HTML report's generation time in UTC; SOURCE_DATE_EPOCH (seconds) fixes it for
// reproducible pages (explore_support.cpp).
std::string generation_time();

// The malloc in use: "mimalloc X.Y.Z" or the C library's (allocator.cpp).
std::string allocator_description();

void add_run_command(CLI::App& app, int& exit_code);       // cmd_run.cpp
void add_lint_command(CLI::App& app, int& exit_code);      // cmd_lint.cpp
void add_selftest_command(CLI::App& app, int& exit_code);  // cmd_selftest.cpp
void add_profiles_command(CLI::App& app, int& exit_code);  // cmd_profiles.cpp
void add_explore_command(CLI::App& app, int& exit_code);   // cmd_explore.cpp
void add_replay_command(CLI::App& app, int& exit_code);    // cmd_replay.cpp
void add_bench_command(CLI::App& app, int& exit_code);     // cmd_bench.cpp
void add_serve_command(CLI::App& app, int& exit_code);     // cmd_serve.cpp
void add_compare_command(CLI::App& app, int& exit_code);   // cmd_compare.cpp
void add_generate_command(CLI::App& app, int& exit_code);  // cmd_generate.cpp

}  // namespace pushsim::apps
