#!/usr/bin/env node
// bench-generate-big.mjs: generation at real model sizes (issue 14): a GPT-2-124M-shaped model
// and a SmolLM-135M-shaped llama, random weights, in f32, f16, q8_0 and q4_0 files, each loaded
// for generation (weights kept in the file's dtype) in a fresh process, natively and in the
// wasm builds under Node (bench/generate_big.cpp): load time, memory, prefill tokens/s of a
// 128-token prompt and decode tokens/s of 128 new tokens, on one thread (native, wasm-simd) and
// on all of the machine's threads (native, wasm-simd-threads). Tokens/s are given on the wall
// clock and, on one thread, on the process's CPU clock (a machine shared with other work slows
// the first, much less the second). The last line is one JSON object with every figure.
// Options: --no-build (use what build/ holds), --prompt N, --new N, --only SHAPE (gpt2-124m or
// smollm-135m), --builds native,wasm-simd,wasm-simd-threads, --threads N (default: all).
import { existsSync, mkdirSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { join } from 'node:path';
import { lastJson, root, run } from './bench-util.mjs';

const args = process.argv.slice(2);
const opt = (name, dflt) => {
  const i = args.indexOf(name);
  return i >= 0 && i + 1 < args.length ? args[i + 1] : dflt;
};
const build = !args.includes('--no-build');
const prompt = Number(opt('--prompt', 128));
const newTokens = Number(opt('--new', 128));
const shapes = opt('--only', 'gpt2-124m,smollm-135m').split(',');
const builds = opt('--builds', 'native,wasm-simd,wasm-simd-threads').split(',');
const allThreads = Number(opt('--threads', availableParallelism()));
const dtypes = ['f32', 'f16', 'q8_0', 'q4_0'];
const nativeDir = process.env.SLLM_NATIVE_BUILD_DIR ?? join(root, 'build/native');
const wasmDir = join(root, 'build/wasm');
const outDir = join(root, 'bench/out/big');


if (build) {
  run('scripts/setup.sh', ['--no-browser'], { quiet: true });
  console.error('building the native benchmark ...');
  run('scripts/build-native.sh', [], { quiet: true });
  if (builds.includes('wasm-simd')) {
    console.error('building the wasm SIMD benchmark ...');
    if (!existsSync(join(wasmDir, 'CMakeCache.txt'))) run('emcmake', ['cmake', '-S', '.', '-B', wasmDir], { quiet: true });
    run('cmake', ['--build', wasmDir, '-j2', '--target', 'bench_generate_big_simd', 'bench_generate_big_simd_threads'],
        { quiet: true });
  }
}
const native = join(nativeDir, 'bench/bench_generate_big');
if (!shapes.every((s) => dtypes.every((d) => existsSync(join(outDir, `${s}-${d}.sllm`))))) {
  mkdirSync(outDir, { recursive: true });
  console.error(`writing the model files into ${outDir} (about 2 GB) ...`);
  run(native, ['write', outDir]);
}

const wasm = (variant) => (file) =>
  ['node', ['--no-experimental-fetch', join(wasmDir, `bench/bench_generate_big_${variant}.cjs`), 'run', file]];
const commands = {  // [command, the thread counts it runs at]
  native: [(file) => [native, ['run', file]], [...new Set([1, allThreads])]],
  'wasm-simd': [wasm('simd'), [1]],
  'wasm-simd-threads': [wasm('simd_threads'), [allThreads]],
};
const results = [];
for (const shape of shapes)
  for (const dtype of dtypes)
    for (const b of builds)
      for (const threads of commands[b][1]) {
        console.error(`${shape} ${dtype} ${b} ${threads} thread(s) ...`);
        const [c, a] = commands[b][0](join(outDir, `${shape}-${dtype}.sllm`));
        const argv = [...a, '--prompt', String(prompt), '--new', String(newTokens), '--threads', String(threads)];
        results.push({ shape, dtype, ...lastJson(run(c, argv)), build: b });
      }

const mb = (n) => (n / 1048576).toFixed(1);
const pad = (s, n) => String(s).padStart(n);
console.log(`generation, random weights, ${prompt}-token prompt then ${newTokens} new tokens ` +
            `(tokens/s on the wall clock, and in brackets on the CPU clock of all the process's threads)`);
console.log(`${'model'.padEnd(12)} ${'dtype'.padEnd(5)} ${'build'.padEnd(17)} ${pad('thr', 3)} ${pad('file MB', 8)} ${pad('load ms', 8)} ` +
            `${pad('memory MB', 10)} ${pad('heap MB', 8)} ${pad('(heap-KV)/file', 14)} ${pad('prefill tok/s', 20)} ${pad('decode tok/s', 18)}`);
for (const r of results) {
  const heapRatio = r.heap_growth_bytes ? ((r.heap_growth_bytes - r.kv_cache_bytes) / r.file_bytes).toFixed(3) : '-';
  console.log(`${r.shape.padEnd(12)} ${r.dtype.padEnd(5)} ${r.build.padEnd(17)} ${pad(r.threads, 3)} ${pad(mb(r.file_bytes), 8)} ` +
              `${pad(r.load_ms.toFixed(0), 8)} ${pad(mb(r.memory_bytes), 10)} ${pad(r.heap_growth_bytes ? mb(r.heap_growth_bytes) : '-', 8)} ` +
              `${pad(heapRatio, 14)} ${pad(`${r.prefill_tokens_per_s.toFixed(1)} (${r.prefill_cpu_tokens_per_s.toFixed(1)})`, 20)} ` +
              `${pad(`${r.decode_tokens_per_s.toFixed(2)} (${r.decode_cpu_tokens_per_s.toFixed(2)})`, 18)}`);
}
const find = (shape, dtype, b, t) =>
  results.find((r) => r.shape === shape && r.dtype === dtype && r.build === b && r.threads === t);
const ratios = {};
for (const shape of shapes)
  for (const b of builds)
    for (const t of commands[b][1]) {
      const f32 = find(shape, 'f32', b, t), q8 = find(shape, 'q8_0', b, t), q4 = find(shape, 'q4_0', b, t);
      if (!f32 || !q8 || !q4) continue;
      const r = {
        q8_decode_vs_f32: q8.decode_tokens_per_s / f32.decode_tokens_per_s,
        q8_prefill_vs_decode: q8.prefill_tokens_per_s / q8.decode_tokens_per_s,
        q4_prefill_vs_decode: q4.prefill_tokens_per_s / q4.decode_tokens_per_s,
      };
      ratios[`${shape} ${b} ${t}`] = r;
      console.log(`${shape} ${b} ${t} thread(s): q8_0 decode ${r.q8_decode_vs_f32.toFixed(2)}x f32's; prefill per ` +
                  `token vs decode: q8_0 ${r.q8_prefill_vs_decode.toFixed(2)}x, q4_0 ${r.q4_prefill_vs_decode.toFixed(2)}x`);
    }
console.log(JSON.stringify({ bench: 'generate-big', prompt, new_tokens: newTokens, all_threads: allThreads, results, ratios }));
