#!/usr/bin/env bash
# Installs what is missing (Chromium included) and runs every check and test:
# formatting, lints (native and wasm32), engine/CLI/UI unit and property
# tests, the release build of the page, and the end-to-end tests that drive
# that build in headless Chromium.
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
source "$ROOT/scripts/setup.sh" --browser
cd "$ROOT"

say "formatting"
cargo fmt --all -- --check

say "lints (native)"
cargo clippy --workspace --all-targets --locked -- -D warnings

say "lints (wasm32)"
cargo clippy --workspace --exclude segmenter-cli --target wasm32-unknown-unknown --locked -- -D warnings

say "unit, property and CLI tests"
cargo test --workspace --locked

say "release builds: CLI and page"
cargo build --release --locked -p segmenter-cli
trunk build --release --locked

say "end-to-end tests in headless Chromium"
SEGMENTER_BIN="$ROOT/target/release/segmenter" SEGMENTER_DIST="$ROOT/dist" \
  node --test --test-concurrency=1 e2e/

say "all tests passed"
