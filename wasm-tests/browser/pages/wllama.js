// wllama.js: what the GGUF test does inside the page with llama.cpp (wllama): load a GGUF file
// sllm wrote, tokenize texts, and continue a prompt greedily (the highest logit at every step,
// straight from llama.cpp's forward pass), recording everything llama.cpp logged.

const out = () => document.getElementById('out');
function show(line) {
  const pre = out();
  if (pre) pre.textContent += `${line}\n`;
}

/**
 * Loads /path (a GGUF file), tokenizes texts (no BOS, special tokens not parsed) and, after
 * `prompt` (token ids), takes llama.cpp's most likely token at each of `forced.length` steps,
 * feeding `forced[i]` (sllm's greedy tokens) as the next input, so every position is judged on the
 * same history. Returns the ids, llama.cpp's picks and its warning and error log lines.
 */
export async function run(wllama, { path, texts, prompt, forced, nCtx }) {
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
  for (let i = 0; i < forced.length; i++) {
    const [top] = await w.getLogits(1);
    generated.push(top.token);
    if (i + 1 < forced.length) await w.decode([forced[i]], {});
  }
  await w.exit();
  show(`${path}: ${generated.length} tokens`);
  return { ids, generated, warnings };
}
