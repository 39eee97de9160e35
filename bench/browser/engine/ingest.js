// Loads the engine's ingest stages (bench/wasm) and offers `window.ingest`:
// the best of `runs` of each stage on a generated store in wasm memory.
import init, { IngestBench, analysis_stages } from "./segmenter_bench_wasm.js";

await init();
window.ingest = (customers, shopify, runs) => {
  const bench = new IngestBench(customers, shopify);
  const time = (stage) => {
    let best = Infinity;
    let first = 0;
    let result = 0;
    for (let i = 0; i < runs; i++) {
      const start = performance.now();
      result = stage();
      const ms = performance.now() - start;
      if (i === 0) first = ms;
      best = Math.min(best, ms);
    }
    return { seconds: best / 1000, first_seconds: first / 1000, result };
  };
  const out = {
    bytes: bench.len(),
    ingest: time(() => bench.ingest()),
    tokenize: time(() => bench.tokenize()),
    push: time(() => bench.push()),
  };
  bench.free();
  return out;
};
window.benchReady = true;
window.analysisStages = (customers, shopify) => JSON.parse(analysis_stages(customers, shopify));
