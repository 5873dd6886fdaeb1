#!/usr/bin/env bash
# Writes the updater manifest (latest.json) for the Linux packages that
# `make package` built and signed (TAURI_SIGNING_PRIVATE_KEY set: a .sig next
# to each .deb and .rpm; re-signed bound to the version when the bundler's
# signature is not, which needs the key here too). Used by
# .github/workflows/release.yml.
#
#   scripts/update-manifest.sh <download-base-url> [notes] > latest.json
#
# <download-base-url> is where the packages will be downloaded from, e.g.
# https://github.com/<owner>/<repo>/releases/download/v0.2.0 (the file name is
# appended). Keys are the plugin's `{os}-{arch}-{installer}`: an app installed
# from the .deb takes `linux-x86_64-deb`, from the .rpm `linux-x86_64-rpm`.
set -euo pipefail
cd "$(dirname "$0")/.."
base=${1:?usage: update-manifest.sh <download-base-url> [notes]}
notes=${2:-}
version=$(jq -r .version src-tauri/tauri.conf.json)
case "$(uname -m)" in
  x86_64) arch=x86_64 ;;
  aarch64) arch=aarch64 ;;
  *) echo "unsupported architecture $(uname -m)" >&2; exit 1 ;;
esac
platforms='{}'
for kind in deb rpm; do
  pkg=$(ls -t target/release/bundle/$kind/*.$kind 2>/dev/null | head -1 || true)
  [ -n "$pkg" ] || { echo "no .$kind in target/release/bundle/$kind" >&2; exit 1; }
  [ -s "$pkg.sig" ] || { echo "$pkg.sig is missing: build with TAURI_SIGNING_PRIVATE_KEY set" >&2; exit 1; }
  # The app requires the signature to name its version (requireSignedVersion):
  # sign again, bound to it, if the bundler's signature does not.
  if ! base64 -d <"$pkg.sig" | grep -q "version:$version\$"; then
    echo "signing $pkg for version $version" >&2
    abs=$(realpath "$pkg")
    (cd ui && npx tauri signer sign --app-version "$version" "$abs" >&2)
    base64 -d <"$pkg.sig" | grep -q "version:$version\$" || { echo "$pkg.sig is not bound to $version" >&2; exit 1; }
  fi
  # Release assets are named without spaces; GitHub turns them into dots.
  name=$(basename "$pkg" | tr ' ' '.')
  platforms=$(jq --arg k "linux-$arch-$kind" --arg url "$base/$name" --rawfile sig "$pkg.sig" \
    '. + {($k): {url: $url, signature: ($sig | rtrimstr("\n"))}}' <<<"$platforms")
done
jq -n --arg v "$version" --arg notes "$notes" --arg date "$(date -u +%Y-%m-%dT%H:%M:%SZ)" --argjson p "$platforms" \
  '{version: $v, notes: $notes, pub_date: $date, platforms: $p}'
