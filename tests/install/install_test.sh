#!/usr/bin/env bash
# pushsim as another team's CI gets it: installed to a prefix, or unpacked from the Debian
# package, and run from elsewhere. Each copy must find its own bundled suite, profiles and
# protocol document in share/pushsim/ beside its binary, pass the whole suite, and never fall
# back on the source tree it was built from (which is still on this disk): with its installed
# scenarios removed, a copy must fail and say where it looked. No root needed.
#   install_test.sh PUSHSIM BUILD_DIR SOURCE_DIR WORK_DIR   (CMAKE and CPACK in the environment)
set -euo pipefail
pushsim=$1 build=$2 source=$3 work=$4
cmake=${CMAKE:-cmake} cpack=${CPACK:-cpack}

fail() { echo "install_test: FAIL: $*" >&2; exit 1; }
# Nothing in the environment may point a copy at a suite.
unset PUSHSIM_SCENARIOS PUSHSIM_DOCS PUSHSIM_PROFILES

rm -rf "$work"
mkdir -p "$work/elsewhere"
cd "$work/elsewhere"

# The reference: the build tree's binary, which reads the source tree.
"$pushsim" run >reference.txt || fail "the build tree's pushsim run failed"
reference_header=$(head -2 reference.txt)
fingerprint=$(sed -n '2s/.*suite \(sha256:[0-9a-f]*\).*/\1/p' <<<"$reference_header")
[ -n "$fingerprint" ] || fail "no suite fingerprint in the build tree's header: $reference_header"
scenarios=$(sed -n '1s/^pushsim run: \([0-9]*\) scenarios.*/\1/p' <<<"$reference_header")
echo "install_test: the build tree's suite: $scenarios scenarios, $fingerprint"

# One installed or unpacked tree: ROOT holds bin/pushsim and share/pushsim/.
check_tree() {
  local what=$1 root=$2
  local bin=$root/bin/pushsim data=$root/share/pushsim
  [ -x "$bin" ] || fail "$what: no $bin"
  "$bin" --version >version.txt
  grep -q "^scenarios: $data/scenarios$" version.txt || fail "$what: --version names another suite: $(cat version.txt)"
  grep -q "^profiles: $data/profiles$" version.txt || fail "$what: --version names other profiles: $(cat version.txt)"
  grep -q "^protocol document: $data/docs/protocol.md$" version.txt || fail "$what: $(cat version.txt)"
  local status=0
  "$bin" run --json run.json --junit run.xml >run.txt 2>&1 || status=$?
  [ "$status" -eq 0 ] || { cat run.txt; fail "$what: pushsim run exited with $status"; }
  grep -q "^pushsim run: $scenarios scenarios, target sim" run.txt || fail "$what: $(head -1 run.txt)"
  grep -q "), suite $fingerprint ($data/scenarios)$" run.txt || fail "$what: another suite: $(sed -n 2p run.txt)"
  grep -q "\"suite_fingerprint\": \"$fingerprint\"" run.json || fail "$what: the JSON report lacks the fingerprint"
  grep -q "name=\"suite_fingerprint\" value=\"$fingerprint\"" run.xml || fail "$what: the JUnit report lacks it"
  "$bin" lint >lint.txt 2>&1 || { cat lint.txt; fail "$what: pushsim lint of its bundled suite failed"; }
  "$bin" profiles | grep -q "^5 profiles in $data/profiles" || fail "$what: pushsim profiles: $("$bin" profiles | head -3)"
  echo "install_test: $what: $(tail -1 run.txt)"

  # Without its installed suite the copy fails, naming where it looked, though the source tree's
  # scenarios are still on disk.
  mv "$data/scenarios" "$data/scenarios.away"
  status=0
  "$bin" run >missing.txt 2>&1 || status=$?
  mv "$data/scenarios.away" "$data/scenarios"
  [ "$status" -eq 2 ] || { cat missing.txt; fail "$what: without share/pushsim/scenarios, run exited with $status"; }
  grep -q "$data/scenarios" missing.txt || fail "$what: the error does not say where it looked: $(cat missing.txt)"
  if grep -q "$source/scenarios" missing.txt; then fail "$what: it fell back on the source tree"; fi
}

# cmake --install to a prefix, then the prefix moved: nothing may depend on where it was installed.
"$cmake" --install "$build" --prefix "$work/prefix" >install.log
check_tree "cmake --install" "$work/prefix"
mv "$work/prefix" "$work/moved"
check_tree "the installed tree, moved" "$work/moved"

# The Debian package, built here into the work folder, its Depends computed by dpkg-shlibdeps.
"$cpack" --config "$build/CPackConfig.cmake" -G DEB -B "$work/package" >cpack.log 2>&1 || { cat cpack.log; fail "cpack"; }
deb=$(ls "$work"/package/pushsim_*.deb)
dpkg-deb -I "$deb" >info.txt
depends=$(sed -n 's/^ Depends: //p' info.txt)
echo "install_test: $(basename "$deb") Depends: $depends"
for library in libc6 libstdc++6 libssl3 libyaml-cpp; do
  grep -q "$library" <<<"$depends" || fail "Depends lacks $library: $depends"
done
unexpected=$(dpkg-deb -c "$deb" | awk '{print $6}' | grep -v -E '^\./(usr/?|usr/bin/?|usr/bin/pushsim|usr/share/?|usr/share/(pushsim|doc)(/.*)?)$' || true)
[ -z "$unexpected" ] || fail "unexpected files in the package: $unexpected"
dpkg-deb -x "$deb" "$work/unpacked"
check_tree "dpkg-deb -x" "$work/unpacked/usr"

rm -rf "$work"
echo "install_test: ok"
