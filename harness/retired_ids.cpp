#include "harness/retired_ids.hpp"

#include <array>
#include <fstream>
#include <map>
#include <sstream>
#include <string_view>

#include "harness/yaml_reader.hpp"

namespace pushsim::harness {

std::vector<RetiredId> read_retired_ids(const std::filesystem::path& file, std::vector<Diagnostic>& diagnostics) {
  YamlContext context(file.string());
  std::vector<RetiredId> out;
  std::ifstream in(file, std::ios::binary);
  if (!in) {
    diagnostics.push_back(Diagnostic{SourceLocation{file.string(), 0, 0}, "cannot read"});
    return out;
  }
  std::ostringstream text;
  text << in.rdbuf();
  YAML::Node root;
  try {
    root = YAML::Load(text.str());
  } catch (const YAML::Exception& e) {
    diagnostics.push_back(Diagnostic{context.at(e.mark), e.msg});
    return out;
  }
  if (!root.IsSequence()) {
    diagnostics.push_back(
        Diagnostic{SourceLocation{file.string(), 1, 1},
                   "expected a list of retired ids ({id, replaced_by, why}), found " + describe_found(root)});
    return out;
  }
  static constexpr std::array<std::string_view, 3> kKeys = {"id", "replaced_by", "why"};
  std::map<std::string, SourceLocation> seen;
  for (const auto& node : root) {
    MapReader entry(context, node, context.at(node.Mark()), "retired id", kKeys);
    if (!entry.is_map()) continue;
    RetiredId retired;
    retired.where = entry.where();
    const auto id = entry.require("id");
    const auto why = entry.require("why");
    if (id) retired.id = read_string(context, *id).value_or("");
    if (why) retired.why = read_string(context, *why).value_or("");
    if (const auto replaced_by = entry.get("replaced_by")) {
      retired.replaced_by = read_string(context, *replaced_by).value_or("");
    }
    if (retired.id.empty()) continue;
    const auto [it, inserted] = seen.emplace(retired.id, retired.where);
    if (!inserted) {
      context.error(retired.where,
                    "retired id '" + retired.id + "' is listed twice (first at " + it->second.to_string() + ")");
      continue;
    }
    out.push_back(std::move(retired));
  }
  auto found = context.take_diagnostics();
  diagnostics.insert(diagnostics.end(), found.begin(), found.end());
  return out;
}

}  // namespace pushsim::harness
