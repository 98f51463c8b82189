#pragma once
// What this pushsim binary is: its version (CMake's project(VERSION)) and the git commit it was
// built from, which --version prints and every report records. The commit lives in one file
// generated at build time (cmake/BuildInfo.cmake), so a new commit recompiles only that file.

namespace pushsim::apps {

// The git commit, 12 hex digits, with "-dirty" when tracked files differed from it; "unknown"
// outside a git checkout (PUSHSIM_GIT_COMMIT at configure time names it then).
const char* build_commit();

}  // namespace pushsim::apps
