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
echo "generate_cli: ok"
