#include "harness/target_profile.hpp"

#include <algorithm>
#include <fstream>

#include "harness/glob_match.hpp"
#include "harness/scenario_vocabulary.hpp"
#include "harness/yaml_documents.hpp"
#include "harness/yaml_reader.hpp"

namespace pushsim::harness {
namespace {

constexpr std::string_view kProfileKeys[] = {"profile",    "description", "server",
                                             "connection", "features",    "deviations"};
constexpr std::string_view kConnectionKeys[] = {"host", "port", "tls", "path"};
constexpr std::string_view kDeviationKeys[] = {"scenario", "reason", "link"};

bool is_profile_name(std::string_view name) {
  return !name.empty() && std::all_of(name.begin(), name.end(), [](char c) {
    return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' || c == '_';
  });
}

// Scenario ids are area.N; a pattern may also hold the glob characters * and ?.
bool is_scenario_pattern(std::string_view pattern) {
  return !pattern.empty() && std::all_of(pattern.begin(), pattern.end(), [](char c) {
    return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_' || c == '-' || c == '.' || c == '*' || c == '?';
  });
}

SourceLocation item_place(const YamlContext& context, const YAML::Node& item, const SourceLocation& fallback) {
  return item.Mark().is_null() ? fallback : context.at(item.Mark());
}

// A required string that must not be empty.
std::string read_text(YamlContext& context, const MapReader& map, std::string_view key, const std::string& owner) {
  auto field = map.require(key);
  if (!field) return {};
  auto text = read_string(context, *field);
  if (text && text->empty()) context.error(field->where, "expected a non-empty '" + field->key + "' in " + owner);
  return text.value_or("");
}

void read_name(YamlContext& context, const MapReader& map, TargetProfile& profile) {
  auto field = map.require("profile");
  if (!field) return;
  profile.name = read_string(context, *field).value_or("");
  profile.where = field->where;
  if (field->value.IsScalar() && !is_profile_name(profile.name)) {
    context.error(field->where, "bad profile name '" + profile.name +
                                    "' (expected lower-case letters, digits, '-' or '_', like soketi)");
  }
}

ProfileConnection read_connection(YamlContext& context, const Field& field) {
  ProfileConnection connection;
  MapReader map(context, field.value, field.where, "'connection' of profile", kConnectionKeys);
  if (auto host = map.get("host")) connection.host = read_string(context, *host);
  if (auto port = map.get("port")) {
    if (auto number = read_integer(context, *port, 1, 65535)) connection.port = static_cast<int>(*number);
  }
  if (auto tls = map.get("tls")) connection.tls = read_bool(context, *tls);
  if (auto path = map.get("path")) {
    connection.path = read_string(context, *path);
    if (connection.path && !connection.path->empty() && !connection.path->starts_with("/")) {
      context.error(path->where,
                    "expected a path prefix starting with '/' for 'path' in 'connection' of profile, "
                    "found '" +
                        *connection.path + "'");
    }
  }
  return connection;
}

// Each feature is checked where it is written, so that a misspelt one is pointed at exactly.
std::set<std::string> read_features(YamlContext& context, const Field& field) {
  std::set<std::string> features;
  if (!field.value.IsSequence()) {
    context.error(field.where, "expected a list of features for 'features' in profile, found " +
                                   describe_found(field.value) + " (an empty list is [])");
    return features;
  }
  for (const auto& item : field.value) {
    const SourceLocation where = item_place(context, item, field.where);
    if (!item.IsScalar()) {
      context.error(where, "expected a feature name in 'features' of profile, found " + describe_found(item));
    } else if (!is_known(kKnownFeatures, item.Scalar())) {
      context.error(where, "unknown feature '" + item.Scalar() +
                               "' in 'features' (expected one of: " + join_words(kKnownFeatures) + ")");
    } else if (!features.insert(item.Scalar()).second) {
      context.error(where, "feature '" + item.Scalar() + "' is listed twice in 'features'");
    }
  }
  return features;
}

std::optional<ProfileDeviation> read_deviation(YamlContext& context, const YAML::Node& item,
                                               const SourceLocation& where) {
  MapReader map(context, item, where, "deviation", kDeviationKeys);
  if (!map.is_map()) return std::nullopt;
  ProfileDeviation deviation;
  deviation.where = where;
  if (auto scenario = map.require("scenario")) {
    deviation.where = scenario->where;
    deviation.note.scenario = read_string(context, *scenario).value_or("");
    if (scenario->value.IsScalar() && !is_scenario_pattern(deviation.note.scenario)) {
      context.error(scenario->where, "bad scenario pattern '" + deviation.note.scenario +
                                         "' in deviation (expected an id like presence.12 or a glob like presence.*)");
    }
  }
  deviation.note.reason = read_text(context, map, "reason", "deviation");
  deviation.note.link = read_text(context, map, "link", "deviation");
  if (auto link = map.get("link"); link && !deviation.note.link.empty() &&
                                   !deviation.note.link.starts_with("https://") &&
                                   !deviation.note.link.starts_with("http://")) {
    context.error(link->where, "expected an http(s):// link to where upstream documents the deviation, found '" +
                                   deviation.note.link + "'");
  }
  return deviation;
}

std::vector<ProfileDeviation> read_deviations(YamlContext& context, const Field& field) {
  std::vector<ProfileDeviation> deviations;
  if (!field.value.IsSequence()) {
    context.error(field.where,
                  "expected a list of deviations ({scenario, reason, link}) for 'deviations' in "
                  "profile, found " +
                      describe_found(field.value));
    return deviations;
  }
  for (const auto& item : field.value) {
    const SourceLocation where = item_place(context, item, field.where);
    if (deviations.size() == kDeviationsMax) {
      context.error(where, "more than " + std::to_string(kDeviationsMax) + " deviations");
      break;
    }
    auto deviation = read_deviation(context, item, where);
    if (!deviation) continue;
    auto same = std::find_if(deviations.begin(), deviations.end(),
                             [&](const ProfileDeviation& d) { return d.note.scenario == deviation->note.scenario; });
    if (same != deviations.end() && !deviation->note.scenario.empty()) {
      context.error(deviation->where, "scenario '" + deviation->note.scenario + "' has two deviations (first at " +
                                          same->where.line_column() + ")");
      continue;
    }
    deviations.push_back(std::move(*deviation));
  }
  return deviations;
}

TargetProfile parse_profile(YamlContext& context, const YAML::Node& root) {
  TargetProfile profile;
  profile.where = root.Mark().is_null() ? SourceLocation{context.file(), 1, 1} : context.at(root.Mark());
  MapReader map(context, root, profile.where, "profile", kProfileKeys);
  if (!map.is_map()) return profile;
  read_name(context, map, profile);
  profile.description = read_text(context, map, "description", "profile");
  profile.server = read_text(context, map, "server", "profile");
  if (auto connection = map.get("connection")) profile.connection = read_connection(context, *connection);
  if (auto features = map.require("features")) profile.features = read_features(context, *features);
  if (auto deviations = map.get("deviations")) profile.deviations = read_deviations(context, *deviations);
  return profile;
}

void parse_profile_documents(YamlContext& context, std::string_view text, std::optional<TargetProfile>& profile) {
  std::vector<YAML::Node> documents = load_all_documents(std::string(text));
  std::erase_if(documents, [](const YAML::Node& node) { return node.IsNull(); });
  if (documents.empty()) {
    context.error(SourceLocation{context.file(), 1, 1},
                  "expected a profile (a map with profile, description, server and features), found an empty file");
    return;
  }
  if (documents.size() > 1) {
    const YAML::Mark mark = documents[1].Mark();
    context.error(mark.is_null() ? SourceLocation{context.file(), 1, 1} : context.at(mark),
                  "expected one YAML document per profile file, found another one here");
  }
  profile = parse_profile(context, documents[0]);
}

}  // namespace

TargetProfile builtin_reference_profile() {
  TargetProfile profile;
  profile.name = "reference";
  profile.description = "pushsim's reference engine (the simulation and pushsim serve)";
  profile.server = "pushsim (this build)";
  for (const auto feature : kKnownFeatures) profile.features.emplace(feature);
  return profile;
}

ProfileOutcome check_profile_text(std::string_view text, const std::string& display_name) {
  YamlContext context(display_name);
  std::optional<TargetProfile> profile;
  if (text.size() > kProfileFileBytesMax) {
    context.error(SourceLocation{display_name, 1, 1}, "expected a profile file of at most " +
                                                          std::to_string(kProfileFileBytesMax) + " bytes, found " +
                                                          std::to_string(text.size()));
  } else {
    try {
      parse_profile_documents(context, text, profile);
    } catch (const YAML::Exception& e) {
      context.error(context.at(e.mark), "YAML syntax error: " + e.msg);
    } catch (const std::exception& e) {
      context.error(SourceLocation{display_name, 1, 1}, std::string("could not read the file: ") + e.what());
    }
  }
  ProfileOutcome outcome;
  outcome.diagnostics = context.take_diagnostics();
  if (outcome.diagnostics.empty()) outcome.profile = std::move(profile);
  return outcome;
}

ProfileOutcome check_profile_file(const std::filesystem::path& path) {
  const std::string display_name = path.string();
  std::ifstream in(path, std::ios::binary);
  std::error_code ec;
  if (!in || std::filesystem::is_directory(path, ec)) {
    return ProfileOutcome{std::nullopt, {Diagnostic{SourceLocation{display_name, 0, 0}, "cannot read the file"}}};
  }
  std::string text;
  text.resize(kProfileFileBytesMax + 1);  // one byte over is enough to know it is too long
  in.read(text.data(), static_cast<std::streamsize>(text.size()));
  text.resize(static_cast<std::size_t>(in.gcount()));
  return check_profile_text(text, display_name);
}

bool looks_like_profile(std::string_view text) {
  try {
    const auto documents = load_all_documents(std::string(text));
    for (const auto& document : documents) {
      if (document.IsNull()) continue;
      return document.IsMap() && document["profile"].IsDefined();
    }
  } catch (const std::exception&) {}
  return false;
}

const ProfileDeviation* find_deviation(const TargetProfile& profile, std::string_view scenario_id) {
  for (const auto& deviation : profile.deviations) {
    if (glob_match(deviation.note.scenario, scenario_id)) return &deviation;
  }
  return nullptr;
}

std::optional<std::string> profile_skip_reason(const Scenario& scenario, const TargetProfile& profile) {
  for (const auto& feature : scenario.requires_features) {
    if (profile.features.count(feature) == 0) {
      return "profile '" + profile.name + "' lacks feature '" + feature + "'";
    }
  }
  return std::nullopt;
}

void apply_deviation(ScenarioResult& result, const DeviationNote& deviation) {
  switch (result.verdict) {
    case Verdict::kFail:
    case Verdict::kNonStrict: result.verdict = Verdict::kKnownDeviation; break;
    case Verdict::kPass: result.verdict = Verdict::kUnexpectedPass; break;
    case Verdict::kInformational:
    case Verdict::kSkipped:
    case Verdict::kKnownDeviation:
    case Verdict::kUnexpectedPass:
    case Verdict::kNotRun: break;
  }
  result.deviation = deviation;
}

std::vector<Diagnostic> inapplicable_deviations(const TargetProfile& profile, const std::vector<Scenario>& suite) {
  std::vector<Diagnostic> out;
  for (const auto& deviation : profile.deviations) {
    std::size_t matched = 0;
    bool applicable = false;
    std::string why_skipped;  // of the last match that would be skipped
    for (const auto& scenario : suite) {
      if (!glob_match(deviation.note.scenario, scenario.id)) continue;
      ++matched;
      auto reason = profile_skip_reason(scenario, profile);
      if (!reason && scenario.simulation_only) reason = "it is simulation-only";
      if (!reason) {
        applicable = true;  // one scenario it can apply to is enough
        break;
      }
      why_skipped = std::move(*reason);
    }
    if (matched == 0) {
      out.push_back(Diagnostic{deviation.where, "deviation '" + deviation.note.scenario +
                                                    "' matches no scenario of the suite (renamed or removed?)"});
    } else if (!applicable) {
      out.push_back(Diagnostic{deviation.where, "deviation '" + deviation.note.scenario +
                                                    "' only matches scenarios that are never run against this "
                                                    "profile (" +
                                                    why_skipped + ")"});
    }
  }
  return out;
}

std::string profile_ws_url(const ProfileConnection& connection) {
  const bool tls = connection.tls.value_or(false);
  return std::string(tls ? "wss://" : "ws://") + connection.host.value_or("127.0.0.1") + ":" +
         std::to_string(connection.port.value_or(6001)) + connection.path.value_or("");
}

}  // namespace pushsim::harness
