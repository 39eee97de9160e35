// Starts the engine's Web Worker: loads the wasm-bindgen glue, then the wasm.
// (The worker announces itself with a Ready message once it listens.)
importScripts("./segmenter-worker.js");
wasm_bindgen({ module_or_path: "./segmenter-worker_bg.wasm" });
