#pragma once
// Shared by the fuzz targets: the input as text, split into records, and findings that stop
// the run. A finding prints what broke and aborts, so that libFuzzer saves the input as a
// crash-* file; sanitizer reports do the same by themselves.
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <string_view>
#include <vector>

namespace pushsim::fuzz {

inline std::string_view as_text(const std::uint8_t* data, std::size_t size) {
  return {reinterpret_cast<const char*>(data), size};
}

[[noreturn]] inline void fail(std::string_view what, std::string_view detail = {}) {
  std::fprintf(stderr, "FUZZ FINDING: %.*s\n%.*s\n", static_cast<int>(what.size()), what.data(),
               static_cast<int>(detail.size()), detail.data());
  std::abort();
}

inline void check(bool holds, std::string_view what, std::string_view detail = {}) {
  if (!holds) fail(what, detail);
}

// Lines separated by '\n'; the last one may lack it. Records of the line-based targets.
inline std::vector<std::string_view> split(std::string_view text, char separator) {
  std::vector<std::string_view> parts;
  for (;;) {
    auto end = text.find(separator);
    parts.push_back(text.substr(0, end));
    if (end == std::string_view::npos) return parts;
    text.remove_prefix(end + 1);
  }
}

// The text before the first `separator` and the rest after it (empty when there is none).
inline std::pair<std::string_view, std::string_view> cut(std::string_view text, char separator) {
  auto at = text.find(separator);
  if (at == std::string_view::npos) return {text, {}};
  return {text.substr(0, at), text.substr(at + 1)};
}

// The value of the leading decimal digits, at most `cap` (0 when there are none).
inline std::uint64_t leading_number(std::string_view text, std::uint64_t cap) {
  std::uint64_t value = 0;
  for (char c : text) {
    if (c < '0' || c > '9') break;
    value = value * 10 + static_cast<std::uint64_t>(c - '0');
    if (value >= cap) return cap;
  }
  return value;
}

}  // namespace pushsim::fuzz
