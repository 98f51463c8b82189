#!/usr/bin/env bash
# CTest apps/explore_live_cluster: `pushsim explore --target serve --serve-cluster redis://...`
# explores a cluster scenario live, every run on fresh `serve --cluster` nodes over a redis-server
# started here on loopback (temporary folder, nothing saved). The reference passes; the race-only
# cluster defect `bus-hiccup-loses-broadcast` is found and its schedule replays; the options'
# misuse is a usage error; a cluster scenario on one served node says how to explore it.
# Skipped (exit 77) when redis-server is missing.
# Usage: explore_live_cluster_test.sh PUSHSIM_BINARY
set -uo pipefail

pushsim=${1:?usage: explore_live_cluster_test.sh PUSHSIM}

source "$(cd "$(dirname "$0")/.." && pwd)/support/processes.sh"

redis_test explore_live_cluster
export TMPDIR="$work"
fail() { echo "explore_live_cluster: FAIL: $*" >&2; exit 1; }
expect_in() { grep -q -- "$2" "$1" || { cat "$1" >&2; fail "$3: '$2' not in $1"; }; }
cluster=(--target serve --serve-cluster "redis://127.0.0.1:$redis_port" --serve-nodes 3)

"$pushsim" explore cluster.7 "${cluster[@]}" --seeds 2 >"$work/reference.out" 2>&1
[ $? -eq 0 ] || { cat "$work/reference.out" >&2; fail "the reference cluster failed cluster.7"; }
expect_in "$work/reference.out" "seeds 1..2, every client through the relay" "reference header"
expect_in "$work/reference.out" "no failure in 2 runs" "reference outcome"

"$pushsim" explore cluster.7 "${cluster[@]}" --seeds 10 --defect bus-hiccup-loses-broadcast >"$work/defect.out" 2>&1
[ $? -eq 1 ] || { cat "$work/defect.out" >&2; fail "bus-hiccup-loses-broadcast not found in 10 live runs"; }
seed=$(grep -o '^  seed [0-9]*: FAIL' "$work/defect.out" | grep -o '[0-9]*' | head -1)
[ -n "$seed" ] || { cat "$work/defect.out" >&2; fail "no failing seed printed"; }
expect_in "$work/defect.out" \
  "replay: pushsim explore cluster.7 --target serve --defect bus-hiccup-loses-broadcast --serve-cluster redis://127.0.0.1:$redis_port --serve-nodes 3 --max-latency 30ms --replay-seed $seed" \
  "replay command"

# The replay runs the schedule the failure printed. Live runs are not deterministic (the defect
# loses a bus message only when the next one follows within its window), so a replay may miss it
# on a loaded machine: a second replay of 5 runs when the first reproduced nothing, and at least
# one reproduction in the 8.
schedule=$(sed -n 's/^  schedule: //p' "$work/defect.out" | head -1)
[ -n "$schedule" ] || { cat "$work/defect.out" >&2; fail "no schedule printed"; }
replay() {
  "$pushsim" explore cluster.7 "${cluster[@]}" --defect bus-hiccup-loses-broadcast --replay-seed "$seed" --runs "$1" \
    >"$work/replay.out" 2>&1
  local status=$?
  expect_in "$work/replay.out" "replaying seed $seed ($schedule) $1 times" "replay header"
  reproduced=$(sed -n "s/^reproduced \([0-9]*\) of $1 (live runs are not deterministic.*/\1/p" "$work/replay.out")
  [ -n "$reproduced" ] || { cat "$work/replay.out" >&2; fail "no replay count"; }
  # Exit 1 when the failure came back, 0 when it did not.
  [ $status -eq $((reproduced > 0 ? 1 : 0)) ] || { cat "$work/replay.out" >&2; fail "replay exit $status"; }
}
replay 3
[ "$reproduced" -gt 0 ] || replay 5
[ "$reproduced" -gt 0 ] || fail "the replayed schedule never reproduced bus-hiccup-loses-broadcast in 8 runs"

"$pushsim" explore cluster.7 --target serve --seeds 1 >"$work/one-node.out" 2>&1
[ $? -eq 2 ] || fail "a 3-node scenario on one served node should be a usage error"
expect_in "$work/one-node.out" "skipped: a cluster of 3 nodes" "one-node skip"
expect_in "$work/one-node.out" "--serve-cluster redis://HOST:PORT --serve-nodes 3" "one-node hint"

"$pushsim" explore cluster.7 --serve-cluster "redis://127.0.0.1:$redis_port" >"$work/sim.out" 2>&1
[ $? -eq 2 ] || fail "--serve-cluster in simulation should be a usage error"
expect_in "$work/sim.out" "--serve-cluster needs --target serve" "simulated target"

"$pushsim" explore cluster.7 --target serve --serve-cluster redis://127.0.0.1:0 >"$work/url.out" 2>&1
[ $? -eq 2 ] || fail "a bad Redis URL should be a usage error"
expect_in "$work/url.out" "--serve-cluster: cluster URL 'redis://127.0.0.1:0'" "bad URL"
echo "explore_live_cluster: ok (bus-hiccup-loses-broadcast found at seed $seed)"
