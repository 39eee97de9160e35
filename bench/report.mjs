// Writes the generated part of BENCHMARKS.md from the JSON results that
// scripts/bench.sh gathered in one directory (see that script for which
// program wrote which file). Ratios are always segmenter time ÷ peer time:
// below 1, we are faster.
//
//   node bench/report.mjs RESULTS_DIR > part.md
import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";

const dir = process.argv[2];
const read = (name) => {
  const path = join(dir, name);
  return existsSync(path) ? JSON.parse(readFileSync(path, "utf8")) : null;
};
const machine = read("machine.json");
const inputs = read("files.json");
const browser = read("browser.json");
const cli = read("cli.json") ?? [];

const MiB = 2 ** 20;
const s = (ms) => (ms == null ? "–" : ms >= 10_000 ? `${(ms / 1000).toFixed(1)} s` : `${(ms / 1000).toFixed(3)} s`);
const rate = (bytes, ms) => (ms ? `${(bytes / MiB / (ms / 1000)).toFixed(0)}` : "–");
const ratio = (ours, peer) => (ours && peer ? (ours / peer).toFixed(2) : "–");
const mib = (bytes) => (bytes == null ? "–" : `${(bytes / MiB).toFixed(0)} MiB`);
/** A contender's renderer memory added: the median of its runs (all runs are kept). */
const memoryOf = (result) => {
  const runs = [...(result?.renderer_added_runs ?? [result?.renderer_added_bytes])].filter((b) => b != null).sort((a, b) => a - b);
  return runs.length ? runs[Math.floor((runs.length - 1) / 2)] : null;
};
/** The median with the range of the runs, when there were several. */
const memoryText = (result) => {
  const runs = (result?.renderer_added_runs ?? []).filter((b) => b != null);
  const median = mib(memoryOf(result));
  if (runs.length < 2) return median;
  return `${median} (${(Math.min(...runs) / MiB).toFixed(0)}–${(Math.max(...runs) / MiB).toFixed(0)})`;
};
const stage = (stages, names) =>
  names.reduce((sum, name) => sum + (stages.find((x) => x.stage === name)?.ms ?? 0), 0);
const INGEST_STAGES = ["reading", "parsing", "merging pieces", "orders and customers", "RFM"];
const out = [];
const line = (text = "") => out.push(text);

line(`Measured on ${machine.date}. Machine: ${machine.cores} cores (${machine.cpu}), ${machine.memory};`);
line(`${machine.rustc}; ${machine.chromium}; ${machine.node}; DuckDB ${read(`duckdb-${inputs[0].name}.json`)?.duckdb ?? "–"}.`);
line("Each contender reads the same bytes. Ratios are segmenter time ÷ peer time (below 1: faster).");
line("");
line("## Inputs");
line("");
line("Stores simulated by `segmenter demo` (BG/NBD purchasing, Gamma-Gamma spend, 16 products × 40 styles,");
line("seed 42): the Shopify orders export (79 columns, quoted addresses with commas, notes with line");
line("breaks, non-ASCII names) and a narrow order-line table (8 columns).");
line("");
line("| file | shape | size | lines | customers |");
line("|---|---|---|---|---|");
for (const f of inputs) {
  const customers = cli.find((c) => c.file === f.path)?.customers;
  line(`| \`${f.name}.csv\` | ${f.shape} | ${mib(f.bytes)} | ${f.lines.toLocaleString("en")} | ${customers?.toLocaleString("en") ?? "–"} |`);
}

