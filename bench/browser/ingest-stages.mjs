// The engine's ingest in headless Chromium on bytes already in wasm memory
// (no File, no reading): the CSV tokenizer alone, the rows read into orders,
// and the whole ingest, on generated stores of about 100 MB in both shapes
// (the same generator and sizes as the suite's files). Set beside the
// native figures of `cargo bench --bench ingest`, it shows what the browser
// costs apart from reading files, and which stage to work on. Best of 3;
// the first run of each stage is reported too (wasm not yet optimised by
// the browser, memory not yet grown).
//
//   node bench/browser/ingest-stages.mjs DIR [--json OUT]
//
// DIR holds bench/browser/engine/* and the wasm-bindgen output of
// bench/wasm. A benchmark, not a test: it reports and never fails on speed.
import { writeFileSync } from "node:fs";

import { launch } from "../../e2e/browser.mjs";
import { startServer } from "../../e2e/static-server.mjs";

const [dir] = process.argv.slice(2).filter((a) => !a.startsWith("--"));
const jsonAt = process.argv.indexOf("--json");
const jsonOut = jsonAt > 0 ? process.argv[jsonAt + 1] : null;
if (!dir) {
  console.error("usage: node bench/browser/ingest-stages.mjs DIR [--json OUT]");
  process.exit(2);
}

// Customers for about 100 MB (as scripts/bench.sh sizes its files).
const SHAPES = [
  { shape: "shopify", customers: 28900 },
  { shape: "narrow", customers: 89200 },
];

const server = await startServer({ root: dir });
const results = [];
for (const { shape, customers } of SHAPES) {
  // A fresh browser per shape: the first runs are cold for each.
  const browser = await launch();
  const page = browser.context.pages()[0] ?? (await browser.context.newPage());
  page.on("pageerror", (error) => console.error(String(error)));
  await page.goto(`${server.url}ingest.html`);
  await page.waitForFunction(() => window.benchReady === true, null, { timeout: 60_000 });
  const result = await page.evaluate(([c, s]) => window.ingest(c, s, 3), [customers, shape === "shopify"]);
  results.push({ shape, customers, ...result });
  console.error(`${shape}: ${JSON.stringify(result)}`);
  await browser.close();
}
await server.close();
const json = JSON.stringify({ runs: 3, shapes: results });
if (jsonOut) writeFileSync(jsonOut, json);
else console.log(json);
