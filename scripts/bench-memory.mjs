#!/usr/bin/env node
// bench-memory.mjs: training memory at the seed's size (issue 15): a GPT of vocabulary 10,000,
// dim 512, 6 layers, 8 heads, ffn 2048, context 256, batch 8, random weights and a synthetic
// token stream (bench/memory.cpp). Each setup runs in a fresh process, in wasm under Node
// (wasm-simd, one thread: the module's memory never shrinks, so its size at the end is the
// peak; it grows to exactly what is asked) and natively (the peak resident set): full f32
// training, + recomputation (and the chunked passes), LoRA (rank 8 on every linear layer) on an
// f32, f16, q8_0 and q4_0 base with and without them, and f32 inference. Each row: peak memory,
// its reduction against full f32 training, tokens/s, and the core's estimate
// (training_memory / inference_memory) with its error against the memory the setup allocated
// (wasm: the growth of malloc's heap; natively the peak resident set less that at start). The last line is one JSON object.
// Options: --no-build, --builds wasm-simd,native, --steps N (default 1), --only SETUP,SETUP.
import { existsSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { lastJson, option, root, run } from './bench-util.mjs';

const args = process.argv.slice(2);
const opt = (name, dflt) => option(args, name, dflt);
const build = !args.includes('--no-build');
const builds = opt('--builds', 'wasm-simd,native').split(',');
const steps = opt('--steps', '1');
const bases = ['f32', 'f16', 'q8_0', 'q4_0'];
const all = ['full', 'full+recompute', ...bases.flatMap((b) => [`lora-${b}`, `lora-${b}+recompute`]), 'infer'];
const setups = opt('--only', all.join(',')).split(',');
const nativeDir = process.env.SLLM_NATIVE_BUILD_DIR ?? join(root, 'build/native');
const wasmDir = join(root, 'build/wasm');
const outDir = join(root, 'bench/out/memory');

if (build) {
  console.error('building the native benchmark ...');
  run('scripts/build-native.sh', [], { quiet: true });
  if (builds.includes('wasm-simd')) {
    console.error('building the wasm SIMD benchmark ...');
    if (!existsSync(join(wasmDir, 'CMakeCache.txt'))) run('emcmake', ['cmake', '-S', '.', '-B', wasmDir], { quiet: true });
    run('cmake', ['--build', wasmDir, '-j2', '--target', 'bench_memory_simd'], { quiet: true });
  }
}
const native = join(nativeDir, 'bench/bench_memory');
if (!['f16', 'q8_0', 'q4_0'].every((d) => existsSync(join(outDir, `base-${d}.sllm`)))) {
  mkdirSync(outDir, { recursive: true });
  run(native, ['write', outDir]);
}
const commands = {
  native: [native, []],
  'wasm-simd': ['node', ['--no-experimental-fetch', join(wasmDir, 'bench/bench_memory_simd.cjs')]],
};

const results = [];
for (const b of builds)
  for (const setup of setups) {
    console.error(`${b} ${setup} ...`);
    const [cmd, pre] = commands[b];
    const r = lastJson(run(cmd, [...pre, 'run', outDir, setup, '--steps', steps]));
    results.push({ ...r, build: b });
  }

const mb = (n) => (n / 1048576).toFixed(1);
const pad = (s, n) => String(s).padStart(n);
const describe = (s) =>
  s === 'infer' ? 'inference only (f32, KV cache)'
    : s.replace(/^full/, 'full f32 training').replace(/^lora-(\w+)/, 'LoRA r8 on $1 base').replace('+recompute', ' + recompute/chunked');
console.log('training memory: gpt, vocabulary 10000, dim 512, 6 layers, 8 heads, ffn 2048, context 256, batch 8 ' +
            '(peak memory; the estimate is compared with what the setup allocated: wasm: the growth of malloc\'s heap, ' +
            'natively: the peak resident set less that at start)');
console.log(`${'setup'.padEnd(40)} ${'build'.padEnd(9)} ${pad('peak MB', 8)} ${pad('reduction', 9)} ${pad('tok/s', 7)} ` +
            `${pad('estimate MB', 11)} ${pad('est. error', 10)}`);
for (const r of results) {
  const full = results.find((x) => x.build === r.build && x.setup === 'full');
  r.reduction = full ? 1 - r.memory_bytes / full.memory_bytes : null;
  r.allocated_bytes = r.heap_growth_bytes > 0 ? r.heap_growth_bytes : r.memory_bytes - r.memory_start;
  r.estimate_error = r.estimate_bytes / r.allocated_bytes - 1;
  console.log(`${describe(r.setup).padEnd(40)} ${r.build.padEnd(9)} ${pad(mb(r.memory_bytes), 8)} ` +
              `${pad(r.reduction === null ? '-' : (100 * r.reduction).toFixed(1) + '%', 9)} ${pad(r.tokens_per_s.toFixed(0), 7)} ` +
              `${pad(mb(r.estimate_bytes), 11)} ${pad((100 * r.estimate_error).toFixed(1) + '%', 10)}`);
}
const target = results.find((r) => r.build === 'wasm-simd' && r.setup === 'lora-q4_0+recompute') ??
               results.find((r) => r.setup === 'lora-q4_0+recompute');
const worst = Math.max(...results.map((r) => Math.abs(r.estimate_error)));
if (target && target.reduction !== null)
  console.log(`target: LoRA on a q4_0 base with recomputation ${(100 * target.reduction).toFixed(1)}% below full f32 ` +
              `training (${target.build}; goal >= 95%): ${target.reduction >= 0.95 ? 'met' : 'NOT met'}; ` +
              `worst estimate error ${(100 * worst).toFixed(1)}% (goal within 10%): ${worst <= 0.1 ? 'met' : 'NOT met'}`);
console.log(JSON.stringify({ bench: 'memory', steps: Number(steps), results }));
