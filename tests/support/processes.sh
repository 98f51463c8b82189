# Sourced by the shell tests that start servers of their own (redis-server, pushsim serve).
# Two traps they all fell into:
#  - a port from bind(0) comes from the kernel's ephemeral range, where every outgoing
#    connection of the tests running beside takes its local port too: by the time the server
#    binds it, it may be taken. free_port picks below that range (as
#    tests/support/free_port.cpp does for the C++ tests).
#  - `kill $pid` on a child that already ended (a server that crashed, one already stopped
#    and waited for) signals whatever process has that pid now: with pid_max 32768 and
#    thousands of short processes per CI run, sometimes another test. stop_children kills only
#    this shell's children that are still running.

# free_port: a loopback port nobody listens on, below the ephemeral range.
free_port() {
  python3 - <<'PY'
import os, socket
try:
    low = int(open("/proc/sys/net/ipv4/ip_local_port_range").read().split()[0])
except (OSError, ValueError, IndexError):
    low = 32768
if not 10000 < low <= 65535:
    low = 32768
span = low - 10000
start = (os.getpid() * 2654435761) % span
for i in range(span):
    port = 10000 + (start + i) % span
    s = socket.socket()
    try:
        s.bind(("127.0.0.1", port))
        s.listen()
    except OSError:
        continue
    finally:
        s.close()
    print(port)
    break
else:
    raise SystemExit("no free loopback port below the ephemeral range")
PY
}

# wait_port PORT SECONDS: until something accepts on 127.0.0.1:PORT; fails after SECONDS.
wait_port() {
  python3 - "$1" "$2" <<'PY'
import socket, sys, time
port, limit = int(sys.argv[1]), float(sys.argv[2])
end = time.monotonic() + limit
while True:
    try:
        socket.create_connection(("127.0.0.1", port), 0.2).close()
        break
    except OSError:
        if time.monotonic() >= end:
            raise SystemExit(1)
        time.sleep(0.05)
PY
}

# stop_children PID...: SIGTERM to those of the given pids that are still running children of
# this shell, then wait for them. A pid that already ended is left alone (see above).
stop_children() {
  local running pid
  running=" $(jobs -rp | tr '\n' ' ') "
  for pid in "$@"; do
    [[ -n "$pid" && "$running" == *" $pid "* ]] || continue
    kill "$pid" 2>/dev/null
    wait "$pid" 2>/dev/null
  done
  return 0
}

# start_redis DIR: a redis-server on a free loopback port, keeping nothing on disk (DIR is its
# working folder, its output in DIR/redis.out); sets redis_port and redis_pid, or fails.
start_redis() {
  redis_port=$(free_port)
  redis-server --port "$redis_port" --bind 127.0.0.1 --save "" --appendonly no --dir "$1" >"$1/redis.out" 2>&1 &
  redis_pid=$!
  wait_port "$redis_port" 5 || {
    echo "redis-server did not start: $(cat "$1/redis.out")" >&2
    return 1
  }
}

# redis_test NAME: how a test that needs a redis-server of its own begins. Skips the test (exit
# 77) when redis-server is not installed; makes the temporary folder `work`, removed at exit
# once the redis-server is stopped (kept, and named, with KEEP_WORK set); starts the server
# (start_redis: redis_port, redis_pid) or fails the test.
redis_test() {
  command -v redis-server >/dev/null || { echo "$1: redis-server not installed: skipped"; exit 77; }
  work=$(mktemp -d)
  redis_pid=
  trap 'stop_children "$redis_pid"; if [ -n "${KEEP_WORK:-}" ]; then echo "kept $work"; else rm -rf "$work"; fi' EXIT
  start_redis "$work" || { echo "$1: FAIL: no redis-server" >&2; exit 1; }
}
