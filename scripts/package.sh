#!/usr/bin/env bash
# Build the .deb and .rpm: the app, the dbc-rent CLI with its completions and
# man page, and the practice network (chopsticks bundled for Node.js alone,
# plus the pinned chain spec, checked here against the pin in the code).
# Run by `make package`; everything it builds lands in target/.
#   target/package/practice/   the practice network bundle + chain spec
#   target/package/share/      completions and the man page
#   target/release/bundle/{deb,rpm}/   the packages
set -euo pipefail
cd "$(dirname "$0")/.."
out=target/package
rm -rf "$out" && mkdir -p "$out/share"

echo "==> practice network bundle"
node crates/dbc-sandbox/js/bundle.cjs "$out/practice"

echo "==> chain spec (pinned sha256 from crates/dbc-sandbox/src/spec.rs)"
pin=$(sed -n 's/^pub const SPEC_SHA256: &str = "\([0-9a-f]\{64\}\)";$/\1/p' crates/dbc-sandbox/src/spec.rs)
url=$(sed -n 's/^pub const SPEC_URL: &str = "\(.*\)";$/\1/p' crates/dbc-sandbox/src/spec.rs)
[ ${#pin} -eq 64 ] || { echo "cannot read SPEC_SHA256 from spec.rs"; exit 1; }
spec="$out/practice/dbc-spec-v4.json"
if [ -f ../shared/dbc/dbc-spec-v4.json ]; then
  cp ../shared/dbc/dbc-spec-v4.json "$spec"
else
  echo "    ../shared has no copy: downloading $url"
  curl -fsSL --retry 3 -o "$spec" "$url"
fi
got=$(sha256sum "$spec" | cut -d' ' -f1)
[ "$got" = "$pin" ] || { echo "chain spec sha256 $got is not the pinned $pin: refusing to package it"; exit 1; }

echo "==> dbc-rent CLI (release), completions, man page"
cargo build --release --locked -p dbc-cli
cli=target/release/dbc-rent
"$cli" generate complete-bash > "$out/share/dbc-rent.bash"
"$cli" generate complete-zsh > "$out/share/_dbc-rent"
"$cli" generate complete-fish > "$out/share/dbc-rent.fish"
"$cli" generate man | gzip -9n > "$out/share/dbc-rent.1.gz"

echo "==> app (release) and the packages"
# Updates (README "Updates"): a release build gets its release address and
# public key from DBC_RENT_UPDATE_URL / DBC_RENT_UPDATER_PUBKEY (read when the
# app is compiled; without them updates are off). With the private key in
# TAURI_SIGNING_PRIVATE_KEY (the release workflow's secret, never a file
# here) the bundler also signs each package: a .sig next to the .deb and .rpm.
updater=()
if [ -n "${TAURI_SIGNING_PRIVATE_KEY:-}" ]; then
  [ -n "${DBC_RENT_UPDATE_URL:-}" ] && [ -n "${DBC_RENT_UPDATER_PUBKEY:-}" ] \
    || { echo "TAURI_SIGNING_PRIVATE_KEY is set without DBC_RENT_UPDATE_URL and DBC_RENT_UPDATER_PUBKEY" >&2; exit 1; }
  updater=(--config '{"bundle":{"createUpdaterArtifacts":true}}')
  echo "    signing the packages for the updater; release address $DBC_RENT_UPDATE_URL"
fi
(cd ui && TAURI_APP_PATH=../src-tauri npx tauri build --bundles deb,rpm --config ../src-tauri/tauri.package.json "${updater[@]}")

echo "==> built"
for f in target/release/bundle/deb/*.deb target/release/bundle/rpm/*.rpm target/release/bundle/{deb,rpm}/*.sig; do
  [ -e "$f" ] || continue
  printf '%-70s %8d KiB\n' "$f" $(( $(stat -c %s "$f") / 1024 ))
done
