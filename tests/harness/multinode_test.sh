#!/usr/bin/env bash
# CTest harness/multinode: a live target of several nodes, over loopback, against plain
# unclustered `pushsim serve` processes (each its own server, sharing nothing), in a temp folder.
#  a. `node: K` reaches node K: mn.1 passes only if each node's clients get the triggers sent to
#     their own node and not the other's;
#  b. the bundled cluster scenarios on an unclustered pair: those needing 3 nodes, crash_node
#     without server commands, and partition_nodes are SKIPPED with their reasons; the member
#     list and REST checks (cluster.1, 8) FAIL, which is the right verdict for
#     servers that do not share state;
#  c. with one --server-cmd per node: crash_node SIGKILLs node 1 (its client gets no answer),
#     restart_node brings it back; a node left crashed by a scenario (mn.3) is restarted for the
#     next one (mn.4) and is no finding; no server outlives the run;
#  e. an unasked crash of one node (node 1 runs tests/programs/crashing_serve): with server
#     commands, the scenario fails "crashed the server (node 1)" and the node is restarted; without,
#     the run names node 1 as the server that went away and the later scenarios are NOT RUN;
#  d. bad input: a non-URL among several targets, a malformed URL, --server-cmd counts that do
#     not match the nodes, a --rest that is not http(s) are usage errors (exit 2) saying so.
# Usage: multinode_test.sh PUSHSIM_BINARY CRASHING_SERVE_BINARY
set -uo pipefail

pushsim=${1:?usage: multinode_test.sh PUSHSIM CRASHING_SERVE}
crashing=${2:?usage: multinode_test.sh PUSHSIM CRASHING_SERVE}
here=$(cd "$(dirname "$0")" && pwd)
suite="$here/multinode_suite"
work=$(mktemp -d)
pids=()
cleanup() {
  stop_children "${pids[@]}"
  [ -n "${KEEP_WORK:-}" ] && echo "kept $work" || rm -rf "$work"
}
trap cleanup EXIT
export TMPDIR="$work"
fail() { echo "multinode: FAIL: $*" >&2; exit 1; }
expect_in() { grep -q -- "$2" "$1" || { cat "$1" >&2; fail "$3: '$2' not in $1"; }; }
expect_not_in() { ! grep -q -- "$2" "$1" || { cat "$1" >&2; fail "$3: '$2' in $1"; }; }
source "$(cd "$(dirname "$0")/.." && pwd)/support/processes.sh"

p0=$(free_port)
p1=$(free_port)
# No webhooks: two unclustered servers would each announce a shared channel's occupation, which
# the live invariants rightly fail (occupied-vacated-alternate); the mapping is what is tested.
serve_cmd() { echo "exec '$pushsim' serve --host 127.0.0.1 --port $1"; }
creds=(--app-id app-id --key app-key --secret app-secret --no-color)
nodes=(--target "ws://127.0.0.1:$p0" --target "ws://127.0.0.1:$p1")

start_serve() {
  "$pushsim" serve --host 127.0.0.1 --port "$1" >"$work/serve-$1.out" 2>&1 &
  pids+=($!)
  for _ in $(seq 200); do grep -q "listening" "$work/serve-$1.out" && return; sleep 0.05; done
  fail "pushsim serve on $1 did not start: $(cat "$work/serve-$1.out")"
}

# a and b: two servers started here, no server commands.
start_serve "$p0"
start_serve "$p1"
SECONDS=0
"$pushsim" run "$suite" "${nodes[@]}" "${creds[@]}" --only mn.1 >"$work/a.out" 2>&1
status=$?
echo "a. node mapping on an unclustered pair: exit $status in ${SECONDS}s"
[ "$status" -eq 0 ] || { cat "$work/a.out" >&2; fail "a: exit $status, expected 0"; }
expect_in "$work/a.out" "^PASS *mn.1 " a
expect_in "$work/a.out" "ws://127.0.0.1:$p0 + ws://127.0.0.1:$p1" a

SECONDS=0
"$pushsim" run "${nodes[@]}" "${creds[@]}" --tag cluster >"$work/b.out" 2>&1
status=$?
echo "b. the bundled cluster scenarios on an unclustered pair: exit $status in ${SECONDS}s"
[ "$status" -eq 1 ] || { cat "$work/b.out" >&2; fail "b: exit $status, expected 1 (unclustered nodes fail)"; }
for id in 4 7 9; do expect_in "$work/b.out" "^SKIP *cluster.$id " b; done
expect_in "$work/b.out" "a cluster of 3 nodes; this target has 2 (one --target URL per node" b
for id in 5 11; do expect_in "$work/b.out" "^SKIP *cluster.$id " b; done
expect_in "$work/b.out" "crash_node and restart_node need the nodes' server processes (--server-cmd once per --target)" b
expect_in "$work/b.out" "^SKIP *cluster.10 " b
expect_in "$work/b.out" "partition_nodes and heal_nodes cut the bus between nodes" b
# Two servers that share nothing: node 1's subscriber never sees node 0's members (cluster.1),
# REST on node 0 knows nothing of node 1's member (cluster.8).
for id in 1 8; do expect_in "$work/b.out" "^FAIL *cluster.$id " b; done
expect_in "$work/b.out" "data.presence.count: expected 2, got 1" b
expect_not_in "$work/b.out" "NOT RUN" b
expect_not_in "$work/b.out" "went away" b
stop_children "${pids[@]}"
pids=()

