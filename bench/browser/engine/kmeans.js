// Loads the engine's k-means step (bench/wasm, built by scripts/bench.sh
// with wasm-bindgen next to this file) and offers `window.lloyd` to the
// benchmark script.
import init, { LloydBench } from "./segmenter_bench_wasm.js";

await init();
window.lloyd = (n, d, k, seed, runs) => {
  const bench = new LloydBench(n, d, k, seed);
  const time = (step) => {
    let best = Infinity;
    let centres = 0;
    for (let i = 0; i < runs; i++) {
      const start = performance.now();
      centres = step();
      best = Math.min(best, performance.now() - start);
    }
    return { best, centres };
  };
  const f64 = time(() => bench.step());
  const f32 = time(() => bench.step32());
  const checksum = bench.checksum();
  bench.free();
  return { seconds: f64.best / 1000, f32_seconds: f32.best / 1000, checksum, centres: f64.centres, centres_f32: f32.centres };
};
window.benchReady = true;
