#include "harness/expected_value.hpp"

#include "harness/json_text.hpp"

namespace pushsim::harness {
namespace {

bool is_marker(const Json& value, const char* key) {
  return value.is_object() && value.size() == 1 && value.begin().key() == key;
}

void render(const Json& value, std::string& out) {
  if (is_absent_marker(value)) {
    out += "!absent";
  } else if (is_present_marker(value)) {
    out += "!present";
  } else if (const Json* inner = exact_inner(value)) {
    out += "!exact ";
    render(*inner, out);
  } else if (value.is_object()) {
    out += '{';
    bool first = true;
    for (const auto& [key, item] : value.items()) {
      out += first ? "" : ",";
      first = false;
      out += to_json_text(Json(key)) + ":";
      render(item, out);
    }
    out += '}';
  } else if (value.is_array()) {
    out += '[';
    for (std::size_t i = 0; i < value.size(); ++i) {
      out += i == 0 ? "" : ",";
      render(value[i], out);
    }
    out += ']';
  } else {
    out += to_json_text(value);
  }
}

}  // namespace

Json absent_marker() { return Json{{kAbsentMarkerKey, true}}; }
Json present_marker() { return Json{{kPresentMarkerKey, true}}; }
Json exact_marker(Json value) { return Json{{kExactMarkerKey, std::move(value)}}; }

bool is_absent_marker(const Json& value) { return is_marker(value, kAbsentMarkerKey); }
bool is_present_marker(const Json& value) { return is_marker(value, kPresentMarkerKey); }

const Json* exact_inner(const Json& value) {
  if (!is_marker(value, kExactMarkerKey)) return nullptr;
  return &value.begin().value();
}

std::string expected_text(const Json& expected, std::size_t max_chars) {
  std::string out;
  render(expected, out);
  if (out.size() > max_chars) out = out.substr(0, max_chars) + "...";
  return out;
}

}  // namespace pushsim::harness
