#!/usr/bin/env bash
# Installs the Debian 12 packages pushsim builds and tests with, only those that are missing
# (chromium: headless, for the HTML report test reports/html_in_chromium).
# Idempotent: a second run installs nothing and makes no network request.
#   install-deps.sh           everything the build and every test need
#   install-deps.sh package   only what building the pushsim binary and its Debian package needs
#                             (the container recipe's build stage: no test tools, no Chromium)
set -euo pipefail

# dpkg-dev and file: cpack's DEB generator computes the package's Depends with dpkg-shlibdeps.
packages=(
  build-essential cmake ninja-build pkg-config
  libboost-dev libboost-system-dev
  nlohmann-json3-dev libssl-dev libyaml-cpp-dev libcli11-dev libmimalloc-dev libhiredis-dev
  dpkg-dev file
)
mode=${1:-all}
case "$mode" in
  all) packages+=(catch2 libbenchmark-dev ccache mold clang-format chromium redis-server) ;;
  package) ;;
  *)
    echo "usage: scripts/install-deps.sh [all|package]" >&2
    exit 2
    ;;
esac

missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done

# The SDK interop tests (tests/interop) run the official JavaScript SDKs with Node.js; use the
# machine's Node when it has one, else Debian's.
if [ "$mode" = all ]; then
  command -v node >/dev/null 2>&1 || missing+=(nodejs)
  command -v npm >/dev/null 2>&1 || missing+=(npm)
fi

if [ ${#missing[@]} -eq 0 ]; then
  echo "install-deps: all ${#packages[@]} packages present"
  exit 0
fi

echo "install-deps: installing ${missing[*]}"
sudo_cmd=()
[ "$(id -u)" -eq 0 ] || sudo_cmd=(sudo)
export DEBIAN_FRONTEND=noninteractive
"${sudo_cmd[@]}" apt-get update -q
"${sudo_cmd[@]}" apt-get install -y -q --no-install-recommends "${missing[@]}"
