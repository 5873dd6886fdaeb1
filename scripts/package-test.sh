#!/usr/bin/env bash
# Checks the packages `make package` built (run by `make test-package`):
#  1. the .deb's and the .rpm's contents and dependencies;
#  2. the .deb's files, unpacked into a temporary root, work as installed:
#     `dbc-rent --version`, the practice network started by the installed
#     `dbc-rent practice up` from the package's own bundle and chain spec,
#     and the installed app binary's lookup finds the same bundle. As root the
#     source tree and ../shared are hidden behind empty folders (a private
#     mount namespace), so nothing can come from the repository.
set -euo pipefail
cd "$(dirname "$0")/.."
deb=$(ls -t target/release/bundle/deb/*.deb | head -1)
rpm=$(ls -t target/release/bundle/rpm/*.rpm | head -1)
fail() { echo "package test: $*" >&2; exit 1; }

echo "==> $deb"
# The path is everything after the 5th column (a file name may hold spaces).
listing=$(dpkg-deb -c "$deb" | sed -E 's/^([^ ]+ +){5}//; s|^\.?/?|/|; s|/$||')
practice="/usr/lib/DBC Rent/practice"
expected=(
  /usr/bin/dbc-rent-app /usr/bin/dbc-rent
  "/usr/share/applications/DBC Rent.desktop"
  /usr/share/bash-completion/completions/dbc-rent
  /usr/share/zsh/vendor-completions/_dbc-rent
  /usr/share/fish/vendor_completions.d/dbc-rent.fish
  /usr/share/man/man1/dbc-rent.1.gz
  "$practice/chopsticks.cjs" "$practice/node-wasm-executor.js" "$practice/metadata.cjs"
  "$practice/parent-watch.cjs" "$practice/node_sqlite3.node" "$practice/dbc-spec-v4.json"
)
for size in 16x16 24x24 32x32 48x48 64x64 128x128 256x256 512x512; do
  expected+=("/usr/share/icons/hicolor/$size/apps/dbc-rent-app.png")
done
for f in "${expected[@]}"; do
  grep -qxF "$f" <<<"$listing" || fail "the .deb lacks $f"
done
grep -q node_modules <<<"$listing" && fail "the .deb carries a node_modules folder"
depends=$(dpkg-deb -f "$deb" Depends)
recommends=$(dpkg-deb -f "$deb" Recommends)
grep -q "libwebkit2gtk-4.1-0" <<<"$depends" || fail "Depends lacks WebKitGTK: $depends"
grep -qF "nodejs (>= 20)" <<<"$recommends" || fail "Recommends lacks nodejs (>= 20): $recommends"
desktop=$(dpkg-deb --fsys-tarfile "$deb" | tar -xO --wildcards '*usr/share/applications/DBC Rent.desktop')
for line in "Name=DBC Rent" "Name[zh_CN]=" "Comment[zh_CN]=" "Categories=Network;RemoteAccess;" "Exec=dbc-rent-app"; do
  grep -qF "$line" <<<"$desktop" || fail "the desktop entry lacks '$line':"$'\n'"$desktop"
done
echo "    contents, Depends ($depends), Recommends ($recommends) and the desktop entry: as expected"

echo "==> $rpm"
rpm_listing=$(rpm -qlp "$rpm" 2>/dev/null)
for f in /usr/bin/dbc-rent-app /usr/bin/dbc-rent /usr/share/man/man1/dbc-rent.1.gz /usr/share/zsh/site-functions/_dbc-rent "$practice/chopsticks.cjs" "$practice/dbc-spec-v4.json"; do
  grep -qxF "$f" <<<"$rpm_listing" || fail "the .rpm lacks $f"
done
rpm -qp --recommends "$rpm" 2>/dev/null | grep -q "nodejs >= 20" || fail "the .rpm does not recommend nodejs >= 20"
echo "    contents and Recommends: as expected"

echo "==> the .deb's files, unpacked, used as installed"
root=$(mktemp -d)
trap 'rm -rf "$root"' EXIT
dpkg-deb -x "$deb" "$root"
"$root/usr/bin/dbc-rent" --version | grep -q "^dbc-rent " || fail "dbc-rent --version"
zcat "$root/usr/share/man/man1/dbc-rent.1.gz" | grep -q '^\.TH dbc-rent 1' || fail "the man page is not roff for dbc-rent(1)"
cat > "$root/run-installed.sh" <<'INNER'
#!/usr/bin/env bash
# Inside: start the installed practice network, see it answer, stop it.
set -euo pipefail
root=$1
data=$(mktemp -d)
"$root/usr/bin/dbc-rent" --json --data-dir "$data" practice up --machines 4 --block-ms 0 2>"$data/up.log" >"$data/up.out" &
up=$!
for _ in $(seq 1 120); do grep -q '"event":"ready"' "$data/up.log" 2>/dev/null && break; sleep 1; done
grep -q '"event":"ready"' "$data/up.log" || { cat "$data/up.log"; echo "the installed practice network did not start"; exit 1; }
pid=$(grep -o '"pid": *[0-9]*' "$data/practice/state.json" | grep -o '[0-9]*$')
[ -n "$pid" ] || { cat "$data/practice/state.json"; echo "no chopsticks pid in state.json"; exit 1; }
# The path is found from the executable: <root>/usr/bin/../lib/DBC Rent/practice.
tr '\0' ' ' </proc/"$pid"/cmdline | grep -qF "$root/usr/bin/../lib/DBC Rent/practice/chopsticks.cjs" \
  || { echo "chopsticks did not run from the package: $(tr '\0' ' ' </proc/$pid/cmdline)"; exit 1; }
"$root/usr/bin/dbc-rent" --json --data-dir "$data" --network practice status | grep -q '"state": "connected"' \
  || { echo "the installed CLI cannot use its practice network"; exit 1; }
"$root/usr/bin/dbc-rent" --data-dir "$data" practice down >/dev/null
wait "$up"
echo "    practice network: started from $root/usr/lib/DBC Rent/practice, answered, stopped"
INNER
chmod +x "$root/run-installed.sh"
if [ "$(id -u)" -eq 0 ] && unshare --mount true 2>/dev/null; then
  # Hide the repository and ../shared: empty folders over them, this process only.
  repo=$(pwd)
  shared=$(cd .. && pwd)/shared
  unshare --mount bash -c "mount -t tmpfs none '$repo' && { [ ! -d '$shared' ] || mount -t tmpfs none '$shared'; } && '$root/run-installed.sh' '$root'"
else
  echo "    (not root: the repository stays visible; the installed bundle is still looked up first)"
  "$root/run-installed.sh" "$root"
fi
echo "package test: passed"
