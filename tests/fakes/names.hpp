#pragma once
// "c" + std::to_string(i) trips a false -Wrestrict in g++ 12 at -O3 (GCC bug 105651), which
// -Werror turns into a failed Release build; this builds the same string without it.
#include <string>
#include <string_view>

namespace pushsim::fakes::testing {

inline std::string numbered(std::string_view prefix, long long n) {
  std::string out(prefix);
  out += std::to_string(n);
  return out;
}

}  // namespace pushsim::fakes::testing
