#!/usr/bin/env bash
# CTest load/bench_shard_merge: load from several processes, on one machine. One pushsim serve;
#  a. two `bench fanout --shard I/2 --shard-publish` at once, on one schedule, each with half the
#     subscribers and half the publishing; `bench merge` of their histogram files reports every
#     delivery owed (2 channels x 20 subscribers x the events of 2 s at 40/s), none lost, and
#     the merged sample count is the sum of the shards';
#  b. the same with shard 0 publishing everything and shard 1 only listening;
#  c. merge refuses a shard of another run, the same shard twice, and a missing shard.
# Latency is not judged (--p99-bound 5s): on a loaded machine it says nothing about the code.
# Usage: bench_shard_merge_test.sh PUSHSIM_BINARY
set -uo pipefail

pushsim=${1:?usage: bench_shard_merge_test.sh PUSHSIM}
work=$(mktemp -d)
server_pid=
cleanup() {
  stop_children "$server_pid"
  [ -n "${KEEP_WORK:-}" ] && echo "kept $work" || rm -rf "$work"
}
trap cleanup EXIT
source "$(cd "$(dirname "$0")/.." && pwd)/support/processes.sh"
fail() {
  echo "FAIL: $*"
  exit 1
}

"$pushsim" serve --port 0 >"$work/serve.log" 2>&1 &
server_pid=$!
url=
for _ in $(seq 1 100); do
  url=$(grep -o 'ws://[0-9.]*:[0-9]*' "$work/serve.log" | head -1)
  [ -n "$url" ] && break
  sleep 0.1
done
[ -n "$url" ] || fail "pushsim serve did not say where it listens: $(cat "$work/serve.log")"

# Two shards at once; prints nothing, leaves s0/s1 .json/.txt/.rc in $work/$1.
run_shards() {
  local dir="$work/$1"
  shift
  mkdir -p "$dir"
  local start=$(($(date +%s) + 4))
  for i in 0 1; do
    "$pushsim" bench fanout --target "$url" --app-id app-id --key app-key --secret app-secret \
      --subscribers 40 --channels 2 --rate 40 --duration 2s --warmup 1s --p99-bound 5s --deadline 60s \
      --no-progress --shard "$i/2" --start-at "$start" --histogram "$dir/s$i.json" "$@" >"$dir/s$i.txt" 2>&1 &
    eval "pid$i=\$!"
  done
  wait "$pid0"
  echo $? >"$dir/s0.rc"
  wait "$pid1"
  echo $? >"$dir/s1.rc"
}

json_number() {  # FILE KEY: the first "KEY": NUMBER in a pretty-printed JSON file
  grep -o "\"$2\": [0-9.]*" "$1" | head -1 | sed 's/.*: //'
}

check_merge() {
  local dir="$work/$1"
  for i in 0 1; do
    [ "$(cat "$dir/s$i.rc")" = 0 ] || fail "$1: shard $i exited $(cat "$dir/s$i.rc"): $(cat "$dir/s$i.txt")"
  done
  "$pushsim" bench merge "$dir/s0.json" "$dir/s1.json" --json "$dir/merged.json" >"$dir/merged.txt" 2>&1 ||
    fail "$1: bench merge exited $?: $(cat "$dir/merged.txt")"
  # 2 s at 40 events/s: 80 events, each to the 20 subscribers of its channel.
  local expected delivered samples lost s0 s1
  expected=$(json_number "$dir/merged.json" expected_deliveries)
  delivered=$(json_number "$dir/merged.json" delivered)
  lost=$(json_number "$dir/merged.json" lost)
  samples=$(json_number "$dir/merged.json" samples)
  s0=$(json_number "$dir/s0.json" delivered)
  s1=$(json_number "$dir/s1.json" delivered)
  [ "$expected" -ge 1560 ] && [ "$expected" -le 1640 ] || fail "$1: expected deliveries $expected, not about 1600"
  [ "$delivered" = "$expected" ] || fail "$1: delivered $delivered of $expected"
  [ "$lost" = 0 ] || fail "$1: lost $lost"
  [ "$samples" = "$delivered" ] || fail "$1: $samples latency samples for $delivered deliveries"
  [ $((s0 + s1)) = "$delivered" ] || fail "$1: shards delivered $s0 + $s1, merged $delivered"
  [ "$s0" -gt 0 ] && [ "$s1" -gt 0 ] || fail "$1: a shard received nothing ($s0, $s1)"
  grep -q "shards      2 (40 of 40 subscribers connected)" "$dir/merged.txt" || fail "$1: $(cat "$dir/merged.txt")"
}

# a. each shard publishes its share
run_shards split --shard-publish
check_merge split
grep -q "publishing its share" "$work/split/s1.txt" || fail "a: $(cat "$work/split/s1.txt")"

# b. shard 0 publishes every event, shard 1 listens
run_shards one-publisher
check_merge one-publisher
grep -q "listening only" "$work/one-publisher/s1.txt" || fail "b: $(cat "$work/one-publisher/s1.txt")"

# c. refusals: a shard of another run (a different schedule start), twice the same shard, one missing
expect_refusal() {  # WHAT EXPECTED_TEXT FILES...
  local what=$1 text=$2
  shift 2
  local out
  out=$("$pushsim" bench merge "$@" 2>&1)
  local rc=$?
  [ "$rc" = 2 ] || fail "c. $what: exit $rc, not 2: $out"
  echo "$out" | grep -qF "$text" || fail "c. $what: no '$text' in: $out"
}
expect_refusal "another run" "is not a shard of the run of" "$work/split/s0.json" "$work/one-publisher/s1.json"
expect_refusal "twice" "are both shard 0/2" "$work/split/s0.json" "$work/split/s0.json"
expect_refusal "missing" "shard 1/2 is missing" "$work/split/s0.json"
echo "bench shard merge: ok"