// ---------------------------------------------------------------- targets
const byName = (name) => inputs.find((f) => f.name === name);
const inBrowser = (name) => browser?.files.find((f) => f.file === byName(name)?.path);
const wide = inputs.filter((f) => f.shape === "shopify").map((f) => inBrowser(f.name)).filter(Boolean);
const ingestMs = (entry) => stage(entry.segmenter.stages, INGEST_STAGES);
const fit = read("fit.json");
const lifetimes = read("lifetimes.json");
const browserFit = read("browser-fit.json");
const kmeans = read("kmeans.json");
const browserKmeans = read("browser-kmeans.json");
const sklearn = read("sklearn-kmeans.json");
const targets = [];
const target = (what, goal, measured, met) => targets.push(`| ${what} | ${goal} | ${measured} | ${met ? "yes" : "**not yet**"} |`);
for (const entry of wide) {
  const name = inputs.find((f) => f.path === entry.file).name;
  const ours = entry.bytes / MiB / (ingestMs(entry) / 1000);
  target(
    `Ingest + per-customer aggregation in Chromium, \`${name}\``,
    "≥ 250 MiB/s; ≥ 2× DuckDB-wasm, ≥ 5× PapaParse, within 2× of reading the file",
    `${ours.toFixed(0)} MiB/s; ${(entry.duckdb.ms / ingestMs(entry)).toFixed(2)}× DuckDB-wasm, ${(entry.papaparse.ms / ingestMs(entry)).toFixed(2)}× PapaParse, ${(ingestMs(entry) / entry.read.ms).toFixed(1)}× reading`,
    ours >= 250 && entry.duckdb.ms >= 2 * ingestMs(entry) && entry.papaparse.ms >= 5 * ingestMs(entry) && ingestMs(entry) <= 2 * entry.read.ms,
  );
}
const million = inputs.find((f) => f.name === "shopify-300mb");
if (million && inBrowser(million.name)) {
  const entry = inBrowser(million.name);
  target(
    `${(million.lines / 1e6).toFixed(2)}M-line Shopify export to segments on screen (\`${million.name}\`)`,
    "< 3 s",
    `segments ${s(entry.segmenter.segments_ms)}; everything (predictions, clusters, recommendations) ${s(entry.segmenter.ms)}`,
    entry.segmenter.segments_ms < 3000,
  );
  const native = cli.find((c) => c.file === million.path);
  const duck = read(`duckdb-${million.name}.json`);
  if (native && duck) {
    target(
      "Native CLI's whole analysis vs native DuckDB's bare RFM aggregation (2 threads), same file",
      "no slower (≤ 1.00)",
      `${s(native.ms)} vs ${s(duck.threads_2_seconds * 1000)}: ${ratio(native.ms, duck.threads_2_seconds * 1000)}`,
      native.ms <= duck.threads_2_seconds * 1000,
    );
  }
}
if (fit && lifetimes && browserFit) {
  const bg = browserFit.bgnbd_ms;
  target(
    "BG/NBD fit on 1M customers in Chromium",
    "< 0.25 s; ≥ 50× lifetimes; same parameters to 1e-4",
    `${s(bg)} (grouping + fit); lifetimes ${s(lifetimes.seconds * 1000)}: ${(lifetimes.seconds * 1000 / bg).toFixed(0)}×; parameters ${["r", "alpha", "a", "b"].every((k) => Math.abs(fit[k] - lifetimes[k]) <= 1e-4) ? "agree to 1e-4" : "differ"}`,
    bg < 250 && lifetimes.seconds * 1000 >= 50 * bg && ["r", "alpha", "a", "b"].every((k) => Math.abs(fit[k] - lifetimes[k]) <= 1e-4),
  );
}
if (browserKmeans && sklearn) {
  target(
    "k-means, one Lloyd iteration on 1M × 10, k = 8, one worker",
    "≤ 20 ms and ≤ scikit-learn (f32, 1 thread)",
    `${(browserKmeans.f32_seconds * 1000).toFixed(1)} ms (f32 kernel; f64 ${(browserKmeans.seconds * 1000).toFixed(1)} ms); scikit-learn f32 ${(sklearn.f32_iteration_seconds * 1000).toFixed(1)} ms, f64 ${(sklearn.f64_iteration_seconds * 1000).toFixed(1)} ms (native, BLAS)`,
    browserKmeans.f32_seconds <= 0.02 && browserKmeans.f32_seconds <= sklearn.f32_iteration_seconds,
  );
}
if (browser) {
  const worst = browser.files
    .map((e) => ({ e, r: memoryOf(e.segmenter) / e.bytes }))
    .reduce((a, b) => (b.r > a.r ? b : a));
  target(
    "Peak memory while analysing (the tab's renderer, added by the analysis)",
    "≤ 2× the file",
    `worst ${worst.r.toFixed(2)}× (${memoryText(worst.e.segmenter)} for ${mib(worst.e.bytes)}, \`${inputs.find((f) => f.path === worst.e.file).name}\`; median of the runs, their range in brackets)`,
    worst.r <= 2,
  );
  const d = browser.download;
  target("Release wasm + JS, compressed", "≤ 1.5 MB", `${(d.brotli_bytes / 1e6).toFixed(2)} MB brotli, ${(d.gzip_bytes / 1e6).toFixed(2)} MB gzip (${(d.raw_bytes / 1e6).toFixed(2)} MB raw)`, d.brotli_bytes <= 1.5e6);
  target("First paint on localhost", "< 1 s", `${browser.first_paint.first_contentful_paint_ms.toFixed(0)} ms (ready for a file at ${browser.first_paint.interactive_ms.toFixed(0)} ms)`, browser.first_paint.first_contentful_paint_ms < 1000);
}
line("");
line("## Targets: where we stand");
line("");
line("| target | goal | measured | met |");
line("|---|---|---|---|");
targets.forEach((t) => line(t));

