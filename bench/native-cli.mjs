// The native CLI's whole analysis of each benchmark file, as a merchant
// would run it: `segmenter analyze FILE --out DIR --segment NAME=QUERY
// --timings` (the segment the page is asked for too, bench/segment-query.mjs),
// wall time from outside (best of 3), the engine's stage timings, peak
// resident memory and the segment's count from the best run's summary.json.
//
//   node bench/native-cli.mjs --json OUT FILE...
//
// A benchmark, not a test: it reports and never fails on speed.
import { execFileSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";

import { SEGMENT } from "./segment-query.mjs";

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), "..");
const CLI = join(ROOT, "target/release/segmenter");
const RUNS = 3;
const args = process.argv.slice(2);
const jsonAt = args.indexOf("--json");
const files = args.filter((a, i) => !a.startsWith("--") && i !== jsonAt + 1);
if (jsonAt < 0 || files.length === 0) {
  console.error("usage: node bench/native-cli.mjs --json OUT FILE...");
  process.exit(2);
}

const results = [];
for (const file of files) {
  let best = null;
  for (let i = 0; i < RUNS; i++) {
    const out = mkdtempSync(join(tmpdir(), "segmenter-bench-"));
    const start = process.hrtime.bigint();
    const segment = `${SEGMENT.name}=${SEGMENT.query}`;
    execFileSync(CLI, ["analyze", file, "--out", out, "--segment", segment, "--timings"], {
      stdio: ["ignore", "ignore", "inherit"],
    });
    const ms = Number(process.hrtime.bigint() - start) / 1e6;
    const summary = JSON.parse(readFileSync(join(out, "summary.json"), "utf8"));
    rmSync(out, { recursive: true, force: true });
    console.error(`  ${file}: ${(ms / 1000).toFixed(3)} s`);
    if (!best || ms < best.ms) {
      best = {
        ms,
        customers: summary.customers,
        segment_count: summary.segments[SEGMENT.name],
        stages: summary.timings.stages,
        peak_memory_bytes: summary.timings.peak_memory_bytes,
        pieces_merged: summary.timings.pieces_merged,
      };
    }
  }
  results.push({ file, bytes: statSync(file).size, ...best });
}
writeFileSync(args[jsonAt + 1], `${JSON.stringify(results, null, 1)}\n`);
