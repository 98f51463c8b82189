# How pushsim builds fast: a compiler cache that other clones on this machine hit, a fast
# linker, and precompiled headers for the headers nearly every file includes. Each part is an
# option, so a packager can turn off what their toolchain lacks.

# ccache, configured here rather than in ~/.config so that every clone gets the same settings.
# base_dir makes the paths under this source tree relative before hashing, and hash_dir=false
# leaves the build directory out of the hash: a fresh clone in another folder hits the cache
# filled by this one. The sloppiness items are the ones ccache documents for precompiled headers.
# Two build trees (plain and sanitizer) fill about 1 GB; ccache's default 5 GB is cleaned per
# sixteenth, which evicted most of a cold CI run's entries while it ran: 10 GB leaves room.
option(PUSHSIM_CCACHE "Compile through ccache when it is installed" ON)
if(PUSHSIM_CCACHE AND NOT CMAKE_CXX_COMPILER_LAUNCHER)
  find_program(PUSHSIM_CCACHE_PROGRAM ccache)
  if(PUSHSIM_CCACHE_PROGRAM)
    set(CMAKE_CXX_COMPILER_LAUNCHER
        ${CMAKE_COMMAND} -E env CCACHE_BASEDIR=${CMAKE_SOURCE_DIR} CCACHE_NOHASHDIR=true CCACHE_MAXSIZE=10G
        CCACHE_SLOPPINESS=pch_defines,time_macros,include_file_mtime,include_file_ctime ${PUSHSIM_CCACHE_PROGRAM})
  endif()
endif()

# mold links the test binaries (tens of MB of debug info each) several times faster than ld.bfd.
option(PUSHSIM_FAST_LINKER "Link with mold (or lld) when installed" ON)
if(PUSHSIM_FAST_LINKER)
  find_program(PUSHSIM_MOLD mold)
  find_program(PUSHSIM_LLD ld.lld)
  if(PUSHSIM_MOLD)
    add_link_options(-fuse-ld=mold)
  elseif(PUSHSIM_LLD)
    add_link_options(-fuse-ld=lld)
  endif()
endif()

# Precompiled headers, for the few targets where they pay (PUSHSIM_PCH). With unity batches a
# test binary is 2-5 translation units, so a precompiled Catch2 saves a few seconds while its
# 150-250 MB .gch costs 15-20 s to build and crowds the compiler cache: off by default.
option(PUSHSIM_PCH "Precompile Catch2 and json for the test binaries" OFF)
function(pushsim_precompile target)
  if(PUSHSIM_PCH)
    target_precompile_headers(${target} PRIVATE <nlohmann/json.hpp> ${ARGN})
  endif()
endfunction()

# Unity builds: a library's sources compiled a few at a time, each batch as one translation unit,
# so that nlohmann/json, Beast and the standard library are parsed and their templates compiled
# once per batch rather than once per file (the protocol library builds in a sixth of the time).
# CMake's own UNITY_BUILD includes sources by absolute path, which no other clone's compiler cache
# entry would match; these batch files include them relative to the source root instead, and are
# rewritten only when their list changes. Sources are batched in path order, so a file's batch
# only changes when files are added or removed around it.
option(PUSHSIM_UNITY "Compile each library and test binary in batches of files" ON)
set(PUSHSIM_UNITY_BATCH 8 CACHE STRING "Source files per unity batch")
function(pushsim_unity_sources out_var name)
  set(srcs ${ARGN})
  if(NOT PUSHSIM_UNITY)
    set(${out_var} ${srcs} PARENT_SCOPE)
    return()
  endif()
  list(SORT srcs)
  set(batches "")
  set(content "")
  set(count 0)
  set(index 0)
  foreach(src IN LISTS srcs)
    file(RELATIVE_PATH rel ${CMAKE_SOURCE_DIR} ${src})
    string(APPEND content "#include \"${rel}\"\n")
    math(EXPR count "${count} + 1")
    if(count EQUAL PUSHSIM_UNITY_BATCH)
      set(batch ${CMAKE_BINARY_DIR}/unity/${name}_${index}.cpp)
      file(CONFIGURE OUTPUT ${batch} CONTENT "${content}" @ONLY)
      list(APPEND batches ${batch})
      set(content "")
      set(count 0)
      math(EXPR index "${index} + 1")
    endif()
  endforeach()
  if(count GREATER 0)
    set(batch ${CMAKE_BINARY_DIR}/unity/${name}_${index}.cpp)
    file(CONFIGURE OUTPUT ${batch} CONTENT "${content}" @ONLY)
    list(APPEND batches ${batch})
  endif()
  # The sources stay in the target for IDEs and for `ninja -t`, compiled only through their batch.
  set_source_files_properties(${srcs} PROPERTIES HEADER_FILE_ONLY ON)
  set(${out_var} ${batches} ${srcs} PARENT_SCOPE)
endfunction()

# ctest's -j counts tests, not cores, and a few tests mostly wait: on timeouts, on a server
# started and killed, on a misbehaving peer. Every test of a directory takes one slot of the
# resource `cpus`, except the waiting ones named here. Given a resource spec with as many cpus
# slots as cores (scripts/setup.sh writes one for the sanitizer pass), `ctest -j` can then be
# higher than the core count: the waiting tests run beside the others, and no more tests compute
# at once than there are cores. Without a spec file ctest ignores RESOURCE_GROUPS.
function(pushsim_tests_take_a_cpu)
  cmake_parse_arguments(arg "" "" "WAITING" ${ARGN})
  get_property(tests DIRECTORY PROPERTY TESTS)
  foreach(test IN LISTS tests)
    if(NOT test IN_LIST arg_WAITING)
      set_tests_properties(${test} PROPERTIES RESOURCE_GROUPS cpus:1)
    endif()
  endforeach()
endfunction()
