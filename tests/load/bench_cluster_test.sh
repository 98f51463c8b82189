#!/usr/bin/env bash
# CTest load/bench_cluster: `bench fanout` across the nodes of one clustered server. A
# redis-server on loopback (temporary --dir, nothing saved) and two `pushsim serve --cluster`
# nodes;
#  a. `bench fanout --target NODE0 --target NODE1`: 20 subscribers on each node (round-robin),
#     REST triggers to node 0 only; every delivery owed arrives, on both nodes (the per-node
#     counts of the JSON report), nothing lost, exit 0;
#  b. the same with node 1 run as `--defect bus-hiccup-loses-broadcast` (it loses a bus message
#     that comes within 10 ms of the previous one: at 200 events/s, most of them): the bench
#     fails (exit 1) and the loss is on node 1 only.
# Latency is not judged (--p99-bound 5s, 1s in b where only the loss matters and the drain after the
# window is 10 x the bound): on a loaded machine it says nothing about the code.
# Skipped (exit 77) when redis-server is missing or this pushsim has no `serve --cluster`.
# Usage: bench_cluster_test.sh PUSHSIM_BINARY
set -uo pipefail

pushsim=${1:?usage: bench_cluster_test.sh PUSHSIM}
command -v redis-server >/dev/null || { echo "bench_cluster: redis-server not installed: skipped"; exit 77; }
"$pushsim" serve --help 2>&1 | grep -q -- "--cluster" || { echo "bench_cluster: no serve --cluster: skipped"; exit 77; }

work=$(mktemp -d)
pids=()
cleanup() {
  stop_children "${pids[@]}"
  [ -n "${KEEP_WORK:-}" ] && echo "kept $work" || rm -rf "$work"
}
trap cleanup EXIT
fail() {
  echo "bench_cluster: FAIL: $*" >&2
  exit 1
}
source "$(cd "$(dirname "$0")/.." && pwd)/support/processes.sh"

start_redis "$work" || fail "no redis-server"
pids+=("$redis_pid")

# start_node NAME NODE_ID PREFIX [SERVE ARGS...]: a node on an ephemeral port; its URL in $url.
start_node() {
  local name=$1 id=$2 prefix=$3
  shift 3
  "$pushsim" serve --host 127.0.0.1 --port 0 --cluster "redis://127.0.0.1:$redis_port" --node-id "$id" \
    --cluster-prefix "$prefix" "$@" >"$work/$name.log" 2>&1 &
  pids+=($!)
  url=
  for _ in $(seq 100); do
    url=$(grep -o 'ws://[0-9.]*:[0-9]*' "$work/$name.log" | head -1)
    [ -n "$url" ] && return
    sleep 0.1
  done
  fail "node $name did not say where it listens: $(cat "$work/$name.log")"
}

# bench NAME URL0 URL1 P99_BOUND: the report in $work/NAME.json, the table in NAME.txt, the exit
# code in $rc. Lost deliveries are waited for 10 x P99_BOUND after the window.
bench() {
  local name=$1
  "$pushsim" bench fanout --target "$2" --target "$3" --app-id app-id --key app-key --secret app-secret \
    --subscribers 40 --channels 2 --rate 200 --duration 2s --warmup 1s --p99-bound "$4" --deadline 60s \
    --no-progress --json "$work/$name.json" >"$work/$name.txt" 2>&1
  rc=$?
}

# node_figures FILE: "SUBSCRIBERS EXPECTED DELIVERED LOST" per node of the first run, one a line.
node_figures() {
  python3 -c 'import json,sys
for n in json.load(open(sys.argv[1]))["runs"][0].get("nodes", []):
    print(n["subscribers"], n["expected_deliveries"], n["delivered"], n["lost"])' "$1"
}

# a. A correct cluster.
start_node a0 0 good$$
a0=$url
start_node a1 1 good$$
a1=$url
bench good "$a0" "$a1" 5s
cat "$work/good.txt"
[ "$rc" -eq 0 ] || fail "bench across a correct cluster exited $rc"
mapfile -t figures < <(node_figures "$work/good.json")
[ "${#figures[@]}" -eq 2 ] || fail "the report has ${#figures[@]} nodes, expected 2"
for k in 0 1; do
  read -r subscribers expected delivered lost <<<"${figures[$k]}"
  [ "$subscribers" -eq 20 ] || fail "node $k has $subscribers subscribers, expected 20"
  # 2 s at 200 events/s over 2 channels, 10 subscribers of each channel on each node.
  [ "$expected" -ge 3600 ] || fail "node $k is owed $expected deliveries, expected about 4000"
  [ "$delivered" -eq "$expected" ] && [ "$lost" -eq 0 ] ||
    fail "node $k: $delivered of $expected delivered, $lost lost"
done
grep -q "publishes here" "$work/good.txt" || fail "the table has no per-node section"

# b. Node 1 loses bus messages that come close together.
start_node b0 0 hiccup$$
b0=$url
start_node b1 1 hiccup$$ --defect bus-hiccup-loses-broadcast
b1=$url
bench hiccup "$b0" "$b1" 1s
cat "$work/hiccup.txt"
[ "$rc" -eq 1 ] || fail "bench across a cluster whose node 1 loses bus messages exited $rc, expected 1"
mapfile -t figures < <(node_figures "$work/hiccup.json")
read -r _ _ _ lost0 <<<"${figures[0]}"
read -r _ expected1 _ lost1 <<<"${figures[1]}"
[ "$lost0" -eq 0 ] || fail "node 0 (no defect) lost $lost0 deliveries"
[ "$lost1" -gt 0 ] || fail "node 1 (bus-hiccup-loses-broadcast) lost nothing of $expected1"
echo "bench_cluster: ok (node 1 with the defect lost $lost1 of $expected1)"
