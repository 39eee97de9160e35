// Ingest throughput in headless Chromium: the segmenter page (release
// build in dist/) against PapaParse in a worker and against bare reading of
// the same File, in the same browser, best of 3 runs each.
//
//   node bench/browser/ingest.mjs FILE [--json OUT]
//
// A benchmark, not a test: it reports and never fails on speed.
import { statSync, writeFileSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { createServer } from "node:http";
import { readFile } from "node:fs/promises";

import { launch } from "../../e2e/browser.mjs";
import { startServer } from "../../e2e/static-server.mjs";

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), "../..");
const RUNS = 3;
const [file] = process.argv.slice(2).filter((a) => !a.startsWith("--"));
const jsonAt = process.argv.indexOf("--json");
const jsonOut = jsonAt > 0 ? process.argv[jsonAt + 1] : null;
if (!file) {
  console.error("usage: node bench/browser/ingest.mjs FILE [--json OUT]");
  process.exit(2);
}
const mib = statSync(file).size / (1 << 20);

/** Serves the repository (peer pages and node_modules) on 127.0.0.1. */
async function repoServer() {
  const server = createServer(async (req, res) => {
    const path = join(ROOT, decodeURIComponent(new URL(req.url, "http://x").pathname));
    if (!path.startsWith(ROOT)) return res.writeHead(403).end();
    let body;
    try {
      body = await readFile(path);
    } catch {
      return res.writeHead(404).end();
    }
    const type = path.endsWith(".html") ? "text/html" : "text/javascript";
    res.writeHead(200, { "Content-Type": type }).end(body);
  });
  await new Promise((r) => server.listen(0, "127.0.0.1", r));
  return { url: `http://127.0.0.1:${server.address().port}`, close: () => server.close() };
}

const best = (times) => Math.min(...times);

const dist = await startServer({ root: join(ROOT, "dist") });
const repo = await repoServer();
const browser = await launch();
const page = browser.context.pages()[0] ?? (await browser.context.newPage());

async function segmenterRun() {
  await page.goto(dist.url);
  await page.locator("#file-input:not([disabled])").waitFor({ state: "attached", timeout: 60_000 });
  await page.setInputFiles("#file-input", file);
  // The worker's own timing of reading the file into customers and RFM
  // (the predictive models have their own benchmark, fit.mjs).
  const timings = page.locator("#timings");
  await timings.waitFor({ timeout: 600_000 });
  const ingest = Number(await timings.getAttribute("data-ingest-ms"));
  const rfm = Number(await timings.getAttribute("data-rfm-ms"));
  return ingest + rfm;
}

let navigation = 0;
async function peerRun(peer) {
  // A new query each time: a fresh page, whatever ran before.
  navigation += 1;
  await page.goto(`${repo.url}/bench/browser/peers/index.html?peer=${peer}&run=${navigation}`);
  await page.setInputFiles("#file", file);
  await page.waitForFunction(() => document.getElementById("result").textContent, null, { timeout: 600_000 });
  const result = JSON.parse(await page.textContent("#result"));
  if (result.error) throw new Error(`${peer}: ${result.error}`);
  return result.ms;
}

const results = { mib };
for (const [name, run] of [
  ["segmenter", segmenterRun],
  ["papaparse", () => peerRun("papaparse")],
  ["read", () => peerRun("read")],
]) {
  const times = [];
  for (let i = 0; i < RUNS; i++) times.push(await run());
  results[`${name}_ms`] = best(times);
  console.error(`${name}: ${times.map((t) => t.toFixed(0)).join(", ")} ms`);
}
await browser.close();
await dist.close();
repo.close();

const row = (name, ms) =>
  `| ${name} | ${(ms / 1000).toFixed(3)} s | ${(mib / (ms / 1000)).toFixed(0)} | ${(results.segmenter_ms / ms).toFixed(2)} |`;
console.log(`| contender (Chromium, one worker) | best of ${RUNS} | MiB/s | segmenter ÷ peer (time) |`);
console.log("|---|---|---|---|");
console.log(row("segmenter page: ingest + customers + RFM", results.segmenter_ms));
console.log(row("PapaParse in a worker + JS Map per email", results.papaparse_ms));
console.log(row("reading the File in 8 MiB slices, nothing else", results.read_ms));
if (jsonOut) writeFileSync(jsonOut, `${JSON.stringify(results)}\n`);
