#!/usr/bin/env bash
# The full update install, as root with dpkg (run by `make test-update`; not part
# of `make test`: it installs and removes a package on this system).
#
# Two small synthetic packages of one name, `dbc-rent-update-probe` 0.1.0 and
# 0.2.0, made with `dpkg-deb --build`, each carrying a marker file with its
# version (building two full app versions takes an hour here; the install
# path is the same for any .deb). 0.1.0 is installed first. Then the app's
# update code runs (src-tauri/examples/update_deb.rs: UpdateService with the
# real tauri-plugin-updater, in a mock app at version 0.1.0) against a local
# HTTP server with throwaway minisign keys:
#   1. a package signed by another key    -> update-bad-signature, still 0.1.0
#   2. altered bytes (good signature)     -> update-bad-signature, still 0.1.0
#   3. an older version offered (0.0.9)   -> update-not-newer, still 0.1.0
#   4. signed by `tauri signer sign` (the release tool) without
#      --app-version                      -> update-bad-signature, still 0.1.0
#   5. 0.2.0, signed by `tauri signer sign --app-version` (a throwaway key)
#                                         -> installed: dpkg -s says 0.2.0
# The plugin installs a .deb with `pkexec dpkg -i <tmp>/package.deb`. There is
# no polkit agent here and we are root already, so a `pkexec` that records its
# arguments and runs them stands in for it (first on PATH); the test checks
# the plugin called exactly `pkexec dpkg -i …/package.deb`.
set -euo pipefail
cd "$(dirname "$0")/.."
fail() { echo "update test: $*" >&2; exit 1; }
[ "$(id -u)" = 0 ] || fail "run as root (it installs a package with dpkg)"
command -v dpkg-deb >/dev/null || fail "needs dpkg-deb"
[ -x ui/node_modules/.bin/tauri ] || fail "needs the Tauri CLI: make ui-deps"

PROBE=dbc-rent-update-probe
work=$(mktemp -d /tmp/dbc-update-test.XXXXXX)
cleanup() {
  dpkg -r "$PROBE" >/dev/null 2>&1 || true
  rm -rf "$work"
}
trap cleanup EXIT
dpkg -s "$PROBE" >/dev/null 2>&1 && fail "$PROBE is installed already; remove it first (dpkg -r $PROBE)"

arch=$(dpkg --print-architecture)
make_deb() { # version -> $work/pkg/<name>.deb
  local v=$1 root="$work/build-$1"
  mkdir -p "$root/DEBIAN" "$root/usr/share/$PROBE" "$work/pkg"
  cat >"$root/DEBIAN/control" <<EOF
Package: $PROBE
Version: $v
Architecture: $arch
Maintainer: DBC Rent tests <tests@dbc-rent.invalid>
Description: marker package for the DBC Rent update test
EOF
  echo "$v" >"$root/usr/share/$PROBE/VERSION"
  dpkg-deb --root-owner-group --build "$root" "$work/pkg/${PROBE}_${v}_${arch}.deb" >/dev/null
}
for v in 0.0.9 0.1.0 0.2.0; do make_deb "$v"; done
deb() { echo "$work/pkg/${PROBE}_$1_${arch}.deb"; }

installed() { dpkg-query -W -f '${Version}' "$PROBE" 2>/dev/null || echo none; }
dpkg -i "$(deb 0.1.0)" >/dev/null
[ "$(installed)" = 0.1.0 ] || fail "the old version did not install"
echo "==> installed $PROBE 0.1.0"

echo "==> building the update harness"
cargo build -q --locked -p dbc-rent-app --example update_deb
# The Tauri bundler marks the packaged app's binary with its bundle type (same
# length, in place); the plugin installs a .deb only in a binary marked so.
harness="$work/update_deb"
sed 's/__TAURI_BUNDLE_TYPE_VAR_UNK/__TAURI_BUNDLE_TYPE_VAR_DEB/' target/debug/examples/update_deb >"$harness"
chmod +x "$harness"
grep -q __TAURI_BUNDLE_TYPE_VAR_DEB "$harness" || fail "the bundle-type marker was not found"

