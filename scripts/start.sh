#!/usr/bin/env bash
# Sets up what is missing, builds the UI and starts Fieldkit.
# Data lives in the OS app-data folder unless FIELDKIT_DATA_DIR says otherwise.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
source scripts/setup.sh
npm run --prefix ui build >/dev/null
exec cargo run -p fieldkit -- "$@"