// ---------------------------------------------------------------- browser
if (browser) {
  line("");
  line(`## In Chromium (${browser.runs === 1 ? "one run" : `best of ${browser.runs} runs`}; the 1 GB files once)`);
  line("");
  line("The segmenter page from the drop of the file (its `change` event) to the frame that shows the segments,");
  line("then everything; its ingest is the worker's own timing of reading, parsing, per-customer aggregation");
  line("and RFM. Peers in the same browser on the same `File`: PapaParse streaming in a worker with a JS `Map`");
  line("per customer (orders, last date, spend), DuckDB-wasm's single-thread bundle (`read_csv` on the");
  line("registered File, then an RFM query with quintiles), and reading the File in 8 MiB slices. Memory: the");
  line("most the tab's renderer processes held during the run, less what they held before it (sampled every");
  line("20 ms from /proc): the median of the runs, their range in brackets; for the segmenter also its parts");
  line("(the tables after these). Times are the best run's.");
  const warmUps = browser.files.map((e) => e.segmenter.warm_up_ms).filter((ms) => ms > 0);
  if (warmUps.length > 0) {
    line(`Each file is dropped once the engine has warmed up on two small generated stores (it does so while`);
    line(`the page waits for a file; ${s(Math.min(...warmUps))}–${s(Math.max(...warmUps))} after the page was ready), as a merchant choosing a file would.`);
  }
  for (const entry of browser.files) {
    const f = inputs.find((x) => x.path === entry.file);
    const ours = ingestMs(entry);
    line("");
    line(`### \`${f.name}.csv\` (${mib(f.bytes)}, ${f.shape})`);
    line("");
    line("| contender | time | MiB/s | segmenter ingest ÷ peer | renderer memory added | ÷ file size |");
    line("|---|---|---|---|---|---|");
    const row = (name, ms, measured, r) => {
      const memory = memoryOf(measured);
      line(`| ${name} | ${s(ms)} | ${rate(f.bytes, ms)} | ${r} | ${measured ? memoryText(measured) : "–"} | ${memory ? (memory / f.bytes).toFixed(2) : "–"} |`);
    };
    row("segmenter: drop → segments on screen", entry.segmenter.segments_ms, null, "");
    row("segmenter: drop → everything on screen", entry.segmenter.ms, entry.segmenter, "");
    const pieces = entry.segmenter.pieces_merged;
    row(`segmenter ingest: read, parse, aggregate, RFM (${pieces ? `${pieces + 1} pieces on ${pieces + 1} workers` : "one worker"})`, ours, null, "1.00");
    row("PapaParse in a worker + JS Map", entry.papaparse.ms, entry.papaparse, ratio(ours, entry.papaparse.ms));
    row("DuckDB-wasm: read_csv + RFM query", entry.duckdb.ms, entry.duckdb, ratio(ours, entry.duckdb.ms));
    row("reading the File in 8 MiB slices", entry.read.ms, entry.read, ratio(ours, entry.read.ms));
  }
  line("");
  line("### The segmenter page's memory (peaks while analysing)");
  line("");
  line("The renderer's resident memory as above; the main worker's wasm memory as it reports it (it never");
  line("shrinks, and includes room reserved but not yet touched); the JavaScript heap of the page and every");
  line("worker (helpers included), and the ArrayBuffers they hold outside wasm memory (file slices in");
  line("flight, pieces passed between workers), summed over those threads, sampled every 50 ms over the");
  line("DevTools protocol (`Runtime.getHeapUsage`, `bench/browser/heap.mjs`).");
  line("");
  line("| file | renderer added | ÷ file size | worker's wasm memory | JS heap | ArrayBuffers outside wasm | threads |");
  line("|---|---|---|---|---|---|---|");
  for (const entry of browser.files) {
    const f = inputs.find((x) => x.path === entry.file);
    const ours = entry.segmenter;
    line(`| \`${f.name}\` | ${memoryText(ours)} | ${(memoryOf(ours) / f.bytes).toFixed(2)} | ${mib(ours.wasm_memory_bytes)} | ${mib(ours.js_heap_peak_bytes)} | ${mib(ours.array_buffers_peak_bytes)} | ${ours.heap_threads ?? "–"} |`);
  }
  const queried = browser.files.filter((e) => e.segmenter.segment_query);
  if (queried.length > 0) {
    line("");
    line("### A segment query in the finished page");
    line("");
    line(`\`${queried[0].segmenter.segment_query.query}\` typed into the segment editor once everything is on`);
    line("screen: from its input event to the frame that shows the count. The editor first waits for typing");
    line("to pause; then the worker evaluates the query on every customer, with the segment's make-up and");
    line("funnel, and the page shows them. Natively, the CLI's `segment queries` stage for the same query");
    line("(`--segment`, below). Both must count the same customers.");
    line("");
    line("| file | customers | typed → count on screen | of which the editor's pause | natively | count in the page | count by the CLI |");
    line("|---|---|---|---|---|---|---|");
    for (const entry of queried) {
      const f = inputs.find((x) => x.path === entry.file);
      const q = entry.segmenter.segment_query;
      const native = cli.find((c) => c.file === entry.file);
      const nativeMs = native ? stage(native.stages, ["segment queries"]) : null;
      const counted = native?.segment_count;
      const agree = counted == null ? "–" : counted === q.count ? counted.toLocaleString("en") : `**${counted.toLocaleString("en")} (differs)**`;
      line(`| \`${f.name}\` | ${entry.segmenter.customers.toLocaleString("en")} | ${q.ms.toFixed(0)} ms | ${q.pause_ms == null ? "–" : `${q.pause_ms} ms`} | ${nativeMs == null ? "–" : `${nativeMs.toFixed(1)} ms`} | ${q.count.toLocaleString("en")} | ${agree} |`);
    }
  }
  line("");
  line("### Where the page's time goes (worker stages, ms)");
  line("");
  const names = browser.files.map((e) => inputs.find((x) => x.path === e.file).name);
  line(`| stage | ${names.join(" | ")} |`);
  line(`|---|${names.map(() => "---:").join("|")}|`);
  const stages = [...new Set(browser.files.flatMap((e) => e.segmenter.stages.map((x) => x.stage)))];
  for (const name of stages) {
    line(`| ${name} | ${browser.files.map((e) => stage(e.segmenter.stages, [name]).toFixed(0)).join(" | ")} |`);
  }
}

