#!/usr/bin/env bash
# Installs what is missing, builds the page (release) and serves it on
# http://127.0.0.1:${PORT:-8080}/. Open it with ?demo to start on the demo store.
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
source "$ROOT/scripts/setup.sh"
cd "$ROOT"
PORT="${PORT:-8080}"
printf '\n  Segmenter: http://127.0.0.1:%s/?demo  (the demo store)\n            http://127.0.0.1:%s/        (your own files)\n\n' "$PORT" "$PORT" >&2
# The production page as built, without the dev server's live-reload
# script (which the page's security policy would block).
exec trunk serve --release --no-autoreload --no-error-reporting --port "$PORT"
