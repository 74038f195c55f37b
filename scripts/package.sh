#!/usr/bin/env bash
# Builds Fieldkit's installers with the Tauri CLI and prints a summary: the
# binary's size, each package's size and (with --install-test) the cold start
# of the installed app.
#
#   scripts/package.sh                  release build; .deb and .rpm (Linux)
#   scripts/package.sh --debug          debug bundles, reusing scripts/test.sh's debug build
#                                       (fast; what the install test uses)
#   scripts/package.sh --install-test   then installs the .deb (as root), starts the
#                                       INSTALLED app under Xvfb through the e2e driver
#                                       (window, version, desktop entry, icons, data
#                                       folder), prints its cold start, removes it again
#
# The Tauri CLI (2.11.5, matching the `tauri` crate) is found or installed by
# scripts/tauri-cli.sh (see there: npm's prebuilt of the same CLI by default,
# crates.io's tauri-cli built into .tools/tauri-cli otherwise). AppImage stays in the
# configuration but is skipped here: its bundler downloads linuxdeploy at
# build time, which this build environment cannot fetch. Windows (MSI/NSIS)
# and macOS (.app/.dmg) are configured in src-tauri/tauri.conf.json and built
# on those systems with `cargo tauri build`.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."

profile=release
install_test=false
for arg in "$@"; do
  case "$arg" in
    --debug) profile=debug ;;
    --install-test) install_test=true ;;
    -h | --help) awk 'NR > 1 && /^#/ { sub(/^# ?/, ""); print; next } NR > 1 { exit }' "$0"; exit 0 ;;
    *) echo "unknown option: $arg (try --help)" >&2; exit 2 ;;
  esac
done

source scripts/setup.sh
say() { printf '\033[1m[package]\033[0m %s\n' "$*"; }

target_dir="${CARGO_TARGET_DIR:-$PWD/target}"
source scripts/tauri-cli.sh
say "Tauri CLI: $TAURI_CLI ($("$TAURI_CLI" --version))"

# Update signatures (bundle.createUpdaterArtifacts): the private key is never
# in the repository; the CLI reads it from TAURI_SIGNING_PRIVATE_KEY (its text
# or its path) with TAURI_SIGNING_PRIVATE_KEY_PASSWORD. Without one the
# packages are built unsigned: installable, but not offered as updates.
sign_args=()
if [ -z "${TAURI_SIGNING_PRIVATE_KEY:-}" ] && [ -n "${TAURI_SIGNING_PRIVATE_KEY_PATH:-}" ]; then
  export TAURI_SIGNING_PRIVATE_KEY="$TAURI_SIGNING_PRIVATE_KEY_PATH"
fi
if [ -z "${TAURI_SIGNING_PRIVATE_KEY:-}" ]; then
  say "no update signing key (TAURI_SIGNING_PRIVATE_KEY[_PATH]): the packages are unsigned and cannot be offered as updates"
  sign_args=(--no-sign)
fi

case "$(uname -s)" in
  Linux) bundles=deb,rpm ;;
  Darwin) bundles=app,dmg ;;
  *) bundles=nsis,msi ;;
esac
[ "$(uname -s)" = Linux ] &&
  say "AppImage skipped: its bundler downloads linuxdeploy at build time, which this environment cannot fetch (it stays configured for machines that can)"

say "building the UI"
npm run --prefix ui build >/dev/null

started=$(date +%s)
if [ "$profile" = release ]; then
  say "release build (fat LTO, one codegen unit: slow, ~20 min on 2 cores from scratch)"
  cargo build --release --locked -p fieldkit
  bundle_args=()
else
  say "debug build"
  # The same packages as scripts/test.sh builds, so its debug build is reused:
  # fieldkit alone unifies tokio's features differently (the stand-in adds
  # `signal`) and would rebuild half the tree.
  cargo build --locked -p fieldkit -p fieldkit-standin
  bundle_args=(--debug)
fi
say "bundling $bundles"
rm -rf "$target_dir/$profile/bundle/deb" "$target_dir/$profile/bundle/rpm"
(cd src-tauri && "$TAURI_CLI" bundle "${bundle_args[@]}" "${sign_args[@]}" --bundles "$bundles" --ci)
built_in=$(($(date +%s) - started))

size() { numfmt --to=si --suffix=B --format='%.1f' "$(stat -c %s "$1")"; }
binary="$target_dir/$profile/fieldkit"
echo
echo "== Fieldkit $profile packages (built in ${built_in}s)"
printf '  %-44s %9s  (%s bytes)\n' "binary $profile/fieldkit" "$(size "$binary")" "$(stat -c %s "$binary")"
shopt -s nullglob
packages=("$target_dir/$profile"/bundle/{deb,rpm,appimage,nsis,msi,dmg}/*.{deb,rpm,AppImage,exe,msi,dmg})
for package in "${packages[@]}"; do
  printf '  %-44s %9s  (%s bytes)\n' "${package#"$target_dir/"}" "$(size "$package")" "$(stat -c %s "$package")"
done
[ "${#packages[@]}" -gt 0 ] || { echo "no package was built" >&2; exit 1; }

if $install_test; then
  deb=$(ls -t "$target_dir/$profile"/bundle/deb/*.deb | head -1)
  say "install test with $deb"
  log=$(mktemp)
  set +e
  FIELDKIT_DEB="$deb" dbus-run-session -- xvfb-run --auto-servernum --server-args="-screen 0 1280x800x24" \
    cargo test -p fieldkit-e2e --locked --test e2e install:: -- --ignored --test-threads=1 --nocapture 2>&1 | tee "$log"
  status=${PIPESTATUS[0]}
  set -e
  echo
  grep -E '^\[install\] (cold start|second start)' "$log" | sed 's/^\[install\]/  installed app:/' || true
  rm -f "$log"
  exit "$status"
fi
