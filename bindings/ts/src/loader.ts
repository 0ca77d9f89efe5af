// loader.ts (internal): picks and instantiates a WebAssembly build. The .wasm files are found
// next to this file with `new URL('./wasm/...', import.meta.url)`, a pattern Vite, webpack and
// plain ES modules all resolve (bundlers copy the files); EngineOptions can point elsewhere.
// In Node the bytes are read with node:fs (imported dynamically, hidden from bundlers) and
// handed to the Emscripten glue as `wasmBinary`.

import { SllmInvalidArgumentError, SllmLoadError } from './errors.js';
import type { ModuleFactory, SllmModule } from './glue.js';
import type { Backend, EngineOptions } from './types.js';

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

const g = globalThis as { process?: { versions?: { node?: string } }; window?: unknown };
const isNode = typeof g.process?.versions?.node === 'string' && typeof g.window === 'undefined';

const wasmFile = (b: Backend) => (b === 'simd' ? 'sllm-simd.wasm' : 'sllm.wasm');

// Literal specifiers in import() and new URL(), so bundlers see and emit each file.
async function importFactory(backend: Backend): Promise<ModuleFactory> {
  const mod = backend === 'simd' ? await import('./wasm/sllm-simd.mjs') : await import('./wasm/sllm.mjs');
  return mod.default;
}

function defaultWasmUrl(backend: Backend): URL {
  return backend === 'simd'
    ? new URL('./wasm/sllm-simd.wasm', import.meta.url)
    : new URL('./wasm/sllm.wasm', import.meta.url);
}

function wasmUrl(backend: Backend, options: EngineOptions): URL {
  const file = wasmFile(backend);
  if (options.locateWasm) return new URL(String(options.locateWasm(file)), baseHref());
  if (options.wasmBaseUrl !== undefined) {
    let base = String(options.wasmBaseUrl);
    if (!base.endsWith('/')) base += '/';
    return new URL(file, new URL(base, baseHref()));
  }
  return defaultWasmUrl(backend);
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

async function instantiate(backend: Backend, options: EngineOptions): Promise<SllmModule> {
  const factory = await importFactory(backend);
  const url = wasmUrl(backend, options);
  let lastError = '';
  const common = {
    print: (s: string) => console.log(s),
    printErr: (s: string) => {
      lastError = s;
    },
  };
  try {
    if (isNode) return await factory({ ...common, wasmBinary: await readBytes(url) });
    return await factory({ ...common, locateFile: (path) => (path.endsWith('.wasm') ? url.href : path) });
  } catch (e) {
    const why = e instanceof Error ? e.message : String(e);
    throw new Error(`${url.href}: ${why}${lastError && !why.includes(lastError) ? ` (${lastError})` : ''}`, {
      cause: e,
    });
  }
}

/** @internal Loads the requested build; in auto mode SIMD when supported, else (or on failure) scalar. */
export async function loadModule(options: EngineOptions): Promise<{ module: SllmModule; backend: Backend }> {
  const want = options.backend ?? 'auto';
  if (want !== 'auto' && want !== 'simd' && want !== 'scalar')
    throw new SllmInvalidArgumentError(`unknown backend "${String(want)}"; use "auto", "simd" or "scalar"`);
  const order: Backend[] = want === 'auto' ? (simdSupported() ? ['simd', 'scalar'] : ['scalar']) : [want];
  const failures: string[] = [];
  for (const backend of order) {
    try {
      return { module: await instantiate(backend, options), backend };
    } catch (e) {
      failures.push(`${backend} build: ${e instanceof Error ? e.message : String(e)}`);
    }
  }
  const hint =
    want === 'simd' && !simdSupported()
      ? '; this JavaScript engine does not support WebAssembly SIMD: use backend "scalar" or "auto"'
      : '; check that the .wasm files are served (see the wasmBaseUrl option)';
  throw new SllmLoadError(`could not load the sllm WebAssembly module: ${failures.join('; ')}${hint}`);
}
