#pragma once
// Where the test binaries find the source tree's fixtures. The path is compiled into one
// generated file (test_paths.cpp.in), so that no other test file's compile command names the
// clone it was built in and the compiler cache serves every clone alike.
#include <filesystem>

namespace pushsim::test {

// The root of the source tree the tests were built from.
std::filesystem::path source_root();

// tests/data: vectors.json and other shared inputs.
inline std::filesystem::path test_data() { return source_root() / "tests" / "data"; }

}  // namespace pushsim::test
