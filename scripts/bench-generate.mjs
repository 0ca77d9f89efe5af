#!/usr/bin/env node
// bench-generate.mjs: what `npm run bench:generate` runs. Builds bench/generate.cpp natively and
// in the wasm SIMD build, then prints, for both architectures on the `small` preset (gpt, and the
// same shape as llama), prefill tokens/s of a 128-token prompt (one batch through the decoder)
// and cached decoding tokens/s of 128 new tokens. The last line is one JSON object.
// Options: --no-build (use what build/ holds), --preset NAME (default small), --runs N.
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
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
const env = { ...process.env, NODE_PATH: '/usr/share/nodejs' };

function run(cmd, argv) {
  const r = spawnSync(cmd, argv, { cwd: root, env, encoding: 'utf8', maxBuffer: 1 << 26 });
  if (r.status !== 0) {
    process.stderr.write((r.stdout ?? '') + (r.stderr ?? ''));
    throw new Error(`${cmd} ${argv.join(' ')} failed (${r.error ?? 'exit ' + r.status})`);
  }
  return r.stdout;
}
const lastJson = (out) => JSON.parse(out.trim().split('\n').at(-1));

if (build) {
  run('scripts/setup.sh', ['--no-browser']);
  console.error('building the native and wasm (SIMD) generation benchmarks ...');
  run('scripts/build-native.sh', []);
  if (!existsSync(join(wasmDir, 'CMakeCache.txt'))) run('emcmake', ['cmake', '-S', '.', '-B', wasmDir]);
  run('cmake', ['--build', wasmDir, '-j2', '--target', 'bench_generate_simd']);
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
console.log(JSON.stringify({
  bench: 'bench:generate',
  preset,
  results: rows.map(({ build, arch, params, prefill_tokens_per_s, decode_tokens_per_s }) =>
    ({ build, arch, params, prefill_tokens_per_s, decode_tokens_per_s })),
}));
