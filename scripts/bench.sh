#!/usr/bin/env bash
# The benchmark suite, in one run, written to BENCHMARKS.md with the
# machine's description (hand-written notes below the generated part stay):
#
# - six generated stores: a Shopify orders export (79 columns) and a narrow
#   order table (8 columns) at about 100 MB, 300 MB and 1 GB each;
# - in headless Chromium on each: the page from the drop to the segments and
#   to everything on screen, its stages and memory, against PapaParse,
#   DuckDB-wasm and bare reading of the same File; what a visitor
#   downloads and how soon the page paints;
# - natively on each: the CLI's whole analysis, the engine's ingest, the
#   csv crate and DuckDB;
# - models: BG/NBD on a million customers against lifetimes, and a k-means
#   iteration on 1M × 10 against scikit-learn (f32 and f64) and linfa.
#
# Installs what it needs (the Python peers into target/bench/venv, the
# browser peers into bench/node_modules). Benchmarks report; they never fail
# on speed, and they are not part of the tests.
#
#   ./scripts/bench.sh [--quick]   (--quick: the 100 MB files only, one run)
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
source "$ROOT/scripts/setup.sh" --browser
cd "$ROOT"

SIZES="100mb 300mb 1gb"
RUNS=3
if [ "${1:-}" = "--quick" ]; then
  SIZES="100mb"
  RUNS=1
fi

say "building the CLI and the page (release)"
cargo build --release --locked -p segmenter-cli
trunk build --release --locked

say "installing the benchmark peers"
DATA="$ROOT/target/bench"
RESULTS="$DATA/results"
mkdir -p "$RESULTS"
if [ ! -x "$DATA/venv/bin/python" ]; then
  python3 -m venv "$DATA/venv"
fi
"$DATA/venv/bin/pip" install --quiet --disable-pip-version-check -r bench/models/requirements.txt
(cd bench && npm ci --no-audit --no-fund --loglevel=error)

# Customers per file for about 100 MB / 300 MB / 1 GB (bytes per customer
# measured on these generators: 3,465 for the Shopify export, 1,121 for the
# narrow table).
customers() {
  case "$1-$2" in
    shopify-100mb) echo 28900 ;; shopify-300mb) echo 86600 ;; shopify-1gb) echo 288600 ;;
    narrow-100mb) echo 89200 ;; narrow-300mb) echo 267700 ;; narrow-1gb) echo 892400 ;;
  esac
}
FILES=()
FILE_LIST="["
for shape in shopify narrow; do
  for size in $SIZES; do
    name="$shape-$size"
    file="$DATA/$name.csv"
    if [ ! -f "$file" ]; then
      say "generating $name.csv"
      target/release/segmenter demo --shape "$shape" --variants 40 \
        --customers "$(customers "$shape" "$size")" --out "$file"
    fi
    FILES+=("$file")
    lines="$(wc -l < "$file")"
    FILE_LIST+="{\"name\":\"$name\",\"shape\":\"$shape\",\"path\":\"$file\",\"bytes\":$(stat -c %s "$file"),\"lines\":$lines},"
  done
done
printf '%s]\n' "${FILE_LIST%,}" > "$RESULTS/files.json"

cat > "$RESULTS/machine.json" <<JSON
{
  "date": "$(date -u +%Y-%m-%d)",
  "cores": $(nproc),
  "cpu": "$(sed -n 's/^model name\s*: //p' /proc/cpuinfo | head -1)",
  "memory": "$(awk '/MemTotal/ {printf "%.0f GiB", $2 / 1048576}' /proc/meminfo)",
  "rustc": "$(rustc --version | cut -d' ' -f1-2)",
  "chromium": "$(chromium --version 2>/dev/null | cut -d' ' -f1-2)",
  "node": "Node.js $(node --version)"
}
JSON

say "in Chromium: the page, PapaParse, DuckDB-wasm and bare reading on every file"
node bench/browser/suite.mjs --runs "$RUNS" --json "$RESULTS/browser.json" "${FILES[@]}"

