#!/bin/bash
# `--log` as a user meets it (apps/wire_log_option.cpp): JSON lines in a file, byte for byte the
# same on a second run and with --jobs 2; console lines on stdout; the secret and every
# signature masked (the trace of the same run holds them, so the check can fail); verdicts
# unchanged; a path that cannot be written is a usage error (exit 2).
set -u
pushsim="$1"
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
fail() { echo "FAIL: $*"; exit 1; }
only=(--only 'private.*' --only 'presence.5*' --only 'webhooks.1*')

"$pushsim" run "${only[@]}" --log "$work/a.jsonl" >"$work/a.out" || fail "the run failed: $(cat "$work/a.out")"
"$pushsim" run "${only[@]}" --log "$work/b.jsonl" --jobs 2 >"$work/b.out" || fail "the run with --jobs 2 failed"
"$pushsim" run "${only[@]}" >"$work/plain.out" || fail "the run without --log failed"
[ -s "$work/a.jsonl" ] || fail "the log is empty"
cmp -s "$work/a.jsonl" "$work/b.jsonl" || fail "--jobs 2 wrote other bytes than --jobs 1"
"$pushsim" run "${only[@]}" --log "$work/c.jsonl" >/dev/null
cmp -s "$work/a.jsonl" "$work/c.jsonl" || fail "a second run wrote other bytes"
# The same verdict lines with and without the log (wall times in brackets aside).
diff <(grep -E '^(PASS|FAIL)' "$work/a.out" | sed 's/([0-9]*ms)//') \
     <(grep -E '^(PASS|FAIL)' "$work/plain.out" | sed 's/([0-9]*ms)//') >/dev/null ||
  fail "the log changed the verdicts"

head -1 "$work/a.jsonl" | grep -qE '^\{"t":0\.[0-9]{9},"scenario":"[a-z]+\.[0-9]+","kind":"connect","client":"[a-z]+","direction":"out","text":"/app/app-key' ||
  fail "unexpected first line: $(head -1 "$work/a.jsonl")"
for kind in frame rest webhook; do
  grep -q "\"kind\":\"$kind\"" "$work/a.jsonl" || fail "no $kind line in the log"
done
grep -q 'app-key:<redacted>' "$work/a.jsonl" || fail "no masked channel auth in the log"
grep -q 'auth_signature=<redacted>' "$work/a.jsonl" || fail "no masked REST signature in the log"
grep -q 'app-secret' "$work/a.jsonl" && fail "the app secret is in the log"
# HMAC-SHA256 signatures are 64 hex digits. The trace of a run of the same kind holds them.
digest='(^|[^0-9a-zA-Z])[0-9a-fA-F]{64}([^0-9a-zA-Z]|$)'  # exactly 64 (names.10's long names are not)
"$pushsim" replay private.2 --seed 1 --trace "$work/trace.jsonl" >/dev/null
grep -qE "$digest" "$work/trace.jsonl" || fail "the trace holds no signature: the check below proves nothing"
grep -qE "$digest" "$work/a.jsonl" && fail "a signature is in the log: $(grep -oE "$digest" "$work/a.jsonl" | head -1)"

console=$("$pushsim" run --only private.2 --log) || fail "the console run failed"
grep -qE '^\[[0-9]+\.[0-9]{3}s alice ->\] \{"event":"pusher:subscribe","data":\{"auth":"app-key:<redacted>"' <<<"$console" ||
  fail "no console line of the subscribe: $console"
grep -qE '^PASS +private\.2 ' <<<"$console" || fail "no verdict after the log lines: $console"
"$pushsim" replay private.2 --seed 1 --log | grep -qE '^\[[0-9.]+s [a-z]+ <-\] \{"event":"pusher:connection_established"' ||
  fail "replay --log shows no frames"

"$pushsim" run --only private.2 --log "$work/no/such/dir/x.jsonl" >"$work/bad.out" 2>&1
[ $? -eq 2 ] || fail "an unwritable --log path must exit 2: $(cat "$work/bad.out")"
grep -q "cannot write it" "$work/bad.out" || fail "no clear error: $(cat "$work/bad.out")"
"$pushsim" run --log scenarios/x.yaml >"$work/yaml.out" 2>&1
[ $? -eq 2 ] || fail "--log naming a scenario file must exit 2"
"$pushsim" serve --port 0 --log "$work" >"$work/serve.out" 2>&1
[ $? -eq 2 ] || fail "serve --log naming a folder must exit 2: $(cat "$work/serve.out")"
echo "wire_log_cli: ok"