// ------------------------------------------------- ingest stages in wasm
const stagesInWasm = read("browser-ingest-stages.json");
if (stagesInWasm) {
  line("");
  line("## The ingest's stages on bytes in memory: Chromium against native");
  line("");
  line("One thread, no File and no reading: the CSV tokenizer alone, the rows read into orders (tokenizing");
  line("included), and the whole ingest (customers and purchases too), on the 100 MB stores generated in");
  line("memory (`bench/wasm`, `bench/browser/ingest-stages.mjs`; natively `cargo bench --bench ingest`). The");
  line("browser's first run of each stage is slower: its wasm is not yet optimised, its memory not yet grown.");
  line("");
  line("| shape | stage | Chromium, best of 3 | MiB/s | first run | native | Chromium ÷ native |");
  line("|---|---|---|---|---|---|---|");
  for (const entry of stagesInWasm.shapes) {
    const native = read(`ingest-${entry.shape}-100mb.json`);
    const nativeOf = { tokenize: native?.tokenizer_s, ingest: native?.segmenter_s };
    for (const [key, label] of [["tokenize", "CSV tokenizer"], ["push", "rows into orders"], ["ingest", "whole ingest"]]) {
      const t = entry[key];
      const n = nativeOf[key];
      line(`| ${entry.shape} | ${label} | ${s(t.seconds * 1000)} | ${rate(entry.bytes, t.seconds * 1000)} | ${s(t.first_seconds * 1000)} | ${n ? s(n * 1000) : "–"} | ${n ? ratio(t.seconds, n) : "–"} |`);
    }
  }
}

