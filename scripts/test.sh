#!/usr/bin/env bash
# Sets up what is missing and runs every check CI runs: formatting, clippy,
# the Rust tests, the bindings-freshness check, the UI type check and unit
# tests, the UI production build, the end-to-end suite against the built
# app under Xvfb, and the debug packages with the install test.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
source scripts/setup.sh

step() { printf '\n\033[1m== %s\033[0m\n' "$*"; }

step "rustfmt"
cargo fmt --all --check

step "UI production build (embedded into the app)"
npm run --prefix ui build

step "clippy"
cargo clippy --workspace --all-targets --locked -- -D warnings

step "Rust tests (bindings generated into a scratch folder)"
bindings_scratch=$(mktemp -d)
trap 'rm -rf "$bindings_scratch"' EXIT
TS_RS_EXPORT_DIR="$bindings_scratch" cargo test --workspace --exclude fieldkit-e2e --locked

step "generated TypeScript bindings are up to date"
if ! diff -ru ui/src/lib/bindings "$bindings_scratch"; then
  echo "ui/src/lib/bindings is stale: run 'cargo test -p fieldkit-core' and commit the result." >&2
  exit 1
fi

step "UI type check"
npm run --prefix ui check

step "UI unit tests"
npm run --prefix ui test

step "build the app and the Autotask stand-in the end-to-end sync test runs against"
cargo build -p fieldkit -p fieldkit-standin --locked

step "packages: debug .deb and .rpm, then the .deb installed, started, removed (root only)"
bash scripts/package.sh --debug --install-test

step "the system clipboard a secret is copied to (arboard, under Xvfb)"
xvfb-run --auto-servernum --server-args="-screen 0 1280x800x24" \
  cargo test -p fieldkit --lib --locked secrets -- --ignored

# One D-Bus session for the whole suite: without it every app started
# autolaunches a session bus of its own that outlives it (each holds an
# inotify instance; a user has 128).
step "end-to-end tests (real app, tauri-driver, WebKitWebDriver, Xvfb)"
dbus-run-session -- xvfb-run --auto-servernum --server-args="-screen 0 1280x800x24" \
  cargo test -p fieldkit-e2e --locked -- --test-threads=1

# After the packages (scripts/package.sh --debug and the .deb install test):
# the update path of an installed .deb, through tauri-plugin-updater's deb
# path, from a loopback server. It builds two debug .debs signed with a key
# pair made at test time (~2 incremental debug builds), so it runs as root
# only (it installs and removes the package). The plugin installs a .deb
# with pkexec, a graphical sudo or `sudo dpkg -i`: as root, `sudo` must exist.
step "update test: an installed .deb updated from a loopback server (root)"
if [ "$(id -u)" -eq 0 ]; then
  command -v sudo >/dev/null || apt-get install -y --no-install-recommends sudo
  source scripts/tauri-cli.sh
  FIELDKIT_APP=/usr/bin/fieldkit dbus-run-session -- xvfb-run --auto-servernum --server-args="-screen 0 1280x800x24" \
    cargo test -p fieldkit-e2e --locked update::a_signed_deb -- --ignored --test-threads=1 --nocapture
else
  echo "skipped: it installs a package, so it runs as root (CI does)"
fi
