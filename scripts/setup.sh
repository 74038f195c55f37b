#!/usr/bin/env bash
# Installs what Fieldkit needs to build, run and test, and nothing twice:
# Debian/Ubuntu system packages (apt-get), Node.js >= 20.19, the UI's npm
# packages and tauri-driver. Safe to run again; sourced by start.sh and test.sh.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."

say() { printf '\033[1m[setup]\033[0m %s\n' "$*"; }
as_root() { if [ "$(id -u)" -eq 0 ]; then "$@"; else sudo "$@"; fi; }

# Build: WebKitGTK 4.1 and friends (Tauri 2 on Linux). Tests: the WebKit
# WebDriver, a virtual X server and a D-Bus session for WebKit; the package
# test checks the installed desktop entry with desktop-file-validate, the
# window's WM_CLASS with xwininfo (x11-utils) and the linked libraries with
# dpkg-shlibdeps (build-essential's dpkg-dev).
APT_PACKAGES=(
  build-essential pkg-config curl file git
  libwebkit2gtk-4.1-dev libxdo-dev libssl-dev librsvg2-dev
  webkit2gtk-driver xvfb xauth dbus dbus-x11 poppler-utils
  # A notification server the e2e suite clicks (desktop notifications).
  dunst
  desktop-file-utils x11-utils
)
missing=()
for package in "${APT_PACKAGES[@]}"; do
  dpkg-query -W -f='${Status}' "$package" 2>/dev/null | grep -q "install ok installed" || missing+=("$package")
done
if [ "${#missing[@]}" -gt 0 ]; then
  say "installing system packages: ${missing[*]}"
  as_root apt-get update -qq
  as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi

if ! command -v cargo >/dev/null 2>&1; then
  [ -x "$HOME/.cargo/bin/cargo" ] && export PATH="$HOME/.cargo/bin:$PATH"
fi
command -v cargo >/dev/null 2>&1 || { echo "Rust is missing: install it with rustup (https://rustup.rs), then run this again." >&2; exit 1; }

# Node.js: Vitest 5 needs >= 22.12 (Vite 8: >= 20.19). Debian 12's own nodejs
# is 18, so a newer one is taken from the npm registry's `node` package into .tools/.
node_ok() {
  command -v node >/dev/null 2>&1 || return 1
  node -e 'const [a,b]=process.versions.node.split(".").map(Number); process.exit(a>22||(a===22&&b>=12)?0:1)'
}
if [ -x .tools/node/bin/node ]; then export PATH="$PWD/.tools/node/bin:$PATH"; fi
if ! node_ok; then
  if ! command -v npm >/dev/null 2>&1; then
    say "installing Node.js and npm from Debian"
    as_root apt-get update -qq
    as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq nodejs npm >/dev/null
  fi
  if ! node_ok; then
    say "Node.js $(node --version 2>/dev/null || echo none) is too old; installing Node.js 22 into .tools/node"
    npm install --prefix .tools/node --no-audit --no-fund node@22 >/dev/null
    mkdir -p .tools/node/bin
    ln -sf "$PWD/.tools/node/node_modules/node/bin/node" .tools/node/bin/node
    export PATH="$PWD/.tools/node/bin:$PATH"
    node_ok || { echo "Could not install Node.js 22 into .tools/node (npm's 'node' package); install Node.js 22.12 or newer and run this again." >&2; exit 1; }
  fi
fi

if [ ! -d ui/node_modules ] || [ ui/package-lock.json -nt ui/node_modules/.package-lock.json ]; then
  say "installing the UI's npm packages"
  npm ci --prefix ui --no-audit --no-fund >/dev/null
fi

export PATH="$HOME/.cargo/bin:$PATH"
if ! command -v tauri-driver >/dev/null 2>&1; then
  say "installing tauri-driver"
  cargo install tauri-driver --locked --version '^2' >/dev/null
fi
