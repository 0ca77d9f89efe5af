// generate.js: what the browser generation benchmark (generate.bench.ts) does inside the page:
// load a model file, prefill a prompt and decode new tokens, with sllm (the package, in a Worker
// engine with `threads` threads) or with wllama (llama.cpp in wasm, its own worker, `threads`
// threads). Each returns plain figures: load ms, prefill and decode tokens/s, wasm memory.

const out = () => document.getElementById('out');
function show(line) {
  const pre = out();
  if (pre) pre.textContent += `${line}\n`;
}

const now = () => performance.now();

/**
 * sllm: loads path, then streams `newTokens` tokens greedily after `prompt` (whose `promptTokens`
 * tokens the model's tokenizer makes; one character per token here). Prefill is the time to the
 * first streamed token less one decoding step; decoding is the rest's rate.
 */
export async function sllmRun(sllm, { path, threads, prompt, promptTokens, newTokens }) {
  const engine = await sllm.createWorkerEngine({ threads });
  try {
    const bytes = new Uint8Array(await (await fetch(path)).arrayBuffer());
    const t0 = now();
    const { model } = await engine.loadModel(bytes, { transfer: true });
    const loadMs = now() - t0;
    const t1 = now();
    let first = 0, n = 0;
    for await (const _ of model.stream(prompt, { maxTokens: newTokens, temperature: 0, stopAtEos: false })) {
      if (n++ === 0) first = now();
    }
    const t2 = now();
    const decode = (n - 1) / ((t2 - first) / 1000);
    const prefill = promptTokens / ((first - t1) / 1000 - 1 / decode);
    const mem = await engine.memoryStats();
    const r = { engine: 'sllm', backend: engine.backend, threads: engine.threads, loadMs, prefill, decode, tokens: n,
                wasmMemoryBytes: mem.wasmMemoryBytes, heapBytesInUse: mem.heapBytesInUse };
    show(`sllm ${path} ${engine.backend}/${engine.threads}: prefill ${prefill.toFixed(1)}, decode ${decode.toFixed(2)} tokens/s`);
    return r;
  } finally {
    engine.dispose();
  }
}

/** wllama: loads path (GGUF) and completes `prompt` with `newTokens` tokens; llama.cpp's own timings. */
export async function wllamaRun(_sllm, { path, threads, prompt, newTokens }) {
  const wllama = window.wllama;
  const w = new wllama.Wllama({ default: '/node_modules/wllama-latest/esm/wasm/wllama.wasm' },
                              { logger: { debug: () => {}, log: () => {}, warn: () => {}, error: console.error } });
  try {
    const blob = new Blob([await (await fetch(path)).arrayBuffer()]);
    const t0 = now();
    await w.loadModel([blob], { n_ctx: 512, n_batch: 512, n_threads: threads, seed: 1 });
    const loadMs = now() - t0;
    const r = await w.createCompletion({ prompt, max_tokens: newTokens, temperature: 0, ignore_eos: true, cache_prompt: false });
    const t = r.timings;
    const res = { engine: 'wllama', threads: w.getNumThreads ? w.getNumThreads() : threads, multiThread: w.isMultithread(),
                  loadMs, prefill: t.prompt_per_second, decode: t.predicted_per_second, promptTokens: t.prompt_n,
                  tokens: t.predicted_n };
    show(`wllama ${path} ${res.threads} threads: prefill ${res.prefill.toFixed(1)}, decode ${res.decode.toFixed(2)} tokens/s`);
    return res;
  } finally {
    await w.exit();
  }
}
