# Sourced by package.sh and test.sh: sets TAURI_CLI to the Tauri CLI at the
# version pinned to the `tauri` crate, first found of
#   1. .tools/tauri-cli/bin/cargo-tauri   (crates.io `tauri-cli`, installed here before)
#   2. cargo-tauri on PATH                 (e.g. ~/.cargo/bin)
#   3. ui/node_modules/.bin/tauri          (npm `@tauri-apps/cli`, pinned with its
#                                           integrity hash in ui/package-lock.json;
#                                           `npm ci` puts it there in seconds)
#   4. otherwise `cargo install tauri-cli` from crates.io into .tools/tauri-cli.
# All four are the same CLI (the npm package is the Tauri project's prebuilt of
# the crate). On 2 cores the crates.io build takes 15–45 minutes, which CI
# cannot spend on every run; FIELDKIT_TAURI_CLI_FROM=crates forces that path.
TAURI_CLI_VERSION=2.11.5
tauri_cli_ok() { [ -n "$1" ] && [ -x "$1" ] && "$1" --version 2>/dev/null | grep -qx "tauri-cli $TAURI_CLI_VERSION"; }
resolve_tauri_cli() {
  local candidates=("$PWD/.tools/tauri-cli/bin/cargo-tauri" "$(command -v cargo-tauri || true)")
  [ "${FIELDKIT_TAURI_CLI_FROM:-}" = crates ] || candidates+=("$PWD/ui/node_modules/.bin/tauri")
  for candidate in "${candidates[@]}"; do
    if tauri_cli_ok "$candidate"; then TAURI_CLI=$candidate; return; fi
  done
  printf '\033[1m[tauri-cli]\033[0m installing tauri-cli %s from crates.io into .tools/tauri-cli (once; 15+ minutes on 2 cores)\n' "$TAURI_CLI_VERSION"
  cargo install tauri-cli --version "=$TAURI_CLI_VERSION" --locked --root .tools/tauri-cli
  TAURI_CLI="$PWD/.tools/tauri-cli/bin/cargo-tauri"
}
resolve_tauri_cli
export TAURI_CLI