say "natively: the CLI's whole analysis"
node bench/native-cli.mjs --json "$RESULTS/cli.json" "${FILES[@]}"
for file in "${FILES[@]}"; do
  name="$(basename "$file" .csv)"
  say "natively: ingest and the csv crate on $name"
  cargo bench --locked -p segmenter-engine --bench ingest -- "$file" --json "$RESULTS/ingest-$name.json" > /dev/null
  say "natively: DuckDB on $name"
  shape="${name%%-*}"
  node --input-type=module -e '
    await import(process.argv[1]);
    process.stdout.write(rfmSql(process.argv[2], "{source}"));
  ' "$ROOT/bench/browser/peers/columns.js" "$shape" > "$RESULTS/rfm-$shape.sql"
  "$DATA/venv/bin/python" bench/models/duckdb_rfm.py "$file" "$RESULTS/rfm-$shape.sql" 1 2 > "$RESULTS/duckdb-$name.json"
done

say "model fitting: a million simulated customers, natively, in lifetimes and in Chromium"
SUMMARY="$DATA/customers-1m-summary.csv"
ORDERS="$DATA/customers-1m-orders.csv"
cargo bench --locked -p segmenter-engine --bench fit -- \
  --write "$SUMMARY" --write-orders "$ORDERS" --json "$RESULTS/fit.json"
"$DATA/venv/bin/python" bench/models/lifetimes_fit.py "$SUMMARY" 3 > "$RESULTS/lifetimes.json"
node bench/browser/fit.mjs "$ORDERS" --json "$RESULTS/browser-fit.json" > /dev/null

say "k-means: one Lloyd iteration on 1M x 10, k = 8, natively, in Chromium, scikit-learn and linfa"
POINTS="$DATA/kmeans-1m-10.f64"
cargo bench --locked -p segmenter-engine --bench kmeans -- --write "$POINTS" --json "$RESULTS/kmeans.json"
"$DATA/venv/bin/python" bench/models/sklearn_kmeans_step.py "$POINTS" 1000000 10 8 > "$RESULTS/sklearn-kmeans.json"
# The same step built for the browser with the page's flags (wasm SIMD, from
# .cargo/config.toml), wasm-bindgen'd and optimised as Trunk does the worker.
WASM_BENCH="$DATA/wasm-kmeans"
mkdir -p "$WASM_BENCH"
cargo build --release --locked --target wasm32-unknown-unknown -p segmenter-bench-wasm
wasm-bindgen --target web --no-typescript --out-dir "$WASM_BENCH" \
  target/wasm32-unknown-unknown/release/segmenter_bench_wasm.wasm
wasm-opt -O3 "$WASM_BENCH/segmenter_bench_wasm_bg.wasm" -o "$WASM_BENCH/segmenter_bench_wasm_bg.wasm"
cp bench/browser/engine/* "$WASM_BENCH/"
node bench/browser/kmeans.mjs "$WASM_BENCH" --json "$RESULTS/browser-kmeans.json" > /dev/null
say "the ingest's stages in Chromium, on bytes in wasm memory"
node bench/browser/ingest-stages.mjs "$WASM_BENCH" --json "$RESULTS/browser-ingest-stages.json" > /dev/null
node -e '
  const [a, b] = process.argv.slice(1).map((f) => JSON.parse(require("fs").readFileSync(f, "utf8")));
  if (a.checksum !== b.checksum) throw new Error(`the browser had other points: ${b.checksum} vs ${a.checksum}`);
' "$RESULTS/kmeans.json" "$RESULTS/browser-kmeans.json"
cargo build --release --locked --manifest-path bench/peers/Cargo.toml --target-dir target/peers
RAYON_NUM_THREADS=1 target/peers/release/segmenter-bench-peers "$POINTS" 1000000 10 8 > "$RESULTS/linfa-kmeans.json"

say "writing BENCHMARKS.md"
REPORT="$(node bench/report.mjs "$RESULTS")"
# Keep the hand-written notes below the generated part.
NOTES=""
if [ -f BENCHMARKS.md ]; then
  NOTES="$(sed -n '/^<!-- end of generated part -->$/,$p' BENCHMARKS.md | tail -n +2)"
fi
{
  printf '# Benchmarks\n\n'
  printf '<!-- generated by ./scripts/bench.sh: everything up to the end marker is rewritten on each run -->\n'
  printf '%s\n' "$REPORT"
  printf '<!-- end of generated part -->\n'
  printf '%s\n' "$NOTES"
} > BENCHMARKS.md
say "wrote BENCHMARKS.md"
