// loader.ts (internal): picks and instantiates a WebAssembly build. The build files are found
// next to this file with `new URL('./wasm/...', import.meta.url)`, a pattern Vite, webpack and
// plain ES modules all resolve (bundlers copy the files); EngineOptions can point elsewhere.
// In Node the bytes are read with node:fs (imported dynamically, hidden from bundlers) and
// handed to the Emscripten glue as `wasmBinary`. The threads build is loaded by URL (its
// pthread workers load the same glue and its worker script by URL) and then started with the
// requested number of threads (threads.ts).

import { SllmInvalidArgumentError, SllmLoadError } from './errors.js';
import type { ModuleFactory, SllmModule } from './glue.js';
import { chooseThreads, isNode, startThreads, threadsUsable, type ThreadsModuleOptions } from './threads.js';
import type { Backend, EngineOptions, WasmFile } from './types.js';

/** A minimal module using one wasm SIMD instruction: `(func (result v128) i32.const 0 i8x16.splat i8x16.popcnt)`. */
const SIMD_PROBE = new Uint8Array([
  0, 97, 115, 109, 1, 0, 0, 0, 1, 5, 1, 96, 0, 1, 123, 3, 2, 1, 0, 10, 10, 1, 8, 0, 65, 0, 253, 15, 253, 98, 11,
]);

/** True when this JavaScript engine supports WebAssembly SIMD (so the SIMD build can run). */
export function simdSupported(): boolean {
  try {
    return typeof WebAssembly === 'object' && WebAssembly.validate(SIMD_PROBE);
  } catch {
    return false;
  }
}

export const BACKENDS: readonly Backend[] = ['simd-threads', 'simd', 'scalar'];

/** @internal Throws SllmInvalidArgumentError unless want is 'auto' or a backend. */
export function checkBackend(want: unknown): asserts want is Backend | 'auto' {
  if (want !== 'auto' && !BACKENDS.includes(want as Backend))
    throw new SllmInvalidArgumentError(`unknown backend "${String(want)}"; use "auto", "simd-threads", "simd" or "scalar"`);
}

const wasmFile = (b: Backend): WasmFile =>
  b === 'simd-threads' ? 'sllm-simd-threads.wasm' : b === 'simd' ? 'sllm-simd.wasm' : 'sllm.wasm';

// Literal specifiers in import() and new URL(), so bundlers see and emit each file.
async function importFactory(backend: 'simd' | 'scalar'): Promise<ModuleFactory> {
  const mod = backend === 'simd' ? await import('./wasm/sllm-simd.mjs') : await import('./wasm/sllm.mjs');
  return mod.default;
}

function defaultUrl(file: WasmFile): URL {
  switch (file) {
    case 'sllm-simd.wasm':
      return new URL('./wasm/sllm-simd.wasm', import.meta.url);
    case 'sllm.wasm':
      return new URL('./wasm/sllm.wasm', import.meta.url);
    case 'sllm-simd-threads.wasm':
      return new URL('./wasm/sllm-simd-threads.wasm', import.meta.url);
    case 'sllm-simd-threads.mjs':
      return new URL('./wasm/sllm-simd-threads.mjs', import.meta.url);
    case 'sllm-simd-threads.worker.js':
      // ?no-inline: Vite would otherwise inline this small file as a data: URL, from which a
      // worker cannot load the glue.
      return new URL('./wasm/sllm-simd-threads.worker.js?no-inline', import.meta.url);
  }
}

function fileUrl(file: WasmFile, options: EngineOptions): URL {
  if (options.locateWasm) return new URL(String(options.locateWasm(file)), baseHref());
  if (options.wasmBaseUrl !== undefined) {
    let base = String(options.wasmBaseUrl);
    if (!base.endsWith('/')) base += '/';
    return new URL(file, new URL(base, baseHref()));
  }
  return defaultUrl(file);
}

