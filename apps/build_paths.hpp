#pragma once
// Where this binary finds its bundled data (scenarios, profiles, the protocol document).
// The paths known when pushsim was built are compiled into one generated file
// (build_paths.cpp.in), so that no other file's compile command depends on where the source tree is.
#include <filesystem>
#include <string_view>

namespace pushsim::apps {

// The bundled scenarios in the source tree this binary was built from.
const char* source_scenarios_dir();
// The docs folder of that source tree, which holds protocol.md.
const char* source_docs_dir();
// The folder the build wrote this binary to.
const char* build_binary_dir();
// The installed data folder relative to the installed binary's folder ("../share/pushsim" for
// bin/ and share/ of GNUInstallDirs).
const char* data_dir_from_binary();

// The bundled data folder `name` ("scenarios", "docs"), the first of:
//  1. the environment variable `env_variable`, when set and not empty;
//  2. `name` in the data folder relative to this executable (an installed or unpacked pushsim),
//     when that folder exists;
//  3. `source_dir`, when this executable is the one in the build tree it was built in;
//  4. the path of 2 all the same, so that whatever reads it says where pushsim looked.
// An installed binary therefore never reads the source tree it was built from, even when
// that tree is still there (data_dirs.cpp).
std::filesystem::path bundled_dir(const char* env_variable, std::string_view name, const char* source_dir);

}  // namespace pushsim::apps
