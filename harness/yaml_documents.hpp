#pragma once
// YAML::LoadAll without its infinite loop.
//
// yaml-cpp 0.7 (Debian 12's) never returns from LoadAll on a stray ',' outside brackets
// (jbeder/yaml-cpp#1040, fixed upstream by PR #1319): the parser reports an empty document
// without consuming the token, and LoadAll collects empty documents until memory runs out.
// We first walk the documents with a bounded event pass; if the parser stops advancing we
// throw a ParserException at the stuck token, as a syntax error would, and only otherwise
// call LoadAll, which then ends the same way the probe did.
#include <string>
#include <vector>

#include <yaml-cpp/yaml.h>

namespace pushsim::harness {

inline constexpr int kYamlDocumentsMax = 1000;

// Every document of text; throws YAML::ParserException on bad YAML (never loops).
std::vector<YAML::Node> load_all_documents(const std::string& text);

}  // namespace pushsim::harness