function baseHref(): string {
  const loc = (globalThis as { location?: { href?: string } }).location;
  return loc?.href ?? import.meta.url;
}

async function readBytes(url: URL): Promise<Uint8Array> {
  if (url.protocol === 'file:') {
    const specifier = 'node:fs/promises';
    const fs = (await import(/* @vite-ignore */ /* webpackIgnore: true */ specifier)) as {
      readFile(u: URL): Promise<Uint8Array>;
    };
    return fs.readFile(url);
  }
  const res = await fetch(url);
  if (!res.ok) throw new Error(`fetching ${url.href} failed: HTTP ${res.status}`);
  return new Uint8Array(await res.arrayBuffer());
}

async function instantiate(backend: Backend, options: EngineOptions, threads: number): Promise<SllmModule> {
  const url = fileUrl(wasmFile(backend), options);
  let lastError = '';
  let failed: ((e: Error) => void) | undefined;
  const common = {
    print: (s: string) => console.log(s),
    printErr: (s: string) => {
      lastError = s;
      // A pthread Web Worker that failed to load (blocked, missing): the module would wait forever.
      if (/worker sent an error|Pthread .* sent an error/.test(s)) failed?.(new Error(s));
    },
    locateFile: (path: string) => (path.endsWith('.wasm') ? url.href : path),
  };
  const args: ThreadsModuleOptions & Record<string, unknown> = { ...common };
  try {
    if (isNode) args.wasmBinary = await readBytes(url);
    if (backend !== 'simd-threads') return await (await importFactory(backend))(args);
    const glue = fileUrl('sllm-simd-threads.mjs', options);
    const worker = fileUrl('sllm-simd-threads.worker.js', options);
    args.locateFile = (path: string) => (path.endsWith('.wasm') ? url.href : path.endsWith('.worker.js') ? worker.href : path);
    const factory = ((await import(/* @vite-ignore */ /* webpackIgnore: true */ glue.href)) as { default: ModuleFactory }).default;
    return await startThreads(factory, args, glue, threads, (reject) => (failed = reject));
  } catch (e) {
    const why = e instanceof Error ? e.message : String(e);
    throw new Error(`${url.href}: ${why}${lastError && !why.includes(lastError) ? ` (${lastError})` : ''}`, {
      cause: e,
    });
  }
}

/**
 * @internal Loads the requested build with the thread count it runs: in auto mode the threads
 * build when threads can be used (and more than one is wanted), else SIMD when supported, else
 * scalar, each falling back to the next on failure.
 */
export async function loadModule(
  options: EngineOptions,
): Promise<{ module: SllmModule; backend: Backend; threads: number }> {
  const want = options.backend ?? 'auto';
  checkBackend(want);
  const threads = await chooseThreads(options.threads);
  const simd = simdSupported();
  const order: Backend[] =
    want !== 'auto'
      ? [want]
      : [...(simd && threads > 1 && threadsUsable() ? (['simd-threads'] as const) : []), ...(simd ? (['simd'] as const) : []), 'scalar'];
  const failures: string[] = [];
  for (const backend of order) {
    const n = backend === 'simd-threads' ? threads : 1;
    try {
      return { module: await instantiate(backend, options, n), backend, threads: n };
    } catch (e) {
      failures.push(`${backend} build: ${e instanceof Error ? e.message : String(e)}`);
    }
  }
  const hint =
    want !== 'scalar' && want !== 'auto' && !simd
      ? `; this JavaScript engine does not support WebAssembly SIMD: use backend "scalar" or "auto"`
      : want === 'simd-threads' && typeof SharedArrayBuffer !== 'function'
        ? '; shared memory (SharedArrayBuffer) is unavailable: serve the page cross-origin isolated (see docs/package.md) or use backend "auto"'
        : '; check that the build files are served (see the wasmBaseUrl option)';
  throw new SllmLoadError(`could not load the sllm WebAssembly module: ${failures.join('; ')}${hint}`);
}
