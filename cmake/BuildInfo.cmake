# Run at build time (cmake -P) by the pushsim_build_info target: writes OUTPUT, a C++ file that
# holds the git commit pushsim is built from, and rewrites it only when that commit changes, so
# a new commit recompiles this one file and relinks the binary, nothing else.
#
# Inputs: SOURCE_DIR (the tree to ask git about), OUTPUT, COMMIT (PUSHSIM_GIT_COMMIT: wins when
# set, for builds from a tarball or a container context without .git). Outside git: "unknown".
if(COMMIT)
  set(commit "${COMMIT}")
else()
  set(commit "unknown")
  find_package(Git QUIET)
  if(GIT_FOUND)
    execute_process(COMMAND "${GIT_EXECUTABLE}" -C "${SOURCE_DIR}" rev-parse --short=12 HEAD
                    OUTPUT_VARIABLE head RESULT_VARIABLE head_failed OUTPUT_STRIP_TRAILING_WHITESPACE ERROR_QUIET)
    if(NOT head_failed AND head)
      set(commit "${head}")
      # A binary built from modified sources must not claim to be that commit. No optional
      # locks: a build never takes the index lock a developer's git command wants.
      execute_process(COMMAND "${GIT_EXECUTABLE}" --no-optional-locks -C "${SOURCE_DIR}" status --porcelain
                              --untracked-files=no
                      OUTPUT_VARIABLE changes RESULT_VARIABLE status_failed ERROR_QUIET)
      if(NOT status_failed AND changes)
        string(APPEND commit "-dirty")
      endif()
    endif()
  endif()
endif()
file(CONFIGURE OUTPUT "${OUTPUT}" CONTENT [=[
// Generated at build time by cmake/BuildInfo.cmake: the commit this pushsim was built from.
#include "apps/build_info.hpp"

namespace pushsim::apps {

const char* build_commit() { return "@commit@"; }

}  // namespace pushsim::apps
]=] @ONLY)
