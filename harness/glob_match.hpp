#pragma once
// Scenario id globs, as `--only`, `--skip` and target profile deviations write them.
#include <string_view>

namespace pushsim::harness {

// `*` any run of characters, `?` one character; the whole id must match.
bool glob_match(std::string_view pattern, std::string_view text);

}  // namespace pushsim::harness
