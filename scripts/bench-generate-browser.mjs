#!/usr/bin/env node
// bench-generate-browser.mjs: generation speed in Chromium, sllm against @wllama/wllama 3.13.0
// (llama.cpp in wasm) on the same GPT-2-124M- and SmolLM-135M-shaped models (SLLM files for
// sllm, the same models as GGUF for wllama; bench_generate_big writes both), at 1 thread and at
// all threads, served cross-origin isolated: load ms, prefill tokens/s of a 128-token prompt,
// decode tokens/s of 128 new tokens (bench/browser/generate.bench.ts, run by vitest). Needs the
// package in dist/ (npm run build) and the model files (npm run bench:generate-big writes them).
// The last line is one JSON object. Env: SLLM_BENCH_SHAPES, SLLM_BENCH_DTYPES restrict the runs.
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { root, run } from './bench-util.mjs';

const files = join(root, 'bench/out/big');
if (!existsSync(join(files, 'gpt2-124m-q8_0.gguf')))
  run(join(root, 'build/native/bench/bench_generate_big'), ['write', files]);
run('node_modules/.bin/vitest', ['run', '-c', 'bench/browser/vitest.config.ts', '--reporter=dot']);
const data = JSON.parse(readFileSync(join(root, 'build/bench-generate-browser.json'), 'utf8'));

const pad = (s, n) => String(s).padStart(n);
console.log(`Chromium, random weights, ${data.prompt_tokens}-token prompt then ${data.new_tokens} new tokens ` +
            `(sllm: its Worker engine; wllama: llama.cpp's own timings)`);
console.log(`${'model'.padEnd(12)} ${'dtype'.padEnd(5)} ${pad('thr', 3)} ${'engine'.padEnd(7)} ${pad('load ms', 8)} ` +
            `${pad('prefill tok/s', 14)} ${pad('decode tok/s', 13)} ${pad('sllm/wllama prefill', 20)} ${pad('decode', 7)}`);
const rows = data.results;
for (let i = 0; i + 1 < rows.length; i += 2) {
  const [s, w] = [rows[i], rows[i + 1]];
  for (const r of [s, w])
    console.log(`${r.shape.padEnd(12)} ${r.dtype.padEnd(5)} ${pad(r.asked_threads, 3)} ${r.engine.padEnd(7)} ` +
                `${pad(r.loadMs.toFixed(0), 8)} ${pad(r.prefill.toFixed(1), 14)} ${pad(r.decode.toFixed(2), 13)}` +
                (r === s ? '' : ` ${pad((s.prefill / w.prefill).toFixed(2) + 'x', 20)} ${pad((s.decode / w.decode).toFixed(2) + 'x', 7)}`));
}
console.log(JSON.stringify({ bench: 'generate-browser', ...data }));
