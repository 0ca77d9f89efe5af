// import.js: the in-page half of `npm run bench:import` (scripts/bench-import.mjs). For the
// Hugging Face folder the script wrote under build/bench-import/, it measures in this page:
// reading the files' bytes (fetch into Uint8Arrays, as a page gets them from dropped files),
// one pass over the weights (copying their bytes once: the least any conversion must do),
// engine.importHuggingFace's time, and the WebAssembly memory at its peak (memory never
// shrinks, so its size after the import is the peak).
import { createEngine } from '/dist/index.js';

window.runImportBench = async (folder, names, runs) => {
  const engine = await createEngine();
  const before = await engine.memoryStats();
  const out = { runs: [], wasmBefore: before.wasmMemoryBytes };
  for (let r = 0; r < runs; r++) {
    let t = performance.now();
    const files = {};
    let bytes = 0;
    for (const n of names) {
      files[n] = new Uint8Array(await (await fetch(`${folder}/${n}`)).arrayBuffer());
      bytes += files[n].length;
    }
    const readMs = performance.now() - t;
    const weights = files['model.safetensors'];
    t = performance.now();
    const copy = new Uint8Array(weights.length);
    copy.set(weights);
    const passMs = performance.now() - t;
    t = performance.now();
    const { model, tokenizer } = await engine.importHuggingFace(files);
    const importMs = performance.now() - t;
    const mem = await engine.memoryStats();
    out.runs.push({ readMs, passMs, importMs, bytes, wasmMemoryBytes: mem.wasmMemoryBytes, heapBytesInUse: mem.heapBytesInUse });
    out.parameters = model.parameterCount;
    out.config = model.config;
    out.sample = await model.generate('The', { maxTokens: 4, temperature: 0 });
    model.dispose();
    tokenizer.dispose();
  }
  engine.dispose();
  return out;
};
window.benchReady = true;
