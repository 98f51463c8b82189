#include "harness/fault_profile_file.hpp"

#include <yaml-cpp/yaml.h>

#include <array>
#include <fstream>
#include <sstream>

#include "harness/duration.hpp"
#include "harness/scenario_loader.hpp"
#include "harness/yaml_reader.hpp"

namespace pushsim::harness {
namespace {

constexpr std::size_t kProfileFileBytesMax = 64 * 1024;

std::optional<fakes::Ratio> read_ratio(YamlContext& context, const Field& field) {
  auto text = read_string(context, field);
  if (!text) return std::nullopt;
  const auto slash = text->find('/');
  try {
    if (slash != std::string::npos) {
      const std::uint64_t n = std::stoull(text->substr(0, slash));
      const std::uint64_t d = std::stoull(text->substr(slash + 1));
      if (d > 0 && n <= d) return fakes::Ratio{n, d};
    } else if (*text == "0" || *text == "1") {
      return fakes::Ratio{*text == "1" ? 1u : 0u, 1};
    }
  } catch (const std::exception&) {}
  context.error(field.where, "expected a chance like 1/3 for '" + field.key + "' in " + field.owner + ", found " +
                                 describe_found(field.value));
  return std::nullopt;
}

template <std::size_t N>
MapReader sub_map(YamlContext& context, const Field& field, const std::array<std::string_view, N>& keys) {
  return MapReader(context, field.value, field.where, "'" + field.key + "'", keys);
}

void read_jitter(YamlContext& context, const Field& field, fakes::FaultProfile& p) {
  static constexpr std::array<std::string_view, 5> kKeys{"chance", "min", "max", "for_min", "for_max"};
  MapReader map = sub_map(context, field, kKeys);
  DurationNs lo = 0, hi = 0;
  if (auto f = map.require("chance")) p.jitter_chance = read_ratio(context, *f).value_or(fakes::Ratio{});
  if (auto f = map.get("min")) lo = read_duration(context, *f).value_or(0);
  if (auto f = map.require("max")) hi = read_duration(context, *f).value_or(0);
  if (auto f = map.get("for_min")) p.jitter_min = read_duration(context, *f).value_or(p.jitter_min);
  if (auto f = map.get("for_max")) p.jitter_max = read_duration(context, *f).value_or(p.jitter_max);
  if (hi < lo) context.error(map.where(), "jitter max is below its min");
  p.jitter = fakes::Latency::uniform(lo, hi);
}

void read_loss(YamlContext& context, const Field& field, fakes::FaultProfile& p) {
  static constexpr std::array<std::string_view, 3> kKeys{"chance", "retransmit", "max"};
  MapReader map = sub_map(context, field, kKeys);
  fakes::Ratio chance;
  DurationNs retransmit = ms(200), cap = seconds(3);
  if (auto f = map.require("chance")) chance = read_ratio(context, *f).value_or(fakes::Ratio{});
  if (auto f = map.get("retransmit")) retransmit = read_duration(context, *f).value_or(retransmit);
  if (auto f = map.get("max")) cap = read_duration(context, *f).value_or(cap);
  p.jitter_chance = {1, 1};
  p.jitter = fakes::Latency::retransmission(0, 0, chance, retransmit, cap);
  p.jitter_min = p.jitter_max = seconds(600);
}

void read_partitions(YamlContext& context, const Field& field, fakes::FaultProfile& p) {
  static constexpr std::array<std::string_view, 3> kKeys{"chance", "min", "max"};
  MapReader map = sub_map(context, field, kKeys);
  if (auto f = map.require("chance")) p.partition_chance = read_ratio(context, *f).value_or(fakes::Ratio{});
  if (auto f = map.get("min")) p.partition_min = read_duration(context, *f).value_or(p.partition_min);
  if (auto f = map.get("max")) p.partition_max = read_duration(context, *f).value_or(p.partition_max);
}

void read_webhook_failures(YamlContext& context, const Field& field, fakes::FaultProfile& p) {
  static constexpr std::array<std::string_view, 2> kKeys{"chance", "max"};
  MapReader map = sub_map(context, field, kKeys);
  if (auto f = map.require("chance")) p.webhook_failure_chance = read_ratio(context, *f).value_or(fakes::Ratio{});
  if (auto f = map.get("max")) {
    p.webhook_failures_max = static_cast<std::size_t>(read_integer(context, *f, 1, 1000).value_or(1));
  }
}

void read_profile(YamlContext& context, const YAML::Node& root, fakes::FaultProfile& p) {
  static constexpr std::array<std::string_view, 6> kKeys{"name", "horizon",    "jitter",
                                                         "loss", "partitions", "webhook_failures"};
  MapReader map(context, root, SourceLocation{context.file(), 1, 1}, "fault profile", kKeys);
  if (auto f = map.get("name")) p.name = read_string(context, *f).value_or(p.name);
  if (auto f = map.get("horizon")) p.horizon = std::max<DurationNs>(1, read_duration(context, *f).value_or(p.horizon));
  if (map.get("jitter") && map.get("loss"))
    context.error(map.get("loss")->where, "give either jitter or loss, not both");
  if (auto f = map.get("jitter")) read_jitter(context, *f, p);
  if (auto f = map.get("loss")) read_loss(context, *f, p);
  if (auto f = map.get("partitions")) read_partitions(context, *f, p);
  if (auto f = map.get("webhook_failures")) read_webhook_failures(context, *f, p);
  if (context.has_errors()) return;
  if (auto why = p.exploration_violation()) {
    context.error(map.where(), "this profile cannot be used for exploration: " + *why);
  }
}

}  // namespace

Result<fakes::FaultProfile> parse_fault_profile(std::string_view text, const std::string& display_name) {
  YamlContext context(display_name);
  fakes::FaultProfile profile;
  profile.name = std::filesystem::path(display_name).stem().string();
  if (text.size() > kProfileFileBytesMax) {
    return make_error(display_name + ": a fault profile file holds at most 64 KiB");
  }
  try {
    read_profile(context, YAML::Load(std::string(text)), profile);
  } catch (const YAML::Exception& e) {
    context.error(context.at(e.mark), "YAML syntax error: " + e.msg);
  }
  auto diagnostics = context.take_diagnostics();
  if (!diagnostics.empty()) return make_error(join_diagnostics(diagnostics));
  return profile;
}

Result<fakes::FaultProfile> load_fault_profile(const std::filesystem::path& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return make_error(path.string() + ": cannot read the file");
  std::ostringstream text;
  text << in.rdbuf();
  return parse_fault_profile(text.str(), path.string());
}

Result<fakes::FaultProfile> resolve_fault_profile(const std::string& argument) {
  for (const auto& profile : fakes::FaultProfile::exploration()) {
    if (profile.name == argument) return profile;
  }
  std::error_code ec;
  if (std::filesystem::is_regular_file(argument, ec)) return load_fault_profile(argument);
  std::string names;
  for (const auto& profile : fakes::FaultProfile::exploration()) names += (names.empty() ? "" : ", ") + profile.name;
  return make_error("no fault profile '" + argument + "': give one of " + names + ", or a YAML file");
}

}  // namespace pushsim::harness