mkdir -p "$work/bin"
cat >"$work/bin/pkexec" <<EOF
#!/bin/sh
echo "\$*" >>"$work/pkexec.log"
exec "\$@"
EOF
chmod +x "$work/bin/pkexec"

# run <case> <package version> <announced version> <mode> -> the JSON line; $status
run() {
  local serve="$work/serve-$1"
  mkdir -p "$serve"
  cp "$(deb "$2")" "$serve/"
  set +e
  out=$(PATH="$work/bin:$PATH" "$harness" "$serve" "$serve/$(basename "$(deb "$2")")" "$3" 0.1.0 "$4" 2>"$work/$1.log")
  status=$?
  set -e
  echo "    $out"
}
refused() { # case code
  [ "$status" = 2 ] || { cat "$work/$1.log"; fail "$1: expected a refusal, got exit $status"; }
  grep -q "\"code\":\"$2\"" <<<"$out" || fail "$1: expected $2"
  [ "$(installed)" = 0.1.0 ] || fail "$1: the installed version changed to $(installed)"
  [ ! -e "$work/pkexec.log" ] || fail "$1: the installer ran: $(cat "$work/pkexec.log")"
}

echo "==> 1. signed by another key"
run other-key 0.2.0 0.2.0 other-key
refused other-key update-bad-signature
echo "==> 2. altered package, genuine signature"
run tampered 0.2.0 0.2.0 tampered
refused tampered update-bad-signature
echo "==> 3. an older version offered"
run older 0.0.9 0.0.9 good
refused older update-not-newer
grep -q '"offered":"0.0.9"' <<<"$out" && grep -q '"current":"0.1.0"' <<<"$out" || fail "older: both versions expected in data"
(cd ui && npx tauri signer generate --ci -p "" -w "$work/release.key" >/dev/null)
export UPDATE_TEST_PUBKEY; UPDATE_TEST_PUBKEY=$(cat "$work/release.key.pub")
cli_sign() { # case [--app-version V]: signs that case's copy of 0.2.0 with the release tool
  mkdir -p "$work/serve-$1"
  cp "$(deb 0.2.0)" "$work/serve-$1/"
  local case=$1; shift
  (cd ui && npx tauri signer sign -f "$work/release.key" -p "" "$@" "$work/serve-$case/$(basename "$(deb 0.2.0)")" >/dev/null)
}
echo "==> 4. signed by the release tool without --app-version (the version is not bound)"
cli_sign unbound
run unbound 0.2.0 0.2.0 cli
refused unbound update-bad-signature
echo "==> 5. 0.2.0, signed by the release tool (tauri signer --app-version, a throwaway key)"
cli_sign newer --app-version 0.2.0
run newer 0.2.0 0.2.0 cli
[ "$status" = 0 ] || { cat "$work/newer.log"; fail "the update did not install (exit $status)"; }
grep -q '"installed":"0.2.0"' <<<"$out" || fail "unexpected result"
grep -q "^progress: " "$work/newer.log" || fail "no download progress was reported"
grep -Eq '^dpkg -i .*/tauri_deb_update[^/]*/package\.deb$' "$work/pkexec.log" \
  || fail "the plugin did not run pkexec dpkg -i: $(cat "$work/pkexec.log")"
echo "    the plugin ran: pkexec $(cat "$work/pkexec.log")"
[ "$(installed)" = 0.2.0 ] || fail "dpkg reports $(installed), not 0.2.0"
[ "$(cat /usr/share/$PROBE/VERSION)" = 0.2.0 ] || fail "the marker file was not replaced"
dpkg -s "$PROBE" | grep -E '^(Package|Status|Version):' | sed 's/^/    /'
echo "update test: passed (refused: other key, altered bytes, older version, unbound signature; installed 0.1.0 -> 0.2.0 with dpkg)"
