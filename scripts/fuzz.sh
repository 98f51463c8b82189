#!/usr/bin/env bash
# Runs every fuzz target (fuzz/, libFuzzer with ASan+UBSan) for a bounded time, one after the
# other on one core, and fails when any of them finds something.
#   scripts/fuzz.sh                 60 s per target
#   scripts/fuzz.sh 600             600 s per target
#   scripts/fuzz.sh --runs 100000   100000 executions per target
#   scripts/fuzz.sh 1800 --runs 10000000   whichever comes first (the issue's bar)
#   scripts/fuzz.sh 60 fuzz_engine  only the named targets
# Environment: FUZZ_BUILD_DIR (default build-fuzz), JOBS (build parallelism, default 2).
# Builds with clang (-DPUSHSIM_FUZZ=ON) when needed. New inputs the fuzzer finds go to
# $FUZZ_BUILD_DIR/fuzz-corpus/<target>, crashes to $FUZZ_BUILD_DIR/fuzz-artifacts/<target>/;
# the committed seeds in fuzz/corpus/<target> are only read.
set -euo pipefail
cd "$(dirname "$0")/.."

seconds=60
runs=()
while [ $# -gt 0 ]; do
  if [ "$1" = "--runs" ]; then
    runs=(-runs="${2:?--runs needs a number}")
    shift 2
  elif [[ "$1" =~ ^[0-9]+$ ]]; then
    seconds=$1
    shift
  else
    break
  fi
done
# With both, libFuzzer stops at whichever comes first; with --runs alone, the time is unbounded.
if [ ${#runs[@]} -gt 0 ] && [ "$seconds" = 60 ]; then seconds=0; fi
limit=(-max_total_time="$seconds" "${runs[@]}")
all_targets=(fuzz_frame fuzz_rest fuzz_webhook fuzz_scenario fuzz_engine fuzz_client fuzz_compare_report)
targets=("$@")
[ ${#targets[@]} -gt 0 ] || targets=("${all_targets[@]}")

build_dir=${FUZZ_BUILD_DIR:-build-fuzz}
if [ ! -f "$build_dir/build.ninja" ]; then
  cmake -S . -B "$build_dir" -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo -DCMAKE_CXX_COMPILER=clang++ \
    -DCMAKE_C_COMPILER=clang -DPUSHSIM_FUZZ=ON -DPUSHSIM_BENCH=OFF -DBUILD_TESTING=OFF >/dev/null
fi
cmake --build "$build_dir" -j "${JOBS:-2}" --target "${targets[@]}"

# Seeds of a target: its committed corpus, and for the loader the scenario files themselves.
seed_dirs() {
  echo "fuzz/corpus/$1"
  if [ "$1" = fuzz_scenario ]; then
    find scenarios tests/harness/malformed tests/harness/scenarios -type d
  fi
  if [ "$1" = fuzz_compare_report ]; then
    echo tests/reports/compare_fixture
  fi
}

failed=()
for target in "${targets[@]}"; do
  corpus="$build_dir/fuzz-corpus/$target"
  artifacts="$build_dir/fuzz-artifacts/$target/"
  mkdir -p "$corpus" "$artifacts"
  mapfile -t seeds < <(seed_dirs "$target")
  existing=()
  for dir in "${seeds[@]}"; do [ -d "$dir" ] && existing+=("$dir"); done
  echo "== $target (${limit[*]})"
  # -timeout: an input taking 10 s is a hang; -rss_limit_mb: a leak or a blow-up is a finding.
  if "$build_dir/fuzz/$target" "${limit[@]}" -timeout=10 -rss_limit_mb=2048 -max_len=65536 \
      -artifact_prefix="$artifacts" -print_final_stats=1 "$corpus" "${existing[@]}" \
      >"$build_dir/fuzz-$target.log" 2>&1; then
    grep -E "stat::number_of_executed_units|stat::peak_rss_mb" "$build_dir/fuzz-$target.log" | tr '\n' ' '
    echo
  else
    failed+=("$target")
    tail -n 40 "$build_dir/fuzz-$target.log"
  fi
done

if [ ${#failed[@]} -gt 0 ]; then
  echo "fuzz: findings in ${failed[*]} (inputs in $build_dir/fuzz-artifacts/)" >&2
  exit 1
fi
echo "fuzz: ${#targets[@]} targets, no finding"
