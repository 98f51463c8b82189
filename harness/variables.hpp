#pragma once
// Variables in scenario strings: `${alice.socket_id}` is the socket_id alice's connection
// received (known only once it has connected), `${alice.user_id}` the user_id declared for
// alice. They may appear in any string of a step, including strings inside `data` values.
// `$$` writes a literal `$`, so `$${x}` is the text `${x}`.
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "protocol/result.hpp"

namespace pushsim::harness {

enum class VariableAttribute { kSocketId, kUserId };

struct VariableRef {
  std::string client;
  VariableAttribute attribute = VariableAttribute::kSocketId;
  std::size_t offset = 0;  // of the '$' in the text
  std::size_t length = 0;  // of the whole `${...}`

  bool operator==(const VariableRef&) const = default;
};

std::string_view to_string(VariableAttribute attribute);

// Every variable in text, in order. Errors name the malformed one: an unterminated `${`, an
// empty name, or an attribute other than socket_id and user_id.
Result<std::vector<VariableRef>> find_variables(std::string_view text);

// Replaces each variable by lookup(ref); nullopt from lookup fails with a message naming
// the variable. Text must have passed find_variables.
using VariableLookup = std::function<std::optional<std::string>(const VariableRef&)>;
Result<std::string> substitute_variables(std::string_view text, const VariableLookup& lookup);

}  // namespace pushsim::harness
