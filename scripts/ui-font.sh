#!/usr/bin/env bash
# Makes the UI's Linux font (ui/src/fonts/): DejaVu Sans and DejaVu Sans Bold
# from the report fonts (src-tauri/core/assets, DejaVu licence beside them),
# cut to the Latin, punctuation and symbol characters the UI and European
# customer names use, without hinting, as WOFF2 (~14 KB each).
#
# Why a font of our own on Linux: the web view matches every family, size and
# weight against every installed font through fontconfig (~4 ms each here),
# while a font loaded from the page needs no matching (fieldkit-footprint,
# README "Installing"). Characters outside the cut fall back to the
# desktop's sans-serif font.
#
# Not run by the build or the tests: the output is committed. Needs Python 3
# (fonttools and brotli are installed into a throw-away virtualenv).
set -euo pipefail
cd "$(dirname "$0")/.."
venv="$(mktemp -d)"
trap 'rm -rf "$venv"' EXIT
python3 -m venv "$venv"
"$venv/bin/pip" install --quiet fonttools brotli
characters="U+0020-007E,U+00A0-017F,U+0192,U+02C6,U+02DA,U+02DC,U+2010-2027,U+2030-203A,U+2044,U+20AC,U+2116,U+2122,U+2190-2195,U+2212,U+2264-2265,U+2713,U+2715,U+2022,U+25B2,U+25BC,U+25B8,U+25C2,U+FFFD"
for face in DejaVuSans DejaVuSans-Bold; do
  "$venv/bin/pyftsubset" "src-tauri/core/assets/$face.ttf" --unicodes="$characters" --flavor=woff2 \
    --layout-features='kern,liga,clig,calt,mark,mkmk' --no-hinting --desubroutinize \
    --output-file="ui/src/fonts/$face-ui.woff2"
done
cp src-tauri/core/assets/DejaVu-LICENSE.txt ui/src/fonts/DejaVu-LICENSE.txt
ls -l ui/src/fonts
