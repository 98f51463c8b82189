#!/usr/bin/env bash
# CTest entry for the SDK interop check: installs the pinned SDKs once (npm ci, from
# package-lock.json) and runs interop.js against the pushsim binary given as $1.
# Without node the test fails: an interop check that cannot run must not look like a pass.
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
pushsim="${1:?usage: run-interop.sh PATH/TO/pushsim}"

if ! command -v node >/dev/null 2>&1; then
  echo "interop: FAILED: node is not installed (Node.js >= 18 is needed to run pusher-js and pusher against pushsim serve)" >&2
  exit 1
fi
if [ ! -d "$here/node_modules/pusher-js" ] || [ ! -d "$here/node_modules/pusher" ]; then
  if ! command -v npm >/dev/null 2>&1; then
    echo "interop: FAILED: npm is not installed, so the pinned SDKs cannot be installed" >&2
    exit 1
  fi
  echo "interop: installing the pinned SDKs (npm ci)"
  (cd "$here" && npm ci --no-audit --no-fund)
fi
echo "interop: node $(node --version), pushsim $pushsim"
exec node "$here/interop.js" "$pushsim"
