#!/usr/bin/env node
// bench-train.mjs: what `npm run bench:train` runs. Builds the throughput benchmarks (native, and
// wasm in SIMD and scalar variants), then prints side by side the training tokens/s of the
// nanoGPT CPU reference config (bench/train_throughput.cpp) and the GEMM GFLOP/s of each build on
// that config's shapes (bench/matmul.cpp); then the thread scaling of the native and wasm threads
// builds beside the machine's parallel ceiling (scripts/bench-threads.mjs). The last line is one
// JSON object with every figure.
// Options: --no-build (skip setup and builds; use what build/ holds), --steps N (timed steps per round, default 10),
// --runs N (runs of each benchmark, best kept; default 2: the machine may be shared), --quick (fewer
// steps in the thread scaling).
import { existsSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { lastJson, root, run } from './bench-util.mjs';
import { benchThreads, buildThreadBenches, printThreads } from './bench-threads.mjs';

const args = process.argv.slice(2);
const opt = (name, dflt) => {
  const i = args.indexOf(name);
  return i >= 0 && i + 1 < args.length ? Number(args[i + 1]) : dflt;
};
const build = !args.includes('--no-build');
const steps = opt('--steps', 10);
const runs = opt('--runs', 2);
const corpus = resolve(root, '../shared/data/tinyshakespeare.txt');
const nativeDir = process.env.SLLM_NATIVE_BUILD_DIR ?? join(root, 'build/native');
const wasmDir = join(root, 'build/wasm');

if (build) {
  run('scripts/setup.sh', ['--no-browser'], { quiet: true });  // installs what is missing (idempotent)
  console.error('building native benchmarks ...');
  run('scripts/build-native.sh', [], { quiet: true });
  console.error('building wasm benchmarks (SIMD and scalar) ...');
  if (!existsSync(join(wasmDir, 'CMakeCache.txt'))) run('emcmake', ['cmake', '-S', '.', '-B', wasmDir], { quiet: true });
  const targets = ['simd', 'scalar'].flatMap((v) => [`bench_matmul_${v}`, `bench_train_throughput_${v}`]);
  run('cmake', ['--build', wasmDir, '-j2', '--target', ...targets], { quiet: true });
  console.error('building wasm threads benchmarks ...');
  buildThreadBenches(wasmDir);
}

const builds = {
  'wasm-simd': (b) => ['node', ['--no-experimental-fetch', join(wasmDir, `bench/bench_${b}_simd.cjs`)]],
  'wasm-scalar': (b) => ['node', ['--no-experimental-fetch', join(wasmDir, `bench/bench_${b}_scalar.cjs`)]],
  native: (b) => [join(nativeDir, `bench/bench_${b}`), []],
};
const train = {}, matmul = {};
for (let r = 0; r < runs; ++r)
  for (const [name, cmd] of Object.entries(builds)) {
    console.error(`run ${r + 1}/${runs}: ${name} training ...`);
    const [c, a] = cmd('train_throughput');
    const t = lastJson(run(c, [...a, corpus, '--steps', String(steps)]));
    if (!train[name] || t.tokens_per_s > train[name].tokens_per_s) train[name] = t;
    console.error(`run ${r + 1}/${runs}: ${name} matmul ...`);
    const [mc, ma] = cmd('matmul');
    const m = lastJson(run(mc, ma));
    if (!matmul[name]) matmul[name] = m;
    else m.shapes.forEach((s, i) => { matmul[name].shapes[i].gflops = Math.max(matmul[name].shapes[i].gflops, s.gflops); });
    if (m.step_gflops > matmul[name].step_gflops) Object.assign(matmul[name], { step_gflops: m.step_gflops, step_gemm_ms: m.step_gemm_ms });
  }

const names = Object.keys(builds);
const pad = (s, n) => String(s).padStart(n);
const ratio = train['wasm-simd'].tokens_per_s / train['wasm-scalar'].tokens_per_s;
console.log(`training: nanoGPT CPU reference config (4 layers, 4 heads, dim 128, context 64, batch 12, ffn 512), ` +
            `${train.native.data}, best of ${runs} runs x ${train.native.rounds} rounds of ${steps} steps`);
console.log(`${'build'.padEnd(12)} ${pad('tokens/s', 10)} ${pad('ms/step', 9)} ${pad('GEMM GFLOP/s', 13)} ${pad('GEMM ms/step', 13)}`);
for (const n of names)
  console.log(`${n.padEnd(12)} ${pad(train[n].tokens_per_s, 10)} ${pad(train[n].ms_per_step.toFixed(1), 9)} ` +
              `${pad(matmul[n].step_gflops.toFixed(2), 13)} ${pad(matmul[n].step_gemm_ms.toFixed(1), 13)}`);
console.log(`gemm GFLOP/s per shape (M = batch*context = 768; attention per head):`);
console.log(`${'shape'.padEnd(24)} ${pad('M', 4)} ${pad('N', 4)} ${pad('K', 4)} op ${names.map((n) => pad(n, 11)).join(' ')}`);
matmul.native.shapes.forEach((s, i) =>
  console.log(`${s.name.padEnd(24)} ${pad(s.M, 4)} ${pad(s.N, 4)} ${pad(s.K, 4)} ${s.op} ` +
              names.map((n) => pad(matmul[n].shapes[i].gflops.toFixed(2), 11)).join(' ')));
console.log(`wasm SIMD / wasm scalar training tokens/s: ${ratio.toFixed(2)}x (target >= 2.5x); ` +
            `wasm SIMD / native: ${(train['wasm-simd'].tokens_per_s / train.native.tokens_per_s).toFixed(2)}x`);
const threads = benchThreads({ nativeDir, wasmDir, corpus, quick: args.includes('--quick') });
printThreads(threads);
const summary = {
  bench: 'bench:train',
  threads,
  data: train.native.data,
  train_tokens_per_s: Object.fromEntries(names.map((n) => [n, train[n].tokens_per_s])),
  train_ms_per_step: Object.fromEntries(names.map((n) => [n, train[n].ms_per_step])),
  simd_over_scalar: Number(ratio.toFixed(3)),
  gemm_step_gflops: Object.fromEntries(names.map((n) => [n, matmul[n].step_gflops])),
  gemm_gflops: Object.fromEntries(names.map((n) => [n, Object.fromEntries(matmul[n].shapes.map((s) => [s.name, s.gflops]))])),
};
console.log(JSON.stringify(summary));