# c. pushsim starts both nodes, crashes and restarts node 1.
SECONDS=0
"$pushsim" run "$suite" "${nodes[@]}" "${creds[@]}" --only mn.2 --only mn.3 --only mn.4 \
  --server-cmd "$(serve_cmd "$p0")" --server-cmd "$(serve_cmd "$p1")" >"$work/c.out" 2>&1
status=$?
echo "c. crash_node / restart_node with a server command per node: exit $status in ${SECONDS}s"
[ "$status" -eq 0 ] || { cat "$work/c.out" >&2; fail "c: exit $status, expected 0"; }
for id in 2 3 4; do expect_in "$work/c.out" "^PASS *mn.$id " c; done
expect_in "$work/c.out" "server under test (node 1) started" c
# node 1: its first start, restart_node in mn.2, the watch's restart after mn.3.
expect_in "$work/c.out" "were started 1 time (node 0), 3 times (node 1)" c
expect_not_in "$work/c.out" "crashed the server" c
expect_not_in "$work/c.out" "unasked" c
pgrep -f "serve --host 127.0.0.1 --port $p1" >/dev/null && fail "c: a server on port $p1 outlived the run"
pgrep -f "serve --host 127.0.0.1 --port $p0" >/dev/null && fail "c: a server on port $p0 outlived the run"

# e. Node 1 dies unasked.
SECONDS=0
"$pushsim" run "$suite" "${nodes[@]}" "${creds[@]}" --only mn.5 --only mn.6 \
  --server-cmd "$(serve_cmd "$p0")" --server-cmd "exec '$crashing' $p1 crash-me" >"$work/e1.out" 2>&1
status=$?
echo "e1. node 1 crashes unasked, with server commands: exit $status in ${SECONDS}s"
[ "$status" -eq 1 ] || { cat "$work/e1.out" >&2; fail "e1: exit $status, expected 1"; }
expect_in "$work/e1.out" "^FAIL *mn.5 " e1
expect_in "$work/e1.out" "crashed the server (node 1): killed by signal 6" e1
expect_in "$work/e1.out" "^PASS *mn.6 " e1
expect_in "$work/e1.out" "were started 1 time (node 0), 2 times (node 1); they crashed 1 time unasked" e1
pgrep -f "crashing_serve $p1" >/dev/null && fail "e1: a crashing_serve on port $p1 outlived the run"
start_serve "$p0"
"$crashing" "$p1" crash-me >"$work/crashing.out" 2>&1 &
pids+=($!)
for _ in $(seq 100); do grep -q listening "$work/crashing.out" && break; sleep 0.05; done
SECONDS=0
"$pushsim" run "$suite" "${nodes[@]}" "${creds[@]}" --only mn.5 --only mn.6 >"$work/e2.out" 2>&1
status=$?
echo "e2. node 1 crashes unasked, nobody restarts it: exit $status in ${SECONDS}s"
[ "$status" -eq 3 ] || { cat "$work/e2.out" >&2; fail "e2: exit $status, expected 3 (target down)"; }
expect_in "$work/e2.out" "^FAIL *mn.5 " e2
expect_in "$work/e2.out" "^NOT RUN *mn.6 " e2
expect_in "$work/e2.out" "the server went away during scenario mn.5: node 1: WebSocket ws://127.0.0.1:$p1" e2
stop_children "${pids[@]}"
pids=()

# d. Bad input.
bad() {  # bad NAME EXPECTED-TEXT ARGS...
  local name=$1 text=$2
  shift 2
  "$pushsim" run "$suite" "${creds[@]}" "$@" >"$work/$name.out" 2>&1
  local status=$?
  [ "$status" -eq 2 ] || { cat "$work/$name.out" >&2; fail "d ($name): exit $status, expected 2"; }
  expect_in "$work/$name.out" "$text" "d ($name)"
}
bad d1 "each must be ws://HOST:PORT or wss://HOST:PORT, not 'serve'" --target "ws://127.0.0.1:$p0" --target serve
bad d2 "--target ws://127.0.0.1:port (node 1): " --target "ws://127.0.0.1:$p0" --target "ws://127.0.0.1:port"
bad d3 "--server-cmd given 1 time(s) for 2 node(s): give one per --target" "${nodes[@]}" --server-cmd "$(serve_cmd "$p0")"
bad d4 "--rest wants an http:// or https:// URL, not 'ws://127.0.0.1:1'" "${nodes[@]}" --rest ws://127.0.0.1:1
bad d5 "--target serve is one server" --target serve --target "ws://127.0.0.1:$p0"
echo "d. bad input: usage errors"
echo "multinode: ok"