// ---------------------------------------------------------------- native
line("");
line("## Natively (one process)");
line("");
line("The CLI's whole analysis from the file on disk (`segmenter analyze --segment … --timings`, wall time, best");
line("of 3, customers.csv and rejected.csv written, the page's segment query counted); the engine's ingest + RFM and the `csv` crate on bytes already in");
line("memory (best of 3); DuckDB reading the file with the same RFM query as in the browser (best of 3).");
for (const f of inputs) {
  const ingest = read(`ingest-${f.name}.json`);
  const duck = read(`duckdb-${f.name}.json`);
  const whole = cli.find((c) => c.file === f.path);
  if (!ingest && !whole) continue;
  line("");
  line(`### \`${f.name}.csv\` (${mib(f.bytes)}, ${f.shape})`);
  line("");
  line("| contender | time | MiB/s | segmenter ÷ peer |");
  line("|---|---|---|---|");
  const ours = ingest ? ingest.segmenter_s * 1000 : null;
  const row = (name, ms, r) => line(`| ${name} | ${s(ms)} | ${rate(f.bytes, ms)} | ${r} |`);
  if (whole) row(`segmenter CLI: whole analysis (${whole.pieces_merged ? `${whole.pieces_merged + 1} pieces on as many threads` : "one thread"}; peak memory ${mib(whole.peak_memory_bytes)})`, whole.ms, duck ? `${ratio(whole.ms, duck.threads_2_seconds * 1000)} vs DuckDB, 2 threads` : "");
  if (ingest) {
    row("segmenter: ingest + customers + RFM", ours, "1.00");
    row("segmenter: CSV tokenizer alone", ingest.tokenizer_s * 1000, ratio(ours, ingest.tokenizer_s * 1000));
    row("csv crate: raw records", ingest.csv_raw_s * 1000, ratio(ours, ingest.csv_raw_s * 1000));
    row("csv crate: records + per-customer HashMap", ingest.csv_aggregate_s * 1000, ratio(ours, ingest.csv_aggregate_s * 1000));
  }
  if (duck) {
    row("DuckDB: read_csv + RFM query, 1 thread", duck.threads_1_seconds * 1000, ratio(ours, duck.threads_1_seconds * 1000));
    row("DuckDB: read_csv + RFM query, 2 threads", duck.threads_2_seconds * 1000, ratio(ours, duck.threads_2_seconds * 1000));
  }
}
if (cli.length) {
  line("");
  line("### Where the CLI's time goes (ms)");
  line("");
  const names = cli.map((c) => inputs.find((x) => x.path === c.file).name);
  line(`| stage | ${names.join(" | ")} |`);
  line(`|---|${names.map(() => "---:").join("|")}|`);
  const stages = [...new Set(cli.flatMap((c) => c.stages.map((x) => x.stage)))];
  for (const name of stages) line(`| ${name} | ${cli.map((c) => stage(c.stages, [name]).toFixed(0)).join(" | ")} |`);
}

