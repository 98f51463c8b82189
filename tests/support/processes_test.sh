#!/usr/bin/env bash
# CTest support/processes: the shell tests' helpers (tests/support/processes.sh).
#  a. free_port: a port below the ephemeral range, one a server can take;
#  b. stop_children stops a running child and waits for it;
#  c. stop_children leaves alone a pid that is not its running child: a stopped server's pid
#     that some other process has taken since (stood in for by a process of another shell);
#  d. redis_test skips (77) without redis-server; with it, a test's redis-server answers on
#     redis_port, and at exit it is stopped and its work folder removed.
set -uo pipefail
source "$(cd "$(dirname "$0")" && pwd)/processes.sh"
fail() { echo "processes: FAIL: $*" >&2; exit 1; }

port=$(free_port)
low=$(cut -f1 /proc/sys/net/ipv4/ip_local_port_range)
[ "$port" -ge 10000 ] && [ "$port" -lt "$low" ] || fail "a: free_port gave $port, not in [10000, $low)"
python3 -c "import socket; s=socket.socket(); s.bind(('127.0.0.1', $port)); s.listen()" || fail "a: $port not free"
echo "a. free_port: $port (ephemeral range from $low)"

sleep 30 &
child=$!
stop_children "$child"
kill -0 "$child" 2>/dev/null && fail "b: the running child $child outlived stop_children"
echo "b. a running child is stopped"

stranger_file=$(mktemp)
(sleep 30 >/dev/null 2>&1 & echo $! >"$stranger_file")
stranger=$(cat "$stranger_file")
rm -f "$stranger_file"
stop_children "$stranger"
# Alive: still there and not a zombie (its new parent may reap it late).
alive=0
sleep 0.2
state=$(ps -o stat= -p "$stranger" 2>/dev/null)
[ -n "$state" ] && [[ "$state" != Z* ]] && alive=1
kill "$stranger" 2>/dev/null
[ "$alive" -eq 1 ] || fail "c: stop_children signalled pid $stranger, which is not its child"
echo "c. a pid that is not a running child is left alone"

status=0
(PATH=/nonexistent redis_test skipper) >/dev/null 2>&1 || status=$?
[ "$status" -eq 77 ] || fail "d: redis_test without redis-server exited $status, not 77"
if command -v redis-server >/dev/null; then
  probe=$(mktemp)
  (redis_test probe && echo "$work $redis_pid $redis_port" >"$probe" && redis-cli -p "$redis_port" ping >>"$probe") \
    || fail "d: redis_test failed"
  read -r work_dir pid _ <"$probe"
  grep -q "^PONG$" "$probe" || fail "d: no PONG from the test's redis-server: $(cat "$probe")"
  rm -f "$probe"
  [ ! -e "$work_dir" ] || fail "d: the work folder $work_dir outlived the test"
  kill -0 "$pid" 2>/dev/null && fail "d: the redis-server $pid outlived the test"
  echo "d. redis_test: skipped without redis-server, started and cleaned up with it"
else
  echo "d. redis_test: skipped without redis-server (redis-server not installed here)"
fi
echo "processes: OK"
