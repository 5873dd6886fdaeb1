#!/usr/bin/env bash
# Installs what building, running and testing DBC Rent needs on Debian/Ubuntu,
# and only what is missing. Prints the apt packages before installing them.
#   scripts/install-deps.sh run    build + run the app
#   scripts/install-deps.sh test   also the e2e and practice-network tools
set -euo pipefail
mode="${1:-run}"

run_pkgs=(libwebkit2gtk-4.1-dev build-essential curl wget file pkg-config libxdo-dev
  libssl-dev libayatana-appindicator3-dev librsvg2-dev libdbus-1-dev)
test_pkgs=(webkit2gtk-driver xvfb xauth dbus dbus-x11 gnome-keyring libsecret-tools
  freerdp2-x11 freerdp2-shadow-x11 winpr-utils imagemagick fonts-noto-cjk rpm
  openssh-server openssh-client xterm)

pkgs=("${run_pkgs[@]}")
[ "$mode" = test ] && pkgs+=("${test_pkgs[@]}")

missing=()
for p in "${pkgs[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done

if [ ${#missing[@]} -gt 0 ]; then
  echo "==> apt packages to install: ${missing[*]}"
  sudo_cmd=""
  [ "$(id -u)" -ne 0 ] && sudo_cmd="sudo"
  export DEBIAN_FRONTEND=noninteractive
  $sudo_cmd apt-get update -qq
  $sudo_cmd apt-get install -y -qq --no-install-recommends "${missing[@]}"
else
  echo "==> apt packages: all present"
fi

command -v node >/dev/null || { echo "Node.js 20+ is required (apt-get install nodejs npm)"; exit 1; }
command -v cargo >/dev/null || { echo "Rust (cargo) is required: https://rustup.rs"; exit 1; }

# The lint gates (`make lint`, the first step of `make test`) need rustfmt and
# clippy; a rustup toolchain may have been installed without them.
if [ "$mode" = test ]; then
  for c in rustfmt clippy; do
    if ! cargo "${c/rustfmt/fmt}" --version >/dev/null 2>&1; then
      command -v rustup >/dev/null || { echo "cargo $c is required (rustup component add $c)"; exit 1; }
      echo "==> rustup component add $c"
      rustup component add "$c"
    fi
  done
fi
