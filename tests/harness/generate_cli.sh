#!/bin/bash
# `pushsim generate` as a user meets it: the reference passes a run of seeds; against a broken
# engine the first failing seed is shrunk and written, byte for byte the same on a second run,
# and the file fails with `pushsim run --defect`, passes without, and lints clean.
set -u
pushsim="$1"
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
fail() { echo "FAIL: $*"; exit 1; }

out=$("$pushsim" generate --seeds 200) || fail "the reference failed a seed: $out"
grep -q "200 seeds passed" <<<"$out" || fail "no pass line: $out"

"$pushsim" generate --seeds 50 --defect ignore-socket-exclusion --out "$work/a" >"$work/a.log"
[ $? -eq 1 ] || fail "a found defect must exit 1: $(cat "$work/a.log")"
"$pushsim" generate --seeds 50 --defect ignore-socket-exclusion --out "$work/b" >"$work/b.log"
files=("$work"/a/*.yaml)
[ ${#files[@]} -eq 1 ] || fail "expected one written scenario, found ${#files[@]}"
file="${files[0]}"
cmp -s "$file" "$work/b/$(basename "$file")" || fail "a second run wrote other bytes"
cmp -s "$work/a.log" <(sed "s|$work/b|$work/a|g" "$work/b.log") || fail "a second run printed otherwise"

"$pushsim" run "$file" --defect ignore-socket-exclusion >/dev/null
[ $? -eq 1 ] || fail "the written scenario must fail on its defect"
"$pushsim" run "$file" >/dev/null || fail "the written scenario must pass on the reference"
"$pushsim" lint "$file" >/dev/null || fail "the written scenario must lint clean"

"$pushsim" generate --defect no-such-defect >/dev/null 2>&1
[ $? -eq 2 ] || fail "an unknown defect is a usage error (2)"
# Cluster workloads: a cluster-only defect is found on three nodes, and its file names them.
"$pushsim" generate --nodes 3 --seeds 50 --defect local-only-exclusion --out "$work/c" >"$work/c.log"
[ $? -eq 1 ] || fail "cluster: a found defect must exit 1: $(cat "$work/c.log")"
cluster_files=("$work"/c/*.yaml)
grep -q "^cluster: { nodes: 3 }" "${cluster_files[0]}" || fail "cluster: the written scenario names no cluster"
"$pushsim" run "${cluster_files[0]}" --defect local-only-exclusion >/dev/null
[ $? -eq 1 ] || fail "cluster: the written scenario must fail on its defect"
"$pushsim" run "${cluster_files[0]}" >/dev/null || fail "cluster: the written scenario must pass on the reference"
"$pushsim" generate --nodes 2 --target serve >/dev/null 2>&1
[ $? -eq 2 ] || fail "cluster: --nodes live is a usage error (2)"
# Live against an in-process pushsim serve (about 10 s a seed): the reference passes; a broken
# one fails, is shrunk live within its budget, says how often it reproduced, and its file runs live.
out=$("$pushsim" generate --target serve --seeds 1 --steps 20) || fail "live: the reference failed: $out"
grep -q "1 seeds passed live" <<<"$out" || fail "live: no pass line: $out"
grep -q "not deterministic" <<<"$out" || fail "live: must say live runs are not deterministic: $out"
"$pushsim" generate --target serve --seeds 3 --steps 20 --defect ignore-socket-exclusion --live-runs 1 \
    --live-shrink-budget 20s --out "$work/live" >"$work/live.log"
[ $? -eq 1 ] || fail "live: a found defect must exit 1: $(cat "$work/live.log")"
grep -q "reproduced [01] of 1" "$work/live.log" || fail "live: no reproduction count: $(cat "$work/live.log")"
live_files=("$work"/live/*.yaml)
[ ${#live_files[@]} -eq 1 ] || fail "live: expected one written scenario, found ${#live_files[@]}"
grep -q "simulation_only" "${live_files[0]}" && fail "live: a live scenario is not simulation_only"
"$pushsim" run "${live_files[0]}" --target serve --live-advance-budget 60s --live-wait-cap 10s >/dev/null ||
  fail "live: the written scenario must pass on the reference serve"
"$pushsim" generate --target ws://127.0.0.1:1 --defect no-pong >/dev/null 2>&1
[ $? -eq 2 ] || fail "live: --defect with a ws:// target is a usage error (2)"
echo "generate_cli: ok"
