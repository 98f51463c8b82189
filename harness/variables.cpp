#include "harness/variables.hpp"

namespace pushsim::harness {
namespace {

// Parses the `${...}` starting at text[start] (text[start] == '$', text[start+1] == '{').
Result<VariableRef> parse_one(std::string_view text, std::size_t start) {
  const std::size_t close = text.find('}', start + 2);
  if (close == std::string_view::npos) {
    return make_error("unterminated variable '" + std::string(text.substr(start)) +
                      "' (expected ${client.socket_id} or ${client.user_id})");
  }
  const std::string_view whole = text.substr(start, close - start + 1);
  const std::string_view inner = text.substr(start + 2, close - start - 2);
  const std::size_t dot = inner.rfind('.');
  const std::string_view client = dot == std::string_view::npos ? inner : inner.substr(0, dot);
  const std::string_view attribute = dot == std::string_view::npos ? std::string_view{} : inner.substr(dot + 1);
  VariableRef ref{std::string(client), VariableAttribute::kSocketId, start, whole.size()};
  if (attribute == "user_id") {
    ref.attribute = VariableAttribute::kUserId;
  } else if (attribute != "socket_id" || client.empty()) {
    return make_error("bad variable '" + std::string(whole) + "' (expected ${client.socket_id} or ${client.user_id})");
  }
  return ref;
}

}  // namespace

std::string_view to_string(VariableAttribute attribute) {
  return attribute == VariableAttribute::kSocketId ? "socket_id" : "user_id";
}

Result<std::vector<VariableRef>> find_variables(std::string_view text) {
  std::vector<VariableRef> refs;
  for (std::size_t i = 0; i < text.size(); ++i) {
    if (text[i] != '$' || i + 1 >= text.size()) continue;
    if (text[i + 1] == '$') {  // "$$" is an escaped dollar
      ++i;
      continue;
    }
    if (text[i + 1] != '{') continue;
    auto ref = parse_one(text, i);
    if (!ref) return ref.error();
    i += ref->length - 1;
    refs.push_back(std::move(ref).value());
  }
  return refs;
}

Result<std::string> substitute_variables(std::string_view text, const VariableLookup& lookup) {
  std::string out;
  for (std::size_t i = 0; i < text.size(); ++i) {
    const bool escape = text[i] == '$' && i + 1 < text.size();
    if (escape && text[i + 1] == '$') {
      out += '$';
      ++i;
    } else if (escape && text[i + 1] == '{') {
      auto ref = parse_one(text, i);
      if (!ref) return ref.error();
      auto value = lookup(*ref);
      if (!value) {
        return make_error("no value for '" + std::string(text.substr(i, ref->length)) + "' at this point");
      }
      out += *value;
      i += ref->length - 1;
    } else {
      out += text[i];
    }
  }
  return out;
}

}  // namespace pushsim::harness
