#include "harness/suite_fingerprint.hpp"

#include <algorithm>
#include <fstream>
#include <optional>
#include <sstream>

#include "protocol/signing.hpp"

namespace pushsim::harness {
namespace {

std::optional<std::string> file_bytes(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return std::nullopt;
  std::ostringstream bytes;
  bytes << in.rdbuf();
  if (in.bad()) return std::nullopt;
  return bytes.str();
}

std::string lowercase_hex(const std::string& bytes) {
  static constexpr char kDigits[] = "0123456789abcdef";
  std::string out;
  out.reserve(bytes.size() * 2);
  for (char c : bytes) {
    const auto byte = static_cast<unsigned char>(c);
    out += kDigits[byte >> 4];
    out += kDigits[byte & 0x0f];
  }
  return out;
}

}  // namespace

std::string suite_fingerprint(const std::vector<Scenario>& scenarios) {
  std::vector<const Scenario*> by_id;
  by_id.reserve(scenarios.size());
  for (const auto& scenario : scenarios) by_id.push_back(&scenario);
  std::sort(by_id.begin(), by_id.end(), [](const Scenario* a, const Scenario* b) { return a->id < b->id; });
  std::string input;
  for (const Scenario* scenario : by_id) {
    input += scenario->id + "\n";
    if (auto bytes = file_bytes(scenario->where.file)) {
      input += std::to_string(bytes->size()) + "\n" + *bytes;
    } else {
      input += "unreadable\n";
    }
  }
  return "sha256:" + lowercase_hex(sha256_bytes(input));
}

}  // namespace pushsim::harness
