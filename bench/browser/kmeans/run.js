// Loads the engine's k-means step (bench/wasm, built by scripts/bench.sh
// with wasm-bindgen next to this file) and offers `window.lloyd` to the
// benchmark script.
import init, { LloydBench } from "./segmenter_bench_wasm.js";

await init();
window.lloyd = (n, d, k, seed, runs) => {
  const bench = new LloydBench(n, d, k, seed);
  let best = Infinity;
  let centres = 0;
  for (let i = 0; i < runs; i++) {
    const start = performance.now();
    centres = bench.step();
    best = Math.min(best, performance.now() - start);
  }
  const checksum = bench.checksum();
  bench.free();
  return { seconds: best / 1000, checksum, centres };
};
window.benchReady = true;
