// wllama.js: what the GGUF test does inside the page with llama.cpp (wllama): load a GGUF file
// sllm wrote, tokenize texts, and continue a prompt greedily (the highest logit at every step,
// straight from llama.cpp's forward pass), recording everything llama.cpp logged.

const out = () => document.getElementById('out');
function show(line) {
  const pre = out();
  if (pre) pre.textContent += `${line}\n`;
}

/**
 * Loads /path (a GGUF file), tokenizes texts (no BOS, special tokens not parsed) and generates
 * `steps` tokens greedily after `prompt` (token ids). Returns the ids, the greedy tokens and
 * llama.cpp's warning and error log lines.
 */
export async function run(wllama, { path, texts, prompt, steps, nCtx }) {
  const warnings = [];
  const logger = {
    debug: () => {},
    log: () => {},
    warn: (...a) => warnings.push(a.join(' ')),
    error: (...a) => warnings.push(a.join(' ')),
  };
  const w = new wllama.Wllama({ 'single-thread/wllama.wasm': '/node_modules/@wllama/wllama/esm/single-thread/wllama.wasm' }, { logger });
  const bytes = await (await fetch(path)).arrayBuffer();
  await w.loadModel([new Blob([bytes])], { n_ctx: nCtx, n_batch: nCtx, n_threads: 1, seed: 1 });
  const ids = [];
  for (const t of texts) ids.push(await w.tokenize(t, false));
  const generated = [];
  await w.decode(prompt, {});
  for (let i = 0; i < steps; i++) {
    const [top] = await w.getLogits(1);
    generated.push(top.token);
    if (i + 1 < steps) await w.decode([top.token], {});
  }
  await w.exit();
  show(`${path}: ${generated.length} tokens`);
  return { ids, generated, warnings };
}
