#!/usr/bin/env bash
# CTest pushsim_compare: `pushsim compare` as a user meets it. Two real runs of the bundled suite
# in simulation write their JSON reports (the reference, and the same engine judged with the
# soketi profile, which skips what soketi lacks and marks its listed deviations), then:
# differences come first and are counted as the runs counted them, --fail-on-difference fails
# only when verdicts differ, the output is the same bytes every time, and bad input is refused
# with exit 2 and the file's name.
# Usage: compare_cli.sh PUSHSIM_BINARY
set -uo pipefail

pushsim=${1:?usage: compare_cli.sh PUSHSIM_BINARY}
here=$(cd "$(dirname "$0")" && pwd)
fail() { echo "compare_cli: FAIL: $*" >&2; exit 1; }

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
cd "$work" || fail "cannot enter $work"

"$pushsim" run --no-color --json ref.json >ref.out 2>&1 || { cat ref.out >&2; fail "the reference run failed"; }
"$pushsim" run --no-color --target sim --profile soketi --json soketi.json >soketi.out 2>&1 ||
  { cat soketi.out >&2; fail "the run with the soketi profile failed"; }
skipped=$(grep -o '[0-9]* skipped' soketi.out | grep -o '[0-9]*')
xpass=$(grep -o '[0-9]* unexpected passes' soketi.out | grep -o '^[0-9]*')
total=$(grep -o '^[0-9]* scenarios:' ref.out | grep -o '[0-9]*')
[ -n "$skipped" ] && [ -n "$xpass" ] && [ -n "$total" ] || fail "cannot read the runs' summaries"
[ $((skipped + xpass)) -gt 0 ] || fail "the soketi profile changed no verdict; nothing to compare"

"$pushsim" compare ref.json soketi.json >matrix.md 2>compare.err
status=$?
[ "$status" -eq 0 ] || { cat compare.err >&2; fail "compare exited $status, expected 0 without --fail-on-difference"; }
differ=$((skipped + xpass))
grep -qx "# pushsim compare: 2 reports, $total scenarios, $differ differ" matrix.md ||
  { head -3 matrix.md >&2; fail "the title does not count $differ differences of $total"; }
grep -qx "| skipped | 0 | $skipped |" matrix.md || fail "the summary does not count $skipped skipped for soketi"
grep -qx "| unexpected-pass | 0 | $xpass |" matrix.md || fail "the summary does not count $xpass unexpected passes"
# The rows right after the differences' header all differ; the agreeing ones are only counted.
rows=$(sed -n '/^## Differences/,/^## Same verdict/p' matrix.md | grep -c '^| [a-z_]*\.[0-9a-z-]* | ')
[ "$rows" -eq "$differ" ] || fail "$rows rows under Differences, expected $differ"
sed -n '/^## Differences/,/^## Same verdict/p' matrix.md | grep '^| [a-z_]*\.[0-9a-z-]* | ' |
  grep -E '\| (pass|skipped|unexpected-pass) \| \1 \|' && fail "a row under Differences has the same verdict twice"
grep -qx "$((total - differ)) rows not shown (\`--all\` lists them)." matrix.md || fail "the agreeing rows are not counted"

"$pushsim" compare ref.json soketi.json --fail-on-difference >/dev/null 2>&1
[ $? -eq 1 ] || fail "--fail-on-difference with differences did not exit 1"
"$pushsim" compare ref.json ref.json --fail-on-difference >same.md 2>&1
[ $? -eq 0 ] || fail "--fail-on-difference without differences did not exit 0"
grep -q "^Every scenario has the same verdict in every report.$" same.md || fail "a run compared with itself differs"

# Files instead of stdout, the same bytes on a second run, and the page inert.
"$pushsim" compare ref.json soketi.json --all --markdown a.md --html a.html >files.out 2>&1 || fail "writing files failed"
"$pushsim" compare ref.json soketi.json --all --markdown b.md --html b.html >/dev/null 2>&1 || fail "writing files failed"
grep -qx "pushsim compare: 2 reports, $total scenarios, $differ differ" files.out || fail "no summary line with --markdown"
cmp -s a.md b.md && cmp -s a.html b.html || fail "two runs of compare wrote different bytes"
grep -q '<script' a.html && fail "the page has a script"
[ "$(grep -c '^| [a-z_]*\.[0-9a-z-]* | ' a.md)" -eq "$total" ] || fail "--all does not list every scenario"

# Bad input: exit 2, and the message names the file and what is wrong.
expect_refused() {
  local pattern=$1
  shift
  "$pushsim" compare "$@" >refused.out 2>&1
  local code=$?
  [ "$code" -eq 2 ] || fail "compare $* exited $code, expected 2"
  grep -q -- "$pattern" refused.out || { cat refused.out >&2; fail "compare $*: no message matching '$pattern'"; }
}
expect_refused "needs at least two reports" ref.json
expect_refused "missing.json: cannot read: " ref.json missing.json
expect_refused "no_verdict.json: scenarios\[1\]: no \"verdict\" string" ref.json "$here/compare_fixture/no_verdict.json"
expect_refused "not_json.json:4:18: not JSON" ref.json "$here/compare_fixture/not_json.json"
expect_refused "bench_fanout.json: not a pushsim JSON report" "$here/compare_fixture/bench_fanout.json" ref.json
echo "compare_cli: ok ($differ of $total scenarios differ: $skipped skipped, $xpass unexpected passes)"
