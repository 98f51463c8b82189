#include "harness/scenario_vocabulary.hpp"

#include <algorithm>
#include <string>

namespace pushsim::harness {

bool is_known(std::span<const std::string_view> words, std::string_view word) {
  return std::find(words.begin(), words.end(), word) != words.end();
}

std::string join_words(std::span<const std::string_view> words) {
  std::string out;
  for (const auto word : words) {
    if (!out.empty()) out += ", ";
    out += word;
  }
  return out;
}

}  // namespace pushsim::harness
