#!/usr/bin/env bash
# CTest harness/server_health: target health end to end, over loopback, in a temporary folder.
# The server under test is tests/programs/crashing_serve (pushsim serve's engine that dies on a
# frame containing "crash-me"); the suite is health_suite/ (health.2 sends that frame, health.4
# fails on any server).
#  a. without --server-cmd: health.2 is named as the scenario the server went away during, the
#     later ones are "not run: target down", exit code 3, in every report, secret never printed;
#  b. on a healthy server a scenario that fails is a plain FAIL (exit 1), no "target down";
#  c. with --server-cmd: the server is restarted, health.2 fails with "crashed the server", the
#     rest pass, and no server process is left behind;
#  d. --restart-server each starts it before every scenario;
#  g. with --server-cmd, a server that hangs (stopped, port silent) is "hung the server", stopped
#     and restarted;
#  e. a --server-cmd that exits or never opens its port ends the run with exit code 3, quickly;
#  f. --server-cmd with --jobs 2, or with the in-process serve target, is a usage error;
#  h. a pushsim stopped by SIGTERM or SIGINT mid-run leaves no server behind.
# Usage: server_health_test.sh PUSHSIM_BINARY CRASHING_SERVE_BINARY
set -uo pipefail

pushsim=${1:?usage: server_health_test.sh PUSHSIM CRASHING_SERVE}
crashing=${2:?usage: server_health_test.sh PUSHSIM CRASHING_SERVE}
here=$(cd "$(dirname "$0")" && pwd)
suite="$here/health_suite"
work=$(mktemp -d)
server_pid=
cleanup() {
  stop_children "$server_pid"
  [ -n "${KEEP_WORK:-}" ] && echo "kept $work" || rm -rf "$work"
}
trap cleanup EXIT
export TMPDIR="$work"
fail() { echo "server_health: FAIL: $*" >&2; exit 1; }
expect_in() { grep -q -- "$2" "$1" || { cat "$1" >&2; fail "$3: '$2' not in $1"; }; }
expect_not_in() { ! grep -q -- "$2" "$1" || { cat "$1" >&2; fail "$3: '$2' in $1"; }; }

source "$(cd "$(dirname "$0")/.." && pwd)/support/processes.sh"
port=$(free_port)
creds=(--target "ws://127.0.0.1:$port" --app-id app-id --key app-key --secret app-secret --no-color)

start_server() {
  "$crashing" "$port" crash-me >"$work/server.out" 2>&1 &
  server_pid=$!
  for _ in $(seq 100); do grep -q listening "$work/server.out" && return; sleep 0.05; done
  fail "crashing_serve did not start: $(cat "$work/server.out")"
}

# a. The server dies during health.2; nobody restarts it.
start_server
SECONDS=0
"$pushsim" run "$suite" "${creds[@]}" --junit "$work/a.xml" --json "$work/a.json" --html "$work/a.html" \
  >"$work/a.out" 2>&1
status=$?
echo "a. without --server-cmd: exit $status in ${SECONDS}s"
[ "$status" -eq 3 ] || { cat "$work/a.out" >&2; fail "a: exit $status, expected 3 (target went away)"; }
expect_in "$work/a.out" "^PASS *health.1 " a
expect_in "$work/a.out" "^FAIL *health.2 " a
for id in 3 4 5; do expect_in "$work/a.out" "^NOT RUN *health.$id " a; done
expect_in "$work/a.out" "target down: the server went away during scenario health.2" a
expect_in "$work/a.out" "^the server went away during scenario health.2: WebSocket ws://127.0.0.1:$port: " a
expect_in "$work/a.out" "bob send {\"event\":\"pusher:subscribe\",\"data\":{\"channel\":\"crash-me\"}}" a
expect_in "$work/a.out" ", 3 not run (target" a
expect_in "$work/a.xml" '<error type="target-down" message="the server went away during scenario health.2' a
expect_in "$work/a.xml" '<skipped message="target down: the server went away during scenario health.2' a
expect_in "$work/a.json" '"not-run": 3' a
expect_in "$work/a.json" '"exit_code": 3' a
expect_in "$work/a.json" '"target_down": {' a
expect_in "$work/a.html" 'class="target-down"' a
for f in a.out a.xml a.json a.html; do expect_not_in "$work/$f" "app-secret" "a ($f)"; done
{ wait "$server_pid"; } 2>/dev/null
server_pid=

# b. A healthy server: health.4 fails on its own merits, and that is all.
start_server
SECONDS=0
"$pushsim" run "$suite" "${creds[@]}" --skip health.2 >"$work/b.out" 2>&1
status=$?
echo "b. healthy server, one scenario wrong: exit $status in ${SECONDS}s"
[ "$status" -eq 1 ] || { cat "$work/b.out" >&2; fail "b: exit $status, expected 1 (one scenario failed)"; }
expect_in "$work/b.out" "^FAIL *health.4 " b
for id in 1 3 5; do expect_in "$work/b.out" "^PASS *health.$id " b; done
expect_not_in "$work/b.out" "went away" b
expect_not_in "$work/b.out" "NOT RUN" b
stop_children "$server_pid"
server_pid=

# c. pushsim runs the server itself and restarts it after the crash.
SECONDS=0
"$pushsim" run "$suite" "${creds[@]}" --skip health.4 --server-cmd "exec '$crashing' $port crash-me" \
  --junit "$work/c.xml" >"$work/c.out" 2>&1
