// `pushsim profiles [NAME|FILE]`: the shipped target profiles, or one profile in full; and the
// lookup `pushsim run --profile` shares.
#include <algorithm>
#include <cstdlib>
#include <iostream>
#include <memory>

#include "apps/commands.hpp"
#include "harness/scenario_vocabulary.hpp"

namespace pushsim::apps {
namespace {

namespace fs = std::filesystem;

// A FILE is anything that looks like a path; anything else is a shipped profile's NAME.
bool names_a_file(const std::string& given) {
  return given.find('/') != std::string::npos || given.ends_with(".yaml") || given.ends_with(".yml");
}

std::string shipped_names() {
  std::string out;
  for (const auto& file : shipped_profile_files()) out += (out.empty() ? "" : ", ") + file.stem().string();
  return out.empty() ? std::string("none") : out;
}

void print_listing() {
  std::size_t shown = 0;
  for (const auto& file : shipped_profile_files()) {
    auto outcome = harness::check_profile_file(file);
    if (!outcome.profile) {
      std::cout << padded(file.stem().string(), 20)
                << "does not load: " << harness::join_diagnostics(outcome.diagnostics) << "\n";
      continue;
    }
    const auto& p = *outcome.profile;
    std::cout << padded(p.name, 20) << padded(std::to_string(p.features.size()) + " features", 13)
              << padded(std::to_string(p.deviations.size()) + " deviations", 15) << p.server << "\n";
    ++shown;
  }
  std::cout << shown << " profiles in " << bundled_profiles().string() << " (pushsim profiles NAME for one)\n";
}

void print_profile(const harness::TargetProfile& p) {
  std::cout << "profile " << p.name << ": " << p.description << "\nserver: " << p.server
            << "\nconnection: " << harness::profile_ws_url(p.connection) << "\nfeatures:";
  for (const auto& feature : p.features) std::cout << " " << feature;
  std::cout << "\nlacks:";
  for (const auto feature : harness::kKnownFeatures) {
    if (p.features.count(std::string(feature)) == 0) std::cout << " " << feature;
  }
  std::cout << "\ndeviations (" << p.deviations.size() << "):\n";
  for (const auto& d : p.deviations) {
    std::cout << "  " << padded(d.note.scenario, 20) << d.note.reason << "\n  " << padded("", 20) << d.note.link
              << "\n";
  }
}

}  // namespace

fs::path bundled_profiles() {
  if (const char* env = std::getenv("PUSHSIM_PROFILES"); env != nullptr && *env != '\0') return env;
  fs::path scenarios = bundled_scenarios().lexically_normal();
  if (!scenarios.has_filename()) scenarios = scenarios.parent_path();  // "dir/" names dir
  return scenarios.parent_path() / "profiles";
}

std::vector<fs::path> shipped_profile_files() {
  std::vector<fs::path> files;
  std::error_code ec;
  for (fs::directory_iterator it(bundled_profiles(), ec); !ec && it != fs::directory_iterator(); it.increment(ec)) {
    if (it->path().extension() == ".yaml") files.push_back(it->path());
  }
  std::sort(files.begin(), files.end());
  return files;
}

std::variant<harness::TargetProfile, std::string> load_profile(const std::string& name_or_file) {
  const bool file = names_a_file(name_or_file);
  const fs::path path = file ? fs::path(name_or_file) : bundled_profiles() / (name_or_file + ".yaml");
  std::error_code ec;
  // The reference profile is built in too, so it works wherever the binary was copied to.
  if (!file && name_or_file == "reference" && !fs::exists(path, ec)) return harness::builtin_reference_profile();
  if (!file && !fs::exists(path, ec)) {
    return "no shipped profile named '" + name_or_file + "' (shipped: " + shipped_names() + " in " +
           bundled_profiles().string() + "); give a path for a profile of your own";
  }
  auto outcome = harness::check_profile_file(path);
  if (!outcome.profile) return harness::join_diagnostics(outcome.diagnostics);
  return std::move(*outcome.profile);
}

void add_profiles_command(CLI::App& app, int& exit_code) {
  auto* cmd = app.add_subcommand("profiles", "list the shipped target profiles, or show one (NAME or FILE)");
  auto given = std::make_shared<std::string>();
  cmd->add_option("profile", *given, "a shipped profile's name, or a profile file");
  cmd->callback([given, &exit_code] {
    if (given->empty()) {
      print_listing();
      exit_code = 0;
      return;
    }
    auto loaded = load_profile(*given);
    if (auto* error = std::get_if<std::string>(&loaded)) {
      std::cerr << "pushsim profiles: " << *error << "\n";
      exit_code = kExitUsage;
      return;
    }
    print_profile(std::get<harness::TargetProfile>(loaded));
    exit_code = 0;
  });
}

}  // namespace pushsim::apps
