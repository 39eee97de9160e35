// The browser half of the benchmark suite, in headless Chromium, one run:
// for each file, the segmenter page from the drop to everything on screen
// (with the worker's own stage timings and the memory it took), and in the
// same browser the peers on the same File: PapaParse in a worker with a JS
// Map per customer, DuckDB-wasm (single-thread bundle) reading it with
// read_csv into an RFM query, and bare reading in 8 MiB slices. Also what a
// visitor downloads (compressed) and how soon the page first paints.
//
//   node bench/browser/suite.mjs --json OUT FILE...
//
// A benchmark, not a test: it reports and never fails on speed.
import { createServer } from "node:http";
import { readFile, readdir } from "node:fs/promises";
import { statSync, writeFileSync } from "node:fs";
import { dirname, extname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { gzipSync, brotliCompressSync } from "node:zlib";

import { launch } from "../../e2e/browser.mjs";
import { startServer } from "../../e2e/static-server.mjs";
import { SEGMENT } from "../segment-query.mjs";
import { sampleHeaps } from "./heap.mjs";
import { sampleRenderers } from "./memory.mjs";

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), "../..");
const args = process.argv.slice(2);
const jsonAt = args.indexOf("--json");
const jsonOut = jsonAt >= 0 ? args[jsonAt + 1] : null;
const runsAt = args.indexOf("--runs");
const RUNS = runsAt >= 0 ? Number(args[runsAt + 1]) : 3;
const files = args.filter((a, i) => !a.startsWith("--") && i !== jsonAt + 1 && i !== runsAt + 1);
if (!jsonOut || files.length === 0) {
  console.error("usage: node bench/browser/suite.mjs --json OUT [--runs N] FILE...");
  process.exit(2);
}

const TYPES = {
  ".html": "text/html",
  ".js": "text/javascript",
  ".mjs": "text/javascript",
  ".wasm": "application/wasm",
  ".json": "application/json",
};

/** Serves the repository (the peer pages and their packages) on 127.0.0.1. */
async function repoServer() {
  const server = createServer(async (req, res) => {
    const path = join(ROOT, decodeURIComponent(new URL(req.url, "http://x").pathname));
    if (!path.startsWith(ROOT)) return res.writeHead(403).end();
    try {
      const body = await readFile(path);
      res.writeHead(200, { "Content-Type": TYPES[extname(path)] ?? "application/octet-stream" }).end(body);
    } catch {
      res.writeHead(404).end();
    }
  });
  await new Promise((r) => server.listen(0, "127.0.0.1", r));
  return { url: `http://127.0.0.1:${server.address().port}`, close: () => server.close() };
}

const dist = await startServer({ root: join(ROOT, "dist") });
const repo = await repoServer();
const browser = await launch({ args: ["--enable-precise-memory-info"] });
const page = browser.context.pages()[0] ?? (await browser.context.newPage());
let navigation = 0;

/** Runs `body` while sampling the renderers' memory; adds `memory` to its result. */
async function measured(body) {
  const sampler = sampleRenderers(browser.profile);
  const result = await body();
  const { before, peak } = sampler.stop();
  return { ...result, renderer_peak_bytes: peak, renderer_added_bytes: peak - before };
}

/**
 * The segmenter page: from the file input's change event to the frame after
 * the results (overview, RFM segments, predictions, clusters) are in the
 * page, both read from the page's own clock.
 */
async function segmenter(file) {
  navigation += 1;
  await page.goto(`${dist.url}?run=${navigation}`);
  await page.locator("#file-input:not([disabled])").waitFor({ state: "attached", timeout: 60_000 });
  // The engine warms up on small stores while the page waits for a file (a
  // merchant takes longer than that to choose one); the file is dropped
  // once it has.
  const warmed = page.locator("main[data-warmed-ms]");
  await warmed.waitFor({ state: "attached", timeout: 60_000 });
  const warmUpMs = Number(await warmed.getAttribute("data-warmed-ms"));
  await page.evaluate(() => {
    const input = document.getElementById("file-input");
    input.addEventListener("change", () => (window.benchDropped = performance.now()), { capture: true, once: true });
    // The frame after the segment table first shows (the early look), and
    // the frame after the whole analysis is on the page.
    const frameAfter = (ready) =>
      new Promise((resolve) => {
        const observer = new MutationObserver(() => {
          if (!ready()) return;
          observer.disconnect();
          requestAnimationFrame(() => resolve(performance.now()));
        });
        observer.observe(document.body, { childList: true, subtree: true, attributes: true });
      });
    window.benchFrameAfter = frameAfter;
    window.benchSegments = frameAfter(() => document.querySelector("#segment-table tbody tr"));
    window.benchShown = frameAfter(
      () =>
        document.querySelector('main[data-phase="done"]') &&
        document.getElementById("timings") &&
        (document.getElementById("clusters-quality") || document.getElementById("clusters-skipped")),
    );
  });
  const heaps = await sampleHeaps(browser.context, page);
  const run = await measured(async () => {
    await page.setInputFiles("#file-input", file);
    const shown = await page.evaluate(() => window.benchShown);
    const segments = await page.evaluate(() => window.benchSegments);
    const dropped = await page.evaluate(() => window.benchDropped);
    const timings = page.locator("#timings");
    const attribute = async (name) => Number(await timings.getAttribute(name));
    return {
      warm_up_ms: warmUpMs,
      ms: shown - dropped,
      segments_ms: segments - dropped,
      worker_ms: (await attribute("data-ingest-ms")) + (await attribute("data-rfm-ms")) + (await attribute("data-models-ms")),
      stages: JSON.parse(await timings.getAttribute("data-stages")),
      pieces_merged: await attribute("data-pieces-merged"),
      wasm_memory_bytes: await attribute("data-peak-memory-bytes"),
      customers: Number((await page.textContent("#kpi-customers")).replace(/[^0-9]/g, "")),
    };
  });
  const heap = await heaps.stop();
  return {
    ...run,
    js_heap_peak_bytes: heap.js_heap_bytes,
    array_buffers_peak_bytes: heap.array_buffers_bytes,
    heap_threads: heap.threads,
    segment_query: await segmentQuery(),
  };
}

