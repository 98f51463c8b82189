#!/usr/bin/env bash
# One entry point for a fresh Debian 12 machine (the README's two commands):
#   bash scripts/setup.sh        install what is missing, build, run the main job
#   bash scripts/setup.sh test   install what is missing, build, run every test
# Environment: BUILD_DIR (default build), JOBS (default 2), PUSHSIM_SANITIZE=ON for ASan+UBSan.
set -euo pipefail
cd "$(dirname "$0")/.."

mode=${1:-main}
build_dir=${BUILD_DIR:-build}
jobs=${JOBS:-2}

bash scripts/install-deps.sh

cmake -S . -B "$build_dir" -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo \
  -DPUSHSIM_SANITIZE="${PUSHSIM_SANITIZE:-OFF}" >/dev/null
cmake --build "$build_dir" -j "$jobs"

case "$mode" in
  main)
    "$build_dir/pushsim" --version
    # The bundled conformance suite against the reference engine, in virtual time.
    "$build_dir/pushsim" run
    ;;
  test)
    ctest --test-dir "$build_dir" -j "$jobs" --output-on-failure --timeout 300
    ;;
  *)
    echo "usage: scripts/setup.sh [main|test]" >&2
    exit 2
    ;;
esac
