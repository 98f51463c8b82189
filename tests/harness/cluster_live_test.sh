#!/usr/bin/env bash
# CTest harness/cluster_live: the bundled cluster scenarios live, against three
# `pushsim serve --cluster redis://...` processes over a redis-server started here on loopback
# (temporary folder, nothing saved), each node started, SIGKILLed (crash_node) and restarted
# (restart_node) by pushsim through one --server-cmd per node. Every cluster scenario must pass
# but cluster.10, which partitions the bus between nodes and is skipped live.
# Skipped (exit 77) when redis-server is missing or this pushsim has no `serve --cluster`.
# Usage: cluster_live_test.sh PUSHSIM_BINARY [EXTRA RUN ARGS...]; PUSHSIM_SERVE=BINARY runs the
# nodes with another build's `pushsim serve`; PUSHSIM_SERVE_ARGS adds to each node's command line
# (say `--defect watchlist-per-node`, to see a broken cluster fail).
set -uo pipefail

pushsim=${1:?usage: cluster_live_test.sh PUSHSIM [RUN ARGS...]}
shift
serve=${PUSHSIM_SERVE:-$pushsim}
"$serve" serve --help 2>&1 | grep -q -- "--cluster" || { echo "cluster_live: no serve --cluster: skipped"; exit 77; }

source "$(cd "$(dirname "$0")/.." && pwd)/support/processes.sh"

redis_test cluster_live
export TMPDIR="$work"
fail() { echo "cluster_live: FAIL: $*" >&2; exit 1; }
expect_in() { grep -q -- "$2" "$1" || { cat "$1" >&2; fail "$3: '$2' not in $1"; }; }

# The default app, and the app cluster.16 names (its quota counted over the nodes).
cat >"$work/apps.json" <<'JSON'
{"apps": [{"id": "app-id", "key": "app-key", "secret": "app-secret"},
          {"id": "app-small", "key": "small-key", "secret": "small-secret", "max_connections": 1}]}
JSON
hooks=$(free_port)
targets=()
commands=()
for node in 0 1 2; do
  port=$(free_port)
  targets+=(--target "ws://127.0.0.1:$port")
  # A fixed node id: a restarted node takes its previous life out of the store (cluster.11).
  commands+=(--server-cmd "exec '$serve' serve --host 127.0.0.1 --port $port --cluster redis://127.0.0.1:$redis_port \
--node-id $node --cluster-prefix live$$ --config '$work/apps.json' --webhook http://127.0.0.1:$hooks/ ${PUSHSIM_SERVE_ARGS:-}")
done

SECONDS=0
"$pushsim" run --tag cluster "${targets[@]}" "${commands[@]}" --webhook-listen "127.0.0.1:$hooks" \
  --app-id app-id --key app-key --secret app-secret --no-color --deadline 300 "$@" >"$work/run.out" 2>&1
status=$?
grep -E "^(PASS|FAIL|SKIP|NOT RUN)" "$work/run.out"
echo "cluster_live: exit $status in ${SECONDS}s"
[ "$status" -eq 0 ] || { cat "$work/run.out" >&2; fail "exit $status, expected 0"; }
for id in 1 2 3 4 5 6 7 8 9 11 12 13 14 15 16; do expect_in "$work/run.out" "^PASS *cluster.$id " "cluster.$id"; done
expect_in "$work/run.out" "^SKIP *cluster.10 " cluster.10
expect_in "$work/run.out" "were started 1 time (node 0), 5 times (node 1), 1 time (node 2)" "node starts"
echo "cluster_live: ok"
