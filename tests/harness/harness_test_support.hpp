#pragma once
// Helpers shared by the harness tests: where the fixtures are, reading them, and printing
// model values in Catch's failure messages.
#include <catch2/catch.hpp>

#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>

#include "harness/scenario.hpp"
#include "test_paths.hpp"

namespace pushsim::harness::test {

// tests/harness, found from the test data folder tests/data.
inline std::filesystem::path fixtures() { return (pushsim::test::source_root() / "tests") / "harness"; }

inline std::string read_text(const std::filesystem::path& path) {
  std::ifstream in(path, std::ios::binary);
  std::ostringstream out;
  out << in.rdbuf();
  return out.str();
}

}  // namespace pushsim::harness::test

namespace Catch {
template <>
struct StringMaker<pushsim::harness::Step> {
  static std::string convert(const pushsim::harness::Step& step) {
    return pushsim::harness::location(step).to_string() + " " + pushsim::harness::describe_step(step);
  }
};
template <>
struct StringMaker<pushsim::harness::SourceLocation> {
  static std::string convert(const pushsim::harness::SourceLocation& where) { return where.to_string(); }
};
}  // namespace Catch
