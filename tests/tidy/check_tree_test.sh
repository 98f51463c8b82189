#!/usr/bin/env bash
# scripts/check-tree.sh against small planted trees: a clean tree passes, and each kind of
# violation (formatting, layering, determinism, history in comments, hand-written prefix
# helpers) fails with `file:line: what is wrong`. The clean tree also holds the technical
# uses the checker must let through ("the later of two", "received so far", `// tidy: ok`).
# Usage: tests/tidy/check_tree_test.sh [path/to/check-tree.sh]
set -euo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
checker=${1:-$here/../../scripts/check-tree.sh}
repo=$here/../..
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
failures=0

# put ROOT PATH: writes stdin to ROOT/PATH.
put() {
  mkdir -p "$(dirname "$1/$2")"
  cat >"$1/$2"
}

clean_tree() {
  local root=$1
  mkdir -p "$root"
  cp "$repo/.clang-format" "$root/.clang-format"
  put "$root" protocol/frame.hpp <<'EOF'
#pragma once
#include <string>
#include <string_view>

namespace demo {
// The later of two deadlines wins; frames received so far stay in order.
bool is_private(std::string_view channel);
}  // namespace demo
EOF
  put "$root" protocol/frame.cpp <<'EOF'
#include "protocol/frame.hpp"

namespace demo {
/* A name no longer current is refused (not a story: the channel changed under it). */
bool is_private(std::string_view channel) { return channel.starts_with("private-"); }
// Only JSON for now: the peer has nothing else to say.  // tidy: ok
std::string stale() { return "s of server time (" + std::string("rand(") + ")"; }
}  // namespace demo
EOF
  put "$root" fakes/world.cpp <<'EOF'
#include "protocol/frame.hpp"

// A task that has not run yet still counts as pending.
int pending() { return 1; }
EOF
  put "$root" net/socket.cpp <<'EOF'
#include <sys/socket.h>

#include <chrono>

#include "protocol/frame.hpp"

long wall_ms() { return std::chrono::system_clock::now().time_since_epoch().count(); }
EOF
  put "$root" harness/run.cpp <<'EOF'
#include "fakes/world.hpp"
#include "net/socket.hpp"
#include "protocol/frame.hpp"
EOF
  put "$root" reports/report.cpp <<'EOF'
#include "harness/run.hpp"
#include "protocol/frame.hpp"
EOF
  put "$root" apps/main.cpp <<'EOF'
#include "reports/report.hpp"

int main() { return 0; }
EOF
  put "$root" tests/protocol/frame_test.cpp <<'EOF'
#include "protocol/frame.hpp"
#include "tests/protocol/fixture.hpp"
EOF
  put "$root" scripts/build.sh <<'EOF'
#!/usr/bin/env bash
echo "$#" "${#PATH}"
EOF
  printf '%s Builds twice; the later of the two runs wins.\n' '#' >>"$root/scripts/build.sh"
}

