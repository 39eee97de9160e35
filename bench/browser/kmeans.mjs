// One Lloyd iteration of the engine's k-means on 1M × 10 points, k = 8, in
// headless Chromium (wasm with SIMD, as the page's worker runs it), on the
// same points as the native benchmark (the checksum is compared by
// scripts/bench.sh). Best of 3.
//
//   node bench/browser/kmeans.mjs DIR [--json OUT]
//
// DIR holds bench/browser/engine/* and the wasm-bindgen output of bench/wasm.
// A benchmark, not a test: it reports and never fails on speed.
import { writeFileSync } from "node:fs";

import { launch } from "../../e2e/browser.mjs";
import { startServer } from "../../e2e/static-server.mjs";

const [dir] = process.argv.slice(2).filter((a) => !a.startsWith("--"));
const jsonAt = process.argv.indexOf("--json");
const jsonOut = jsonAt > 0 ? process.argv[jsonAt + 1] : null;
if (!dir) {
  console.error("usage: node bench/browser/kmeans.mjs DIR [--json OUT]");
  process.exit(2);
}

const server = await startServer({ root: dir });
const browser = await launch();
const page = browser.context.pages()[0] ?? (await browser.context.newPage());
page.on("pageerror", (error) => console.error(String(error)));
await page.goto(`${server.url}kmeans.html`);
await page.waitForFunction(() => window.benchReady === true, null, { timeout: 60_000 });
const result = await page.evaluate(() => window.lloyd(1_000_000, 10, 8, 8, 3));
await browser.close();
await server.close();
const json = JSON.stringify({ n: 1_000_000, d: 10, k: 8, ...result });
if (jsonOut) writeFileSync(jsonOut, json);
else console.log(json);
