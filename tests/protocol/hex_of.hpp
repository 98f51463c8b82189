#pragma once
// Lowercase hex of raw bytes, written independently of protocol/ so that the signing tests do
// not check the code under test with itself.
#include <string>
#include <string_view>

namespace pushsim::test {

inline std::string hex_of(std::string_view bytes) {
  static constexpr char kHex[] = "0123456789abcdef";
  std::string out;
  for (char c : bytes) {
    auto byte = static_cast<unsigned char>(c);
    out += kHex[byte >> 4];
    out += kHex[byte & 0xf];
  }
  return out;
}

}  // namespace pushsim::test
