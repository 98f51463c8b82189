#!/usr/bin/env bash
# Which broken engines (protocol/server/defects.hpp) generated workloads find: for every defect,
# `pushsim generate --defect NAME` over SEEDS seeds (single node; cluster-only defects on
# NODES nodes; not found at MUST: again with --should), then the written, shrunk scenario is
# checked: `pushsim run FILE --defect NAME` must fail and `pushsim run FILE` must pass.
# Prints the markdown table of scenarios/README.md ("Generated workloads"); exit 1 when a
# written scenario does not fail on its defect or does not pass on the reference.
#
#   bash scripts/generate-table.sh [PUSHSIM] [SEEDS] [OUT]      (defaults: build/pushsim 500 /tmp/gen-table)
#   DEFECTS="a b" bash scripts/generate-table.sh ...            (only these)
set -u
pushsim=${1:-build/pushsim}
seeds=${2:-500}
out=${3:-/tmp/gen-table}
nodes=${NODES:-3}
cluster_only="webhooks-per-node member-list-per-node local-only-exclusion vacated-while-members-elsewhere no-dead-node-cleanup bus-hiccup-loses-broadcast removal-hold-per-node watchlist-per-node terminate-local-only connection-quota-per-node"
defects=${DEFECTS:-}
if [ -z "$defects" ]; then  # every defect, in the catalogue's order
  defects=$(grep -o '{Defect::k[A-Za-z0-9]*, "[a-z0-9-]*"' protocol/server/defects.cpp | sed 's/.*"\(.*\)"/\1/')
fi
rm -rf "$out"
mkdir -p "$out"
bad=0
echo "| defect | workload | first failing seed | shrunk: operations / steps / clients | written file: defect / reference |"
echo "|---|---|---|---|---|"
for d in $defects; do
  modes="single should"
  case " $cluster_only " in *" $d "*) modes="nodes" ;; esac
  found=""
  for mode in $modes; do
    extra=""
    label="single node"
    [ "$mode" = nodes ] && extra="--nodes $nodes" && label="$nodes nodes"
    [ "$mode" = should ] && extra="--should" && label="single node, SHOULD"
    dir="$out/$d-$mode"
    # shellcheck disable=SC2086
    log=$("$pushsim" generate --defect "$d" --seeds "$seeds" --out "$dir" $extra 2>&1)
    seed=$(printf '%s\n' "$log" | sed -n 's/^FAIL seed \([0-9]*\) .*/\1/p' | head -1)
    [ -z "$seed" ] && continue
    shrunk=$(printf '%s\n' "$log" | sed -n 's/^  shrunk: \([0-9]*\) operations, \([0-9]*\) steps, \([0-9]*\) clients.*/\1 \/ \2 \/ \3/p')
    file=$(printf '%s\n' "$log" | sed -n 's/^  wrote \(.*\.yaml\) (.*/\1/p')
    "$pushsim" run "$file" --defect "$d" >/dev/null 2>&1
    on_defect=$?
    "$pushsim" run "$file" >/dev/null 2>&1
    on_reference=$?
    verdict="fails / passes"
    # A SHOULD scenario's failure is "non-strict": exit 0 on both, so judge by the verdict line.
    if [ "$mode" = should ]; then
      "$pushsim" run "$file" --defect "$d" 2>&1 | grep -q '^NONSTRICT \|^FAIL ' && on_defect=1
      "$pushsim" run "$file" 2>&1 | grep -q '^PASS ' || on_reference=1
    fi
    if [ "$on_defect" = 0 ] || [ "$on_reference" != 0 ]; then
      verdict="**defect $on_defect, reference $on_reference**"
      bad=1
    fi
    echo "| \`$d\` | $label | $seed | $shrunk | $verdict |"
    found=1
    break
  done
  [ -z "$found" ] && echo "| \`$d\` | ${label} | not in $seeds | | |"
done
exit $bad