// ---------------------------------------------------------------- models
if (fit && lifetimes) {
  const p = (m) => ["r", "alpha", "a", "b"].map((k) => m[k].toFixed(4)).join(", ");
  line("");
  line("## Fitting the repeat-buying model: a million customers");
  line("");
  line("Customers simulated from BG/NBD (r 0.8, α 6, a 0.7, b 2.5) over two years with whole-day dates");
  line("(`crates/engine/benches/fit.rs`); both fitters get the same (frequency, recency, T).");
  line("");
  line("| contender | best of 3 | segmenter ÷ peer | r, α, a, b |");
  line("|---|---|---|---|");
  line(`| segmenter, native: group + fit BG/NBD (${fit.groups.toLocaleString("en")} distinct histories) | ${s(fit.seconds * 1000)} | 1.00 | ${p(fit)} |`);
  if (browserFit) line(`| segmenter in Chromium: group + fit BG/NBD (from the worker's stages) | ${s(browserFit.bgnbd_ms)} | ${ratio(browserFit.bgnbd_ms, fit.seconds * 1000)} vs native | |`);
  line(`| lifetimes ${lifetimes.version ?? "0.11.3"} BetaGeoFitter | ${s(lifetimes.seconds * 1000)} | ${ratio(fit.seconds, lifetimes.seconds)} | ${p(lifetimes)} |`);
  if (browserFit) {
    line("");
    line(`In Chromium the same customers arrive as an order table (${mib(browserFit.mib * MiB)}, \`customer_id,order_date,amount\`);`);
    line(`all model work on them (both repeat models, spend, backtests, propensity, scores, clusters, recommendations) took ${s(browserFit.models_ms)},`);
    line(`reading and parsing ${s(browserFit.ingest_ms)}, bare reading of the File ${s(browserFit.read_ms)}.`);
  }
}
if (kmeans && sklearn) {
  line("");
  line("## k-means: one Lloyd iteration, 1M points × 10 features, k = 8");
  line("");
  line("The same points for everyone (the browser's are generated in wasm by the same code and seed; checksums");
  line("compared). scikit-learn's figure is one iteration apart from its fixed costs: (time with max_iter = 4 −");
  line("time with max_iter = 1) / 3, the median of 15 alternating pairs, one thread. The segmenter's f32 kernel is");
  line("what the analysis runs while trying each k on a sample.");
  line("");
  line("| contender (one thread) | per iteration | segmenter ÷ scikit-learn f32 |");
  line("|---|---|---|");
  const ms = (seconds) => `${(seconds * 1000).toFixed(1)} ms`;
  line(`| segmenter, native: f32 feature-major kernel (\`cluster/lloyd32.rs\`) | ${ms(kmeans.f32_seconds)} | ${ratio(kmeans.f32_seconds, sklearn.f32_iteration_seconds)} |`);
  line(`| segmenter, native: f64 row-major step | ${ms(kmeans.seconds)} | ${ratio(kmeans.seconds, sklearn.f32_iteration_seconds)} |`);
  if (browserKmeans) {
    line(`| segmenter in Chromium (wasm SIMD): f32 feature-major kernel | ${ms(browserKmeans.f32_seconds)} | ${ratio(browserKmeans.f32_seconds, sklearn.f32_iteration_seconds)} |`);
    line(`| segmenter in Chromium (wasm SIMD): f64 row-major step | ${ms(browserKmeans.seconds)} | ${ratio(browserKmeans.seconds, sklearn.f32_iteration_seconds)} |`);
  }
  line(`| scikit-learn KMeans, float32 | ${ms(sklearn.f32_iteration_seconds)} | 1.00 |`);
  line(`| scikit-learn KMeans, float64 | ${ms(sklearn.f64_iteration_seconds)} | ${ratio(sklearn.f64_iteration_seconds, sklearn.f32_iteration_seconds)} |`);
  const linfa = read("linfa-kmeans.json");
  if (linfa) line(`| linfa-clustering 0.8, max_n_iterations = 1 (includes its setup) | ${ms(linfa.seconds)} | ${ratio(linfa.seconds, sklearn.f32_iteration_seconds)} |`);
  line("");
  line(`To convergence with k = ${kmeans.converge_k} (${kmeans.converge_iterations} iterations), natively: Lloyd ${kmeans.lloyd_converge_seconds.toFixed(2)} s, Hamerly's bounds (what the analysis runs on every buyer once k is chosen; same labels, asserted) ${kmeans.hamerly_converge_seconds.toFixed(2)} s.`);
}
console.log(out.join("\n"));
