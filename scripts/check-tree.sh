#!/usr/bin/env bash
# Checks a source tree for what review should never have to point out, and prints
# `file:line: what is wrong` for each violation (exit 1 when there is one, 2 on bad usage):
#   1. formatting: every *.cpp/*.hpp of our code folders is as clang-format leaves it;
#   2. layering: a folder includes only the folders it builds on (scripts/check_tree.py has
#      the table), and protocol/ and fakes/ include no Boost, yaml-cpp or sockets headers;
#   3. determinism: protocol/ and fakes/ read no clock, no environment, no real randomness;
#   4. comments say what is and why, not the story of the code (NARRATION in check_tree.py);
#   5. no hand-written starts_with/ends_with (std::string_view has both).
# Usage: scripts/check-tree.sh [ROOT]   (ROOT defaults to this repository)
# In a git work tree only tracked files count; any other directory is checked whole.
set -euo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
if [ $# -gt 1 ]; then
  echo "usage: scripts/check-tree.sh [ROOT]" >&2
  exit 2
fi
root=$(cd "${1:-$here/..}" && pwd -P) || exit 2

# NUL-separated paths relative to root.
list_files() {
  local top
  top=$(git -C "$root" rev-parse --show-toplevel 2>/dev/null || true)
  if [ -n "$top" ] && [ "$(cd "$top" && pwd -P)" = "$root" ]; then
    git -C "$root" ls-files -z
  else
    # Outside git, leave out what builds and npm put in the tree.
    (cd "$root" && find . \( -path ./.git -o -path './build*' -o -name node_modules \) -prune -o -type f -print0 |
      sed -z 's|^\./||')
  fi
}

files=$(mktemp)
format_out=$(mktemp)
trap 'rm -f "$files" "$format_out"' EXIT
list_files >"$files"

status=0

# 1. Formatting, against the tree's own .clang-format (CI's is Debian 12's clang-format 14).
if ! command -v clang-format >/dev/null 2>&1; then
  echo "check-tree: clang-format is not installed (scripts/install-deps.sh installs it)" >&2
  exit 2
fi
version=$(clang-format --version | sed -nE 's/.*version ([0-9]+).*/\1/p')
if [ "$version" != 14 ]; then
  echo "check-tree: note: clang-format $version here, 14 in CI; a difference may be the version's" >&2
fi
if [ ! -f "$root/.clang-format" ]; then
  echo ".clang-format:1: missing: the formatting check needs the tree's style"
  status=1
else
  (cd "$root" &&
    grep -zE '^(apps|bench|fakes|fuzz|harness|net|protocol|reports|tests)/.*\.(cpp|hpp)$' "$files" |
    while IFS= read -r -d '' f; do if [ -f "$f" ]; then printf '%s\0' "$f"; fi; done |
    xargs -0 -r -n 64 clang-format --dry-run --Werror 2>"$format_out" >/dev/null) || true
  # clang-format reports every differing spot as `file:line:col: error: ...`; one line per
  # file is enough to say what to run.
  if grep -q 'clang-format-violations' "$format_out"; then
    sed -nE 's/^([^:]+):([0-9]+):[0-9]+: error: code should be clang-formatted.*/\1:\2: not formatted as .clang-format says (run clang-format -i \1)/p' \
      "$format_out" | sort -s -t: -k1,1 -u
    status=1
  elif [ -s "$format_out" ]; then
    cat "$format_out" >&2
    echo "check-tree: clang-format failed" >&2
    exit 2
  fi
fi

# 2-5. Everything that reads the source itself.
python3 "$here/check_tree.py" "$root" <"$files" || status=$?
if [ "$status" -gt 1 ]; then exit "$status"; fi

if [ "$status" -ne 0 ]; then
  echo "check-tree: $root has the problems above" >&2
fi
exit "$status"
