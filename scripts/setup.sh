#!/usr/bin/env bash
# One entry point for a fresh Debian 12 machine (the README's two commands):
#   bash scripts/setup.sh        install what is missing, build, run the main job
#   bash scripts/setup.sh test   install what is missing and run every test: the live, install and
#                                tidiness tests on a plain build of pushsim, every other test on
#                                a build with ASan+UBSan (any sanitizer report fails the run)
# Environment: BUILD_DIR (default build), JOBS (default 2), PUSHSIM_SANITIZE=ON for ASan+UBSan,
# SANITIZE_BUILD_DIR (default build-sanitize), SANITIZE=0 to run every test on the plain build
# instead, without sanitizers (see the README for how long each part takes).
set -euo pipefail
cd "$(dirname "$0")/.."

mode=${1:-main}
build_dir=${BUILD_DIR:-build}
jobs=${JOBS:-2}

bash scripts/install-deps.sh

# Line tables only (-g1): backtraces and perf keep file:line, and the build takes a third less
# time than with full debug info. ccache (cmake/BuildSpeed.cmake) serves any clone on this machine.
cmake -S . -B "$build_dir" -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo -DCMAKE_CXX_FLAGS_RELWITHDEBINFO="-O2 -g1 -DNDEBUG" \
  -DPUSHSIM_WERROR=ON -DPUSHSIM_SANITIZE="${PUSHSIM_SANITIZE:-OFF}" >/dev/null
# The main job needs the pushsim binary alone. The test command with its sanitizer pass builds
# pushsim and the benchmarks here (every unit test runs in the sanitizer pass, below); without
# it (SANITIZE=0), everything.
sanitize=${SANITIZE:-1}
if [ "$mode" = main ]; then
  cmake --build "$build_dir" -j "$jobs" --target pushsim
elif [ "$sanitize" != 0 ]; then
  cmake --build "$build_dir" -j "$jobs" --target pushsim pushsim_benches
else
  cmake --build "$build_dir" -j "$jobs"
fi

# ctest's -j counts tests, not cores: every test takes one of $jobs cpus (RESOURCE_GROUPS,
# cmake/BuildSpeed.cmake) but those that mostly wait on real time (tests/CMakeLists.txt names
# them), which run beside the others. Writes the resource spec for a build tree; prints its path.
cpu_spec() {
  local spec
  spec="$(cd "$1" && pwd)/cpus.json"
  printf '{"version": {"major": 1, "minor": 0}, "local": [{"cpus": [{"id": "0", "slots": %d}]}]}\n' "$jobs" >"$spec"
  echo "$spec"
}
# Tests at once: the cores' worth that compute, and up to 8 that wait.
test_jobs=$((jobs + 8))

# The tests the sanitizer pass leaves to the plain build: those over real time or external
# programs that would only be slower under the sanitizers (the live suite on one server and on a
# two-node cluster, live exploration of a cluster, whose defect shows only within a 10 ms window,
# Chromium, the SDK interop), the install and package test (tests/install),
# which checks what is shipped, not memory, and the tree's tidiness, which builds nothing. They
# need the pushsim binary alone.
plain_only='^(live/run_target_serve|harness/cluster_suite_live|apps/explore_live_cluster|reports/html_in_chromium|interop/sdk|tidy/.*|install/.*)$'

# Every other test, built with AddressSanitizer and UndefinedBehaviorSanitizer: the unit tests,
# the simulated suite, selftest, the serve abuse test, the cluster scenarios against three serve
# processes over Redis (the cluster code's asynchronous paths are where memory errors would
# hide), and a replay of the fuzz targets' committed corpora (fuzz/CMakeLists.txt). Only what
# those tests need is built (no benchmarks). They run here only, not also in the plain build: a
# second build of every test binary took a third of a cold CI run. The first report stops the
# process with a failure: halt_on_error for ASan, -fno-sanitize-recover for UBSan.
sanitizer_pass() {
  local dir=${SANITIZE_BUILD_DIR:-build-sanitize}
  local started=$SECONDS
  # -O1 with line tables only. -O0 was measured too (cold clean clone, 2026-12-03): the build took
  # 562 s instead of 789, but the tests 432 s instead of 245 (the simulated suites run 2-3 times
  # slower), so nothing was won and tests came closer to their timeouts.
  # GCC rather than clang: on a unity batch of harness/ both took the same CPU (57.6 s and 58.1 s
  # user at -O1 with ASan+UBSan), and GCC shares the plain pass's toolchain.
  cmake -S . -B "$dir" -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo -DCMAKE_CXX_FLAGS_RELWITHDEBINFO="-O1 -g1 -DNDEBUG" \
    -DPUSHSIM_WERROR=ON -DPUSHSIM_SANITIZE=ON -DPUSHSIM_BENCH=OFF >/dev/null
  # Everything the sanitizer configuration has (no benchmarks there): a test's helper program
  # or a fuzz target left out of a list would fail its test rather than be skipped.
  cmake --build "$dir" -j "$jobs"
  echo "sanitize: built in $((SECONDS - started)) s"
  export ASAN_OPTIONS=halt_on_error=1:abort_on_error=1:detect_leaks=1:strict_string_checks=1:detect_stack_use_after_return=1
  export UBSAN_OPTIONS=halt_on_error=1:print_stacktrace=1
  # 20 s of serve abuse instead of the default minute: under ASan it looks for memory errors
  # and leaks, which the first rounds of each kind of abuse already exercise.
  export PUSHSIM_ABUSE_SECONDS=${PUSHSIM_ABUSE_SECONDS:-20}
  # One ctest test per test file (PUSHSIM_TESTS_PER_FILE, tests/CMakeLists.txt): a sanitized
  # test binary takes 0.3-0.8 s of CPU just to start.
  ctest --test-dir "$dir" -j "$test_jobs" --resource-spec-file "$(cpu_spec "$dir")" --output-on-failure --timeout 600 \
    -E "$plain_only"
  echo "sanitize: built and tested in $((SECONDS - started)) s"
}

case "$mode" in
  main)
    "$build_dir/pushsim" --version
    # The bundled conformance suite against the reference engine, in virtual time.
    "$build_dir/pushsim" run
    ;;
  test)
    selection=()
    [ "$sanitize" = 0 ] || selection=(-R "$plain_only")
    ctest --test-dir "$build_dir" -j "$test_jobs" --resource-spec-file "$(cpu_spec "$build_dir")" \
      --output-on-failure --timeout 300 "${selection[@]}"
    echo "plain: built and tested in $SECONDS s"
    if [ "$sanitize" != 0 ]; then sanitizer_pass; fi
    ;;
  *)
    echo "usage: scripts/setup.sh [main|test]" >&2
    exit 2
    ;;
esac
