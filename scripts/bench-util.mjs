// bench-util.mjs: what the Node benchmark drivers (bench-train.mjs, bench-generate-big.mjs)
// share: running a build step or benchmark from the repository root and reading its last line.
import { spawnSync } from 'node:child_process';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

export const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
// emcc's optimizer needs Debian's Node modules; Node >= 18 has a global fetch() that Emscripten
// 3.1.6's loader would use to read the .wasm by path, so wasm benchmarks run with
// --no-experimental-fetch.
export const env = { ...process.env, NODE_PATH: '/usr/share/nodejs' };

// Runs cmd in the repository root; its stderr is shown unless quiet; throws on failure.
export function run(cmd, argv, { quiet = false } = {}) {
  const r = spawnSync(cmd, argv, { cwd: root, env, encoding: 'utf8', maxBuffer: 1 << 26 });
  if (r.status !== 0) {
    process.stderr.write(r.stdout ?? '');
    process.stderr.write(r.stderr ?? '');
    throw new Error(`${cmd} ${argv.join(' ')} failed (${r.error ?? 'exit ' + r.status})`);
  }
  if (!quiet) process.stderr.write(r.stderr ?? '');
  return r.stdout;
}

// The JSON object a benchmark prints as its last line.
export const lastJson = (out) => JSON.parse(out.trim().split('\n').at(-1));

// The value after flag `name` in argv (process.argv.slice(2)), or dflt.
export function option(argv, name, dflt) {
  const i = argv.indexOf(name);
  return i >= 0 && i + 1 < argv.length ? argv[i + 1] : dflt;
}
