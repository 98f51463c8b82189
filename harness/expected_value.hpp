#pragma once
// Expected values: JSON as a scenario writes it, plus three markers that subset matching
// cannot say by itself (scenarios/README.md, "Matching"):
//
//   !absent   the key must not be there at all
//   !present  the key must be there, with any value
//   !exact V  the value must equal V all the way down: no key or element beyond V's, and
//             nested maps compared the same way (numbers by value, 2 == 2.0)
//
// A marker is carried inside the Json tree as a one-key object whose key starts with a
// control character no YAML scenario can write by accident (the loader refuses keys holding
// control characters in expectations, see yaml_reader.cpp), so expectations stay plain Json
// and pass through variable substitution unchanged.
#include <optional>
#include <string>

#include "protocol/json.hpp"

namespace pushsim::harness {

inline constexpr const char* kAbsentMarkerKey = "\x01pushsim:absent";
inline constexpr const char* kPresentMarkerKey = "\x01pushsim:present";
inline constexpr const char* kExactMarkerKey = "\x01pushsim:exact";

Json absent_marker();
Json present_marker();
Json exact_marker(Json value);

bool is_absent_marker(const Json& value);
bool is_present_marker(const Json& value);
// The value an !exact marker holds; nullptr when value is not one.
const Json* exact_inner(const Json& value);

// The expectation as a scenario author reads it: JSON text with the markers written as
// their tags (`{"user_id":!absent,"data":!exact {"a":1}}`), cut at max_chars.
std::string expected_text(const Json& expected, std::size_t max_chars = 200);

}  // namespace pushsim::harness
