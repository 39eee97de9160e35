#!/usr/bin/env bash
# Installs what building and testing the segmenter needs, and only what is
# missing, so running it again costs seconds. Sourced by serve.sh and test.sh;
# `--browser` also installs Chromium for the end-to-end tests.
#
# Versions are pinned here and in the files named below; keep them in step:
#   Rust 1.95.0 + wasm32 target   rust-toolchain.toml
#   trunk 0.21.14                 (0.22 needs a newer rustc)
#   wasm-bindgen-cli              = the wasm-bindgen crate pinned in Cargo.toml
#   wasm-opt (binaryen), Playwright   package.json / package-lock.json
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
TRUNK_VERSION="0.21.14"
WASM_BINDGEN_VERSION="$(sed -n 's/^wasm-bindgen = "=\([0-9.]*\)"$/\1/p' "$ROOT/Cargo.toml")"
RUST_VERSION="$(sed -n 's/^channel = "\([0-9.]*\)"$/\1/p' "$ROOT/rust-toolchain.toml")"
CARGO_BIN="${CARGO_HOME:-$HOME/.cargo}/bin"

export PATH="$CARGO_BIN:$ROOT/node_modules/.bin:$PATH"

say() { printf '\033[1;32m==>\033[0m %s\n' "$*" >&2; }

as_root() {
  if [ "$(id -u)" -eq 0 ]; then "$@"; else sudo "$@"; fi
}

setup_rust() {
  if ! rustup run "$RUST_VERSION" rustc --version >/dev/null 2>&1; then
    say "installing Rust $RUST_VERSION"
    rustup toolchain install "$RUST_VERSION" --profile minimal --component rustfmt,clippy
  fi
  if ! rustup target list --installed --toolchain "$RUST_VERSION" | grep -qx wasm32-unknown-unknown; then
    say "adding the wasm32-unknown-unknown target"
    rustup target add wasm32-unknown-unknown --toolchain "$RUST_VERSION"
  fi
  for component in rustfmt clippy; do
    if ! rustup component list --installed --toolchain "$RUST_VERSION" | grep -q "^$component"; then
      say "adding $component"
      rustup component add "$component" --toolchain "$RUST_VERSION"
    fi
  done
}

setup_trunk() {
  if ! trunk --version 2>/dev/null | grep -qx "trunk $TRUNK_VERSION"; then
    say "installing trunk $TRUNK_VERSION (a few minutes, once)"
    cargo install --locked "trunk@$TRUNK_VERSION"
  fi
}

setup_wasm_bindgen() {
  if [ -z "$WASM_BINDGEN_VERSION" ]; then
    echo "setup.sh: cannot read the pinned wasm-bindgen version from Cargo.toml" >&2
    exit 1
  fi
  if ! wasm-bindgen --version 2>/dev/null | grep -qx "wasm-bindgen $WASM_BINDGEN_VERSION"; then
    say "installing wasm-bindgen-cli $WASM_BINDGEN_VERSION (a few minutes, once)"
    # Not --locked: the CLI's own lock file does not resolve on this registry mirror.
    cargo install --force "wasm-bindgen-cli@$WASM_BINDGEN_VERSION"
  fi
}

setup_node_tools() {
  if ! command -v npm >/dev/null 2>&1; then
    echo "setup.sh: Node.js and npm are needed (for wasm-opt and the browser tests)" >&2
    exit 1
  fi
  # Reinstall when package-lock.json changed since the last install.
  local stamp="$ROOT/node_modules/.package-lock.json"
  if [ ! -f "$stamp" ] || [ "$ROOT/package-lock.json" -nt "$stamp" ] \
    || [ ! -x "$ROOT/node_modules/.bin/wasm-opt" ]; then
    say "installing node tools (binaryen, playwright-core)"
    (cd "$ROOT" && npm ci --no-audit --no-fund --loglevel=error)
  fi
}

setup_browser() {
  if ! command -v chromium >/dev/null 2>&1 || ! command -v chromedriver >/dev/null 2>&1; then
    say "installing Debian's chromium and chromium-driver"
    as_root apt-get update -qq
    as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium chromium-driver >/dev/null
  fi
}

setup_rust
setup_trunk
setup_wasm_bindgen
setup_node_tools
if [ "${1:-}" = "--browser" ]; then
  setup_browser
fi