/**
 * The bench's segment typed into the segment editor of the finished page:
 * from the editor's input event to the frame that shows its count (the
 * worker evaluates it on every customer, with its make-up and funnel).
 */
async function segmentQuery() {
  await page.evaluate(() => {
    const editor = document.getElementById("segment-query");
    editor.addEventListener("input", () => (window.benchTyped = performance.now()), { capture: true, once: true });
    window.benchCounted = window.benchFrameAfter(() => document.querySelector("#segment-result[data-count]"));
  });
  await page.fill("#segment-query", SEGMENT.query);
  await page.locator("#segment-result[data-count]").waitFor({ timeout: 120_000 });
  const counted = await page.evaluate(() => window.benchCounted);
  const typed = await page.evaluate(() => window.benchTyped);
  return {
    query: SEGMENT.query,
    ms: counted - typed,
    // The editor waits this long for typing to pause before it asks.
    pause_ms: Number(await page.getAttribute("#segment-query", "data-pause-ms")),
    count: Number(await page.getAttribute("#segment-result", "data-count")),
  };
}

/** A peer page from bench/browser/peers; it writes its result as JSON. */
async function peer(name, file) {
  navigation += 1;
  const address =
    name === "duckdb"
      ? `${repo.url}/bench/browser/peers/duckdb.html?run=${navigation}`
      : `${repo.url}/bench/browser/peers/index.html?peer=${name}&run=${navigation}`;
  await page.goto(address);
  await page.locator("#file:not([disabled])").waitFor({ state: "attached", timeout: 120_000 });
  return measured(async () => {
    await page.setInputFiles("#file", file);
    await page.waitForFunction(() => document.getElementById("result").textContent, null, { timeout: 1_800_000 });
    const result = JSON.parse(await page.textContent("#result"));
    if (result.error) throw new Error(`${name}: ${result.error}`);
    return result;
  });
}

/** Files this large are run once (each run takes minutes with its peers). */
const ONCE_FROM_BYTES = 600 * 2 ** 20;

/** The best of `runs` runs by time, with every run's renderer memory. */
async function best(label, run, runs_wanted = RUNS) {
  const runs = [];
  for (let i = 0; i < runs_wanted; i++) {
    runs.push(await run());
    console.error(`  ${label}: ${(runs.at(-1).ms / 1000).toFixed(3)} s`);
  }
  const fastest = runs.reduce((a, b) => (b.ms < a.ms ? b : a));
  // Memory moves more than time from run to run (which stage the peak falls
  // in, when the collector runs): every run's figure is kept.
  return { ...fastest, renderer_added_runs: runs.map((r) => r.renderer_added_bytes) };
}

/** Compressed size of what a first visit downloads (the page, its worker). */
async function download() {
  const root = join(ROOT, "dist");
  const names = (await readdir(root)).filter((n) => /\.(js|wasm)$/.test(n) && n !== "sw.js");
  let raw = 0;
  let gzip = 0;
  let brotli = 0;
  for (const name of names) {
    const bytes = await readFile(join(root, name));
    raw += bytes.length;
    gzip += gzipSync(bytes, { level: 9 }).length;
    brotli += brotliCompressSync(bytes).length;
  }
  return { files: names, raw_bytes: raw, gzip_bytes: gzip, brotli_bytes: brotli };
}

/** First contentful paint of the page on localhost, best of `RUNS` cold loads. */
async function firstPaint() {
  const times = [];
  for (let i = 0; i < RUNS; i++) {
    const fresh = await browser.context.newPage();
    await fresh.goto(`${dist.url}?paint=${i}`);
    await fresh.locator("#file-input:not([disabled])").waitFor({ state: "attached", timeout: 60_000 });
    const paint = await fresh.evaluate(
      () => performance.getEntriesByName("first-contentful-paint")[0]?.startTime ?? null,
    );
    const ready = await fresh.evaluate(() => performance.now());
    times.push({ first_contentful_paint_ms: paint, interactive_ms: ready });
    await fresh.close();
  }
  return times.reduce((a, b) => (b.first_contentful_paint_ms < a.first_contentful_paint_ms ? b : a));
}

const results = { runs: RUNS, chromium: browser.context.browser()?.version() ?? null, files: [] };
results.download = await download();
results.first_paint = await firstPaint();
for (const file of files) {
  const bytes = statSync(file).size;
  console.error(`${file} (${(bytes / 2 ** 20).toFixed(0)} MiB)`);
  const entry = { file, bytes };
  const runs = bytes >= ONCE_FROM_BYTES ? 1 : RUNS;
  entry.runs = runs;
  entry.segmenter = await best("segmenter", () => segmenter(file), runs);
  entry.read = await best("read", () => peer("read", file), runs);
  entry.papaparse = await best("papaparse", () => peer("papaparse", file), runs);
  entry.duckdb = await best("duckdb-wasm", () => peer("duckdb", file), runs);
  results.files.push(entry);
  writeFileSync(jsonOut, `${JSON.stringify(results, null, 1)}\n`);
}
await browser.close();
await dist.close();
repo.close();
writeFileSync(jsonOut, `${JSON.stringify(results, null, 1)}\n`);
