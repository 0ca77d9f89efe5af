#!/usr/bin/env node
// bench-generate.mjs: what `npm run bench:generate` runs. Builds bench/generate.cpp natively and
// in the wasm SIMD build, then prints, for both architectures on the `small` preset (gpt, and the
// same shape as llama), prefill tokens/s of a 128-token prompt (one batch through the decoder)
// and cached decoding tokens/s of 128 new tokens; then the chat API's time to first token of a
// 5-turn conversation with and without the conversation cache (scripts/bench-chat.mjs, on the
// package in dist/); then, unless --no-big, issue 14's real sizes (scripts/bench-generate-big.mjs:
// GPT-2-124M and SmolLM-135M shapes in f32, f16, q8_0 and q4_0 files loaded for generation: load
// time, memory, prefill and decode tokens/s), and the same models in Chromium against wllama
// (llama.cpp in wasm; scripts/bench-generate-browser.mjs). The last line is one JSON object (the
// real sizes' under "big", the browser's under "browser").
// Options: --no-build (use what build/ holds), --preset NAME (default small), --runs N, --no-big
// (neither real-size part).
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { lastJson, root, run } from './bench-util.mjs';

const args = process.argv.slice(2);
const opt = (name, dflt) => {
  const i = args.indexOf(name);
  return i >= 0 && i + 1 < args.length ? args[i + 1] : dflt;
};
const build = !args.includes('--no-build');
const preset = opt('--preset', 'small');
const runs = opt('--runs', '3');
const nativeDir = process.env.SLLM_NATIVE_BUILD_DIR ?? join(root, 'build/native');
const wasmDir = join(root, 'build/wasm');
const big = !args.includes('--no-big');

if (build) {
  run('scripts/setup.sh', ['--no-browser']);
  console.error('building the native and wasm (SIMD) generation benchmarks ...');
  run('scripts/build-native.sh', []);
  if (!existsSync(join(wasmDir, 'CMakeCache.txt'))) run('emcmake', ['cmake', '-S', '.', '-B', wasmDir]);
  run('cmake', ['--build', wasmDir, '-j2', '--target', 'bench_generate_simd', ...(big ? ['bench_generate_big_simd'] : [])]);
  console.error('building the package (dist/) for the chat benchmark ...');
  run('scripts/build-wasm.sh', []);
  run('scripts/build-ts.sh', []);
}

const builds = {
  native: [join(nativeDir, 'bench/bench_generate'), []],
  'wasm-simd': ['node', ['--no-experimental-fetch', join(wasmDir, 'bench/bench_generate_simd.cjs')]],
};
const rows = [];
for (const arch of ['gpt', 'llama'])
  for (const [name, [cmd, pre]] of Object.entries(builds)) {
    console.error(`${name}: ${preset} as ${arch} ...`);
    rows.push({ build: name, ...lastJson(run(cmd, [...pre, '--preset', preset, '--arch', arch, '--runs', runs])) });
  }

const pad = (s, n) => String(s).padStart(n);
console.log(`generation: preset ${preset} (random weights), prompt ${rows[0].prompt} tokens, ${rows[0].new} new tokens, best of ${runs}`);
console.log(`${'arch'.padEnd(6)} ${'build'.padEnd(10)} ${pad('params', 9)} ${pad('prefill tok/s', 14)} ${pad('decode tok/s', 13)} ${pad('prefill/decode', 15)}`);
for (const r of rows)
  console.log(`${r.arch.padEnd(6)} ${r.build.padEnd(10)} ${pad(r.params, 9)} ${pad(r.prefill_tokens_per_s.toFixed(0), 14)} ` +
              `${pad(r.decode_tokens_per_s.toFixed(1), 13)} ${pad((r.prefill_tokens_per_s / r.decode_tokens_per_s).toFixed(1) + 'x', 15)}`);
console.error('chat: time to first token of a 5-turn conversation ...');
const chatOut = run('node', ['scripts/bench-chat.mjs', '--runs', runs]).trim().split('\n');
for (const line of chatOut.slice(0, -1)) console.log(line);
let bigResults;
if (big) {
  console.error('real sizes: GPT-2-124M and SmolLM-135M shapes ...');
  const lines = run('node', ['scripts/bench-generate-big.mjs', '--no-build']).trim().split('\n');
  bigResults = JSON.parse(lines.pop());
  console.log(lines.join('\n'));
  console.error('real sizes in Chromium, sllm and wllama ...');
  const browserLines = run('node', ['scripts/bench-generate-browser.mjs']).trim().split('\n');
  bigResults.browser = JSON.parse(browserLines.pop());
  console.log(browserLines.join('\n'));
}
console.log(JSON.stringify({
  bench: 'bench:generate',
  preset,
  ...(bigResults ? { big: bigResults } : {}),
  chat: JSON.parse(chatOut.at(-1)),
  results: rows.map(({ build, arch, params, prefill_tokens_per_s, decode_tokens_per_s }) =>
    ({ build, arch, params, prefill_tokens_per_s, decode_tokens_per_s })),
}));
