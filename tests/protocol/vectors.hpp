#pragma once
// Loads tests/data/vectors.json (made by the official Node SDK) for the protocol and fakes tests.
#include <fstream>
#include <sstream>
#include <string>

#include "protocol/json.hpp"
#include "test_paths.hpp"

namespace pushsim::test {

inline const pushsim::Json& vectors() {
  static const pushsim::Json all = [] {
    std::ifstream in(pushsim::test::test_data() / "vectors.json");
    std::stringstream text;
    text << in.rdbuf();
    return pushsim::Json::parse(text.str(), nullptr, false);
  }();
  return all;
}

inline pushsim::Json vector_named(const std::string& name) {
  for (const auto& v : vectors()["vectors"])
    if (v["name"] == name) return v;
  return nullptr;
}

}  // namespace pushsim::test
