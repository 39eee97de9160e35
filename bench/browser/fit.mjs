// Model fitting in headless Chromium: the segmenter page reads an order
// table of simulated customers (written by `cargo bench --bench fit
// -- --write-orders`) and reports, from the worker, how long grouping the
// histories and fitting the repeat-buying model took, and all model work.
// The peer in the same browser is bare reading of the same File. Best of 3.
//
//   node bench/browser/fit.mjs ORDERS.csv [--json OUT]
//
// A benchmark, not a test: it reports and never fails on speed.
import { statSync, writeFileSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";

import { launch } from "../../e2e/browser.mjs";
import { startServer } from "../../e2e/static-server.mjs";

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), "../..");
const RUNS = 3;
const [file] = process.argv.slice(2).filter((a) => !a.startsWith("--"));
const jsonAt = process.argv.indexOf("--json");
const jsonOut = jsonAt > 0 ? process.argv[jsonAt + 1] : null;
if (!file) {
  console.error("usage: node bench/browser/fit.mjs ORDERS.csv [--json OUT]");
  process.exit(2);
}

const dist = await startServer({ root: join(ROOT, "dist") });
const browser = await launch();
const page = browser.context.pages()[0] ?? (await browser.context.newPage());

const runs = [];
for (let i = 0; i < RUNS; i++) {
  await page.goto(`${dist.url}?run=${i}`);
  await page.locator("#file-input:not([disabled])").waitFor({ state: "attached", timeout: 60_000 });
  await page.setInputFiles("#file-input", file);
  await page.locator("#timings").waitFor({ timeout: 900_000 });
  const timings = page.locator("#timings");
  const stages = JSON.parse(await timings.getAttribute("data-stages"));
  const stage = (name) => stages.find((x) => x.stage === name)?.ms ?? 0;
  runs.push({
    bgnbd: stage("grouping histories") + stage("BG/NBD fit"),
    ingest: Number(await timings.getAttribute("data-ingest-ms")),
    fit: Number(await timings.getAttribute("data-fit-ms")),
    models: Number(await timings.getAttribute("data-models-ms")),
    customers: Number((await page.textContent("#kpi-customers")).replace(/[^0-9]/g, "")),
  });
  console.error(`run ${i + 1}: ${JSON.stringify(runs[i])}`);
}
// Bare reading of the same File, for the same-browser ratio (the page's own
// input is cleared after each pick, so a separate one holds the file).
await page.evaluate(() => {
  const input = document.createElement("input");
  input.type = "file";
  input.id = "bench-file";
  document.body.append(input);
});
await page.setInputFiles("#bench-file", file);
const read = await page.evaluate(async () => {
  const file = document.getElementById("bench-file").files[0];
  const start = performance.now();
  const slice = 8 << 20;
  for (let at = 0; at < file.size; at += slice) await file.slice(at, at + slice).arrayBuffer();
  return performance.now() - start;
});
await browser.close();
await dist.close();

const best = (key) => Math.min(...runs.map((r) => r[key]));
const results = {
  customers: runs[0].customers,
  mib: statSync(file).size / (1 << 20),
  fit_ms: best("fit"),
  bgnbd_ms: best("bgnbd"),
  models_ms: best("models"),
  ingest_ms: best("ingest"),
  read_ms: read,
};
const s = (ms) => `${(ms / 1000).toFixed(3)} s`;
console.log(`| in Chromium (one worker), ${results.customers.toLocaleString("en")} customers | best of ${RUNS} | ÷ reading the file |`);
console.log("|---|---|---|");
console.log(`| grouping histories + fitting the repeat-buying model | ${s(results.fit_ms)} | ${(results.fit_ms / read).toFixed(2)} |`);
console.log(`| all model work (2 models, spend, backtests, propensity, scores, clusters) | ${s(results.models_ms)} | ${(results.models_ms / read).toFixed(2)} |`);
console.log(`| reading and parsing the ${results.mib.toFixed(0)} MiB order table | ${s(results.ingest_ms)} | ${(results.ingest_ms / read).toFixed(2)} |`);
console.log(`| reading the File in 8 MiB slices, nothing else | ${s(read)} | 1.00 |`);
if (jsonOut) writeFileSync(jsonOut, `${JSON.stringify(results)}\n`);
