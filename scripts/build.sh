#!/usr/bin/env bash
# Installs what is missing and builds the page for static hosting into dist/.
# Copy dist/ to any static host, at its root or under a sub-path such as
# /segmenter/: every URL in it is relative, and the service worker keeps to
# the folder it is served from.
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
source "$ROOT/scripts/setup.sh"
cd "$ROOT"
say "building the page (release) into dist/"
trunk build --release --locked
say "dist/ is ready: $(du -sh dist | cut -f1) in $(find dist -type f | wc -l) files; copy it to any static host"