# expect_fail NAME PLANT EXPECTED...: a clean tree with PLANT (shell code run in the tree's
# root) must fail, printing each EXPECTED line prefix and no other `file:line:` line.
expect_fail() {
  local name=$1 plant=$2
  shift 2
  local root=$work/$name out rc=0
  clean_tree "$root"
  (cd "$root" && eval "$plant")
  out=$(bash "$checker" "$root" 2>&1) || rc=$?
  if [ "$rc" -ne 1 ]; then
    echo "FAIL $name: exit code $rc, expected 1"
    echo "$out"
    failures=$((failures + 1))
    return
  fi
  local expected
  for expected in "$@"; do
    if ! grep -qF -- "$expected" <<<"$out"; then
      echo "FAIL $name: no line starting '$expected' in:"
      echo "$out"
      failures=$((failures + 1))
      return
    fi
  done
  local reported
  reported=$(grep -cE '^[^ ]+:[0-9]+: ' <<<"$out" || true)
  if [ "$reported" -ne $# ]; then
    echo "FAIL $name: $reported problems reported, expected $#:"
    echo "$out"
    failures=$((failures + 1))
    return
  fi
  echo "ok   $name"
}

# The clean tree passes, silently.
clean_tree "$work/clean"
if out=$(bash "$checker" "$work/clean" 2>&1) && [ -z "$out" ]; then
  echo "ok   clean tree passes"
else
  echo "FAIL clean tree: expected exit 0 and no output, got:"
  echo "$out"
  failures=$((failures + 1))
fi

# 1. Formatting.
expect_fail formatting \
  "printf 'int  answer(){return 42;}\n' > apps/answer.cpp" \
  "apps/answer.cpp:1: not formatted as .clang-format says (run clang-format -i apps/answer.cpp)"

expect_fail no_clang_format_file \
  "rm .clang-format" \
  ".clang-format:1: missing"

# 2. Layering: a folder including one it does not build on, tests included, and the sans-IO
# folders including I/O libraries.
expect_fail layering_protocol_on_net \
  "printf '#include \"protocol/frame.hpp\"\n\n#include \"net/socket.hpp\"\n' > protocol/uses_net.cpp" \
  'protocol/uses_net.cpp:3: "net/socket.hpp": protocol/ may not include net/ (it builds on protocol/)'

expect_fail layering_fakes_on_harness \
  "printf '#include \"harness/run.hpp\"\n' > fakes/uses_harness.cpp" \
  'fakes/uses_harness.cpp:1: "harness/run.hpp": fakes/ may not include harness/ (it builds on fakes/, protocol/)'

expect_fail layering_reports_on_apps_and_tests \
  "printf '#include \"apps/commands.hpp\"\n#include \"tests/test_paths.hpp\"\n' > reports/upward.cpp" \
  'reports/upward.cpp:1: "apps/commands.hpp": reports/ may not include apps/' \
  'reports/upward.cpp:2: "tests/test_paths.hpp": reports/ may not include test code'

expect_fail layering_in_tests \
  "mkdir -p tests/fakes && printf '#include \"net/socket.hpp\"\n#include \"tests/harness/fixture.hpp\"\n' > tests/fakes/world_test.cpp && printf '#include \"protocol/frame.hpp\"\n' > tests/shared.hpp" \
  'tests/fakes/world_test.cpp:1: "net/socket.hpp": tests/fakes/ may not include net/' \
  'tests/fakes/world_test.cpp:2: "tests/harness/fixture.hpp": tests/fakes/ may not include harness/' \
  'tests/shared.hpp:1: "protocol/frame.hpp": tests/ may not include protocol/ (it builds on nothing)'

expect_fail layering_unknown_folder \
  "mkdir -p cluster && printf 'int nodes();\n' > cluster/node.cpp && printf '#include \"cluster/node.hpp\"\n' > harness/nodes.cpp" \
  'harness/nodes.cpp:1: "cluster/node.hpp": cluster/ is missing from the layering table'

expect_fail sans_io_headers \
  "printf '#include <netinet/in.h>\n#include <sys/socket.h>\n#include <yaml-cpp/yaml.h>\n#include <boost/asio.hpp>\n' > fakes/io.cpp" \
  'fakes/io.cpp:1: fakes/ is sans-IO and may not include <netinet/in.h>' \
  'fakes/io.cpp:2: fakes/ is sans-IO and may not include <sys/socket.h>' \
  'fakes/io.cpp:3: fakes/ is sans-IO and may not include <yaml-cpp/yaml.h>' \
  'fakes/io.cpp:4: fakes/ is sans-IO and may not include <boost/asio.hpp>'

# 3. Determinism: every clock, the environment and every source of real randomness.
put "$work" nondeterminism.cpp <<'EOF'
auto a = std::chrono::system_clock::now();
auto b = std::chrono::steady_clock::now();
auto c = std::chrono::high_resolution_clock::now();
auto d = time(nullptr);
int e = gettimeofday(&tv, nullptr);
int f = clock_gettime(CLOCK_MONOTONIC, &ts);
auto g = std::getenv("PUSHSIM_SEED");
std::random_device h;
int i = rand();
void j() { srand(7); }
auto k = std::ifstream("/dev/urandom");
int l = RAND_bytes(buffer, 16);
EOF
expect_fail determinism \
  "cp '$work/nondeterminism.cpp' protocol/seed.cpp" \
  "protocol/seed.cpp:1: reads the wall clock (std::chrono::system_clock): protocol/ is deterministic" \
  "protocol/seed.cpp:2: reads a real clock (std::chrono::steady_clock)" \
  "protocol/seed.cpp:3: reads a real clock (std::chrono::high_resolution_clock)" \
  "protocol/seed.cpp:4: reads the wall clock (time())" \
  "protocol/seed.cpp:5: reads the wall clock (gettimeofday)" \
  "protocol/seed.cpp:6: reads a real clock (clock_gettime)" \
  "protocol/seed.cpp:7: reads the environment (getenv)" \
  "protocol/seed.cpp:8: draws real randomness (std::random_device)" \
  "protocol/seed.cpp:9: draws unseeded randomness (rand/srand)" \
  "protocol/seed.cpp:10: draws unseeded randomness (rand/srand)" \
  "protocol/seed.cpp:11: draws real randomness (/dev/urandom)" \
  "protocol/seed.cpp:12: draws real randomness (OpenSSL RAND_bytes)"

expect_fail determinism_in_fakes \
  "printf 'long now() { return std::chrono::steady_clock::now().time_since_epoch().count(); }\n' > fakes/clock.cpp" \
  "fakes/clock.cpp:1: reads a real clock (std::chrono::steady_clock): fakes/ is deterministic"

# 4. Comments that narrate history, in C++ (// and /* */) and in scripts (#).
put "$work" narration.hpp <<'EOF'
#pragma once
// Only JSON for now.
// The subcommands built so far.
// A command that is not implemented yet says so.
// The executor (later) runs it.
// Frames are no longer needed here.
/* This used to run twice. */
// Previously, the engine sent both.
// Watchlists are off at the moment.
// The limit was changed to 100.
EOF
expect_fail narration \
  "cp '$work/narration.hpp' protocol/story.hpp && printf '%s It used to run twice.\n' '#' >> scripts/build.sh" \
  'protocol/story.hpp:2: comment narrates history ("for now")' \
  'protocol/story.hpp:3: comment narrates history ("so far")' \
  'protocol/story.hpp:4: comment narrates history ("yet")' \
  'protocol/story.hpp:5: comment narrates history ("later")' \
  'protocol/story.hpp:6: comment narrates history ("no longer")' \
  'protocol/story.hpp:7: comment narrates history ("used to")' \
  'protocol/story.hpp:8: comment narrates history ("previously")' \
  'protocol/story.hpp:9: comment narrates history ("at the moment")' \
  'protocol/story.hpp:10: comment narrates history ("was changed")' \
  'scripts/build.sh:4: comment narrates history ("used to")'

# 5. Hand-written starts_with / ends_with: helpers by name, and the prefix idioms.
put "$work" prefix.cpp <<'EOF'
#include <string_view>

bool starts_with(std::string_view s, std::string_view p) { return s.substr(0, p.size()) == p; }
bool ends_with(std::string_view s, std::string_view p) { return s.size() >= p.size(); }
bool a(std::string s) { return s.rfind("presence-", 0) == 0; }
bool b(std::string s) { return s.compare(0, 8, "private-") == 0; }
auto has_suffix = [](std::string_view s) { return s.ends_with(".yaml"); };
EOF
expect_fail prefix_helpers \
  "cp '$work/prefix.cpp' harness/prefix.cpp && mkdir -p tests/harness && printf 'bool f(std::string_view x) { return x.rfind(\"y\", 0) != 0; }\n' > tests/harness/prefix_test.cpp" \
  "harness/prefix.cpp:3: hand-written starts_with: use std::string_view::starts_with/ends_with" \
  "harness/prefix.cpp:4: hand-written ends_with: use std::string_view::starts_with/ends_with" \
  "harness/prefix.cpp:5: rfind(x, 0) == 0 is a hand-written starts_with(x)" \
  "harness/prefix.cpp:6: compare(0, n, x) is a hand-written starts_with(x)" \
  "tests/harness/prefix_test.cpp:1: rfind(x, 0) == 0 is a hand-written starts_with(x)"

# A lambda named like a helper is one too.
expect_fail prefix_lambda \
  "printf 'void f() {\n  auto ends_with = [](int) { return true; };\n}\n' > net/suffix.cpp" \
  "net/suffix.cpp:2: hand-written ends_with"

if [ "$failures" -ne 0 ]; then
  echo "$failures check(s) failed"
  exit 1
fi
echo "all checks behave"
