#!/usr/bin/env bash
# CTest harness/cluster_suite_live: the whole bundled suite live on a cluster, clients spread
# over the nodes: `pushsim run --target serve --serve-cluster` gives each scenario two fresh
# in-process `serve --cluster` nodes over a redis-server started here on loopback (temporary
# folder, nothing saved). A correct cluster fails nothing (docs/cluster.md, "The whole suite on
# a cluster"). Skipped (exit 77) when redis-server is missing.
# Usage: cluster_suite_live_test.sh PUSHSIM_BINARY [EXTRA RUN ARGS...]
set -uo pipefail

pushsim=${1:?usage: cluster_suite_live_test.sh PUSHSIM [RUN ARGS...]}
shift

source "$(cd "$(dirname "$0")/.." && pwd)/support/processes.sh"

redis_test cluster_suite_live
fail() { echo "cluster_suite_live: FAIL: $*" >&2; exit 1; }

SECONDS=0
"$pushsim" run --target serve --serve-cluster "redis://127.0.0.1:$redis_port" --serve-nodes 2 --spread-clients \
  --jobs 8 --deadline 240 --no-color "$@" >"$work/run.out" 2>&1
status=$?
grep -E "^FAIL" -A3 "$work/run.out"
tail -1 "$work/run.out"
echo "cluster_suite_live: exit $status in ${SECONDS}s"
[ "$status" -eq 0 ] || fail "exit $status, expected 0"
grep -q " 0 failed" "$work/run.out" || fail "a scenario failed"
echo "cluster_suite_live: ok"