status=$?
echo "c. --server-cmd, crash in health.2: exit $status in ${SECONDS}s"
[ "$status" -eq 1 ] || { cat "$work/c.out" >&2; fail "c: exit $status, expected 1 (health.2 crashed the server)"; }
expect_in "$work/c.out" "^FAIL *health.2 " c
expect_in "$work/c.out" "crashed the server: killed by signal 6 (Aborted)" c
expect_in "$work/c.out" "crashing_serve: dying on" c
for id in 1 3 5; do expect_in "$work/c.out" "^PASS *health.$id " c; done
expect_in "$work/c.out" "crashed 1 time and was restarted" c
expect_in "$work/c.out" "was started 2 times" c
expect_in "$work/c.xml" "crashed the server" c
expect_not_in "$work/c.out" "NOT RUN" c
expect_not_in "$work/c.out" "app-secret" c
pgrep -f "crashing_serve $port" >/dev/null && fail "c: a crashing_serve on port $port outlived the run"

# d. A fresh server for every scenario.
SECONDS=0
"$pushsim" run "$suite" "${creds[@]}" --skip health.4 --skip health.2 --restart-server each \
  --server-cmd "exec '$crashing' $port crash-me" >"$work/d.out" 2>&1
status=$?
echo "d. --restart-server each: exit $status in ${SECONDS}s"
[ "$status" -eq 0 ] || { cat "$work/d.out" >&2; fail "d: exit $status, expected 0"; }
expect_in "$work/d.out" "was started 3 times" d
pgrep -f "crashing_serve $port" >/dev/null && fail "d: a crashing_serve on port $port outlived the run"

# e. Servers that never become ready.
SECONDS=0
"$pushsim" run "$suite" "${creds[@]}" --server-cmd "echo bad config >&2; exit 7" >"$work/e1.out" 2>&1
status=$?
[ "$status" -eq 3 ] || { cat "$work/e1.out" >&2; fail "e: exit $status for a server that exits, expected 3"; }
expect_in "$work/e1.out" "exited with status 7 before 127.0.0.1:$port accepted connections" e
expect_in "$work/e1.out" "bad config" e
"$pushsim" run "$suite" "${creds[@]}" --server-cmd "sleep 30" --server-ready-timeout 1 >"$work/e2.out" 2>&1
status=$?
[ "$status" -eq 3 ] || { cat "$work/e2.out" >&2; fail "e: exit $status for a server that never listens, expected 3"; }
expect_in "$work/e2.out" "did not accept connections on 127.0.0.1:$port within 1000 ms" e
pgrep -f "^sleep 30$" -P $$ >/dev/null && fail "e: the sleep outlived the run"
echo "e. servers that never become ready: ${SECONDS}s"
[ "$SECONDS" -le 10 ] || fail "e: took ${SECONDS}s"

# g. A server that hangs instead of dying.
SECONDS=0
"$pushsim" run "$suite" "${creds[@]}" --only health.2 --only health.5 \
  --server-cmd "exec '$crashing' $port crash-me hang" >"$work/g.out" 2>&1
status=$?
echo "g. --server-cmd, hang in health.2: exit $status in ${SECONDS}s"
[ "$status" -eq 1 ] || { cat "$work/g.out" >&2; fail "g: exit $status, expected 1 (health.2 hung the server)"; }
expect_in "$work/g.out" "^FAIL *health.2 " g
expect_in "$work/g.out" "hung the server: WebSocket ws://127.0.0.1:$port: " g
expect_in "$work/g.out" "crashing_serve: hanging on" g
expect_in "$work/g.out" "^PASS *health.5 " g
pgrep -f "crashing_serve $port" >/dev/null && fail "g: a crashing_serve on port $port outlived the run"

# f. Usage errors.
"$pushsim" run "$suite" "${creds[@]}" --jobs 2 --server-cmd true >"$work/f.out" 2>&1
[ $? -eq 2 ] || fail "f: --jobs 2 with --server-cmd was accepted"
"$pushsim" run --target serve --server-cmd true >"$work/f.out" 2>&1
[ $? -eq 2 ] || fail "f: --target serve with --server-cmd was accepted"
"$pushsim" run --help >"$work/f.out" 2>&1
expect_in "$work/f.out" "3 the target went away" f
# h. Signals: the bundled suite is long enough to be interrupted in the middle. No exec: the
# server is the shell's child, so only killing the whole group stops it.
for sig in TERM INT; do
  "$pushsim" run "${creds[@]}" --server-cmd "'$crashing' $port never-matches; echo" >"$work/h.out" 2>&1 &
  run_pid=$!
  for _ in $(seq 100); do grep -q "^PASS" "$work/h.out" && break; sleep 0.05; done
  pgrep -f "^$crashing $port" >/dev/null || fail "h: no server running before SIG$sig: $(cat "$work/h.out")"
  kill -$sig "$run_pid"
  # pushsim stops within seconds of the signal; 30 s bounds the wait on a loaded machine.
  for _ in $(seq 300); do kill -0 "$run_pid" 2>/dev/null || break; sleep 0.1; done
  if kill -0 "$run_pid" 2>/dev/null; then
    kill -KILL "$run_pid"
    fail "h: pushsim still running 30 s after SIG$sig: $(tail -5 "$work/h.out")"
  fi
  { wait "$run_pid"; } 2>/dev/null
  sleep 0.2
  left=$(pgrep -f "^$crashing $port")
  [ -z "$left" ] || { kill $left; fail "h: the server outlived a SIG$sig to pushsim"; }
done
echo "h. SIGTERM and SIGINT to pushsim: no server left"
echo "server_health: OK"
