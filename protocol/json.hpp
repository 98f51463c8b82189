#pragma once
// One JSON type for the whole project. nlohmann::json keeps object keys sorted, so anything
// we serialise from a Json value is byte-stable: a determinism requirement, not a taste.
#include <nlohmann/json.hpp>

namespace pushsim {
using Json = nlohmann::json;
}  // namespace pushsim
