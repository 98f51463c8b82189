#pragma once
// A fingerprint of a set of scenarios, recorded in every report so that two reports say whether
// they ran the same suite: equal fingerprints mean the same scenario ids with byte-identical
// files, wherever those files were (a source tree, an installed share/pushsim, a package).
#include <string>
#include <vector>

#include "harness/scenario.hpp"

namespace pushsim::harness {

// "sha256:" and 64 hex digits: SHA-256 over, for each scenario in id order, its id, the length
// of its file and the file's bytes (lengths make the concatenation unambiguous). Which folder
// the files are in, and the order they were given in, do not count. A file that cannot be read
// any more counts as the marker "unreadable", so the fingerprint still differs from the suite's.
std::string suite_fingerprint(const std::vector<Scenario>& scenarios);

}  // namespace pushsim::harness
