#!/usr/bin/env bash
# CTest reports/html_in_chromium: runs `pushsim run --html` on a suite made to fail
# (html_fixture/), opens the page in headless Chromium and checks that it loads without
# errors and that the failing scenario's sequence diagram is in the rendered DOM.
# Usage: html_in_chromium.sh PUSHSIM_BINARY
set -uo pipefail

pushsim=${1:?usage: html_in_chromium.sh PUSHSIM_BINARY}
here=$(cd "$(dirname "$0")" && pwd)
fail() { echo "html_in_chromium: FAIL: $*" >&2; exit 1; }

browser=$(command -v chromium || command -v chromium-browser || true)
[ -n "$browser" ] || fail "chromium is not installed (scripts/install-deps.sh installs it)"

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
page="$work/report.html"

"$pushsim" run --no-color --html "$page" "$here/html_fixture" >"$work/run.out" 2>&1
status=$?
[ "$status" -eq 1 ] || { cat "$work/run.out" >&2; fail "pushsim run exited $status, expected 1 (a failing suite)"; }
[ -s "$page" ] || fail "no HTML written to $page"

timeout 60 "$browser" --headless --no-sandbox --disable-gpu --disable-quic --no-first-run \
  --disable-background-networking --disable-component-update --disable-sync \
  --user-data-dir="$work/profile" --enable-logging=stderr --v=0 \
  --dump-dom "file://$page" >"$work/dom.html" 2>"$work/chromium.err"
status=$?
[ "$status" -eq 0 ] || { tail -20 "$work/chromium.err" >&2; fail "chromium exited $status"; }

# Page errors (bad markup in inline SVG, script errors, blocked loads) come as console lines.
if grep -E "CONSOLE|Uncaught|ERR_FILE_NOT_FOUND|net::ERR_" "$work/chromium.err" >&2; then
  fail "chromium reported errors while loading the page"
fi
# The failing scenario's diagram: an <svg> for htmlfixture.1 holding arrows and the failure mark.
svg=$(tr '\n' ' ' <"$work/dom.html" | grep -o '<svg [^>]*data-scenario="htmlfixture.1".*</svg>' | head -c 2000000)
[ -n "$svg" ] || fail "no <svg> diagram of htmlfixture.1 in the rendered DOM"
grep -q '<title>sequence diagram of htmlfixture.1</title>' <<<"$svg" || fail "the diagram does not name htmlfixture.1"
grep -q 'class="arrow k-deliver"' <<<"$svg" || fail "the diagram has no delivered frame"
grep -q 'failed: expect' <<<"$svg" || fail "the diagram does not mark the failing step"
grep -q 'data-scenario="htmlfixture.2"' "$work/dom.html" && fail "a passing scenario got a diagram"
grep -q '&lt;nobody&gt; &amp;' "$work/dom.html" || fail "the scenario name was not escaped as text"
echo "html_in_chromium: ok ($(wc -c <"$page") bytes, diagram of htmlfixture.1 rendered)"
