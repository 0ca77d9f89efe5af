// engine.test.ts: loading (SIMD detection, forced backends, fallback when the SIMD build does
// not compile, other wasm locations, missing files), presets and memory statistics.
import { copyFile, mkdtemp, writeFile } from 'node:fs/promises';
import { existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { describe, expect, it } from 'vitest';
import { createEngine, simdSupported, SllmInvalidArgumentError, SllmLoadError } from '../dist/index.js';
import { expectError, rawModule } from './helpers.js';

const distWasm = new URL('../dist/wasm/', import.meta.url);

describe('createEngine', () => {
  it('detects wasm SIMD in Node', () => {
    expect(simdSupported()).toBe(true);
  });

  it('the package holds the SIMD build (npm test builds all three), and loads it by default', async () => {
    expect(existsSync(new URL('sllm-simd.wasm', distWasm))).toBe(true);  // a missing build fails here, never skips
    const engine = await createEngine();
    expect(engine.backend).toBe('simd');
    expect(rawModule(engine).buildInfo().simd).toBe(engine.backend === 'simd');
    engine.dispose();
  });

  it('loads the scalar build when asked', async () => {
    const engine = await createEngine({ backend: 'scalar' });
    expect(engine.backend).toBe('scalar');
    expect(rawModule(engine).buildInfo().simd).toBe(false);
    engine.dispose();
  });

  it('loads the SIMD build when asked', async () => {
    const engine = await createEngine({ backend: 'simd' });
    expect(engine.backend).toBe('simd');
    expect(rawModule(engine).buildInfo().simd).toBe(true);
    engine.dispose();
  });

  it('falls back to the scalar build when the SIMD one fails to compile', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'sllm-wasm-'));
    await writeFile(join(dir, 'sllm-simd.wasm'), new Uint8Array([0, 97, 115, 109, 1, 0, 0, 0, 99, 99]));
    await copyFile(new URL('sllm.wasm', distWasm), join(dir, 'sllm.wasm'));
    const engine = await createEngine({ wasmBaseUrl: pathToFileURL(dir + '/') });
    expect(engine.backend).toBe('scalar');
    engine.dispose();
    await expectError(createEngine({ backend: 'simd', wasmBaseUrl: pathToFileURL(dir) }), SllmLoadError, /simd/);
  });

  it('finds the wasm files through locateWasm', async () => {
    const seen: string[] = [];
    const engine = await createEngine({
      backend: 'scalar',
      locateWasm: (file) => {
        seen.push(file);
        return new URL(file, distWasm);
      },
    });
    expect(seen).toEqual(['sllm.wasm']);
    engine.dispose();
  });

  it('rejects with SllmLoadError when the files are missing', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'sllm-empty-'));
    const e = await expectError(createEngine({ wasmBaseUrl: pathToFileURL(dir + '/') }), SllmLoadError, /sllm\.wasm/);
    expect(e.message).toMatch(/wasmBaseUrl/);
  });

  it('rejects an unknown backend', async () => {
    await expectError(createEngine({ backend: 'gpu' as 'simd' }), SllmInvalidArgumentError, /backend/);
  });
});

describe('engine', () => {
  it('lists the presets with their training defaults', async () => {
    const engine = await createEngine({ backend: 'scalar' });
    const presets = await engine.listPresets();
    expect(presets.map((p) => p.name).sort()).toEqual(['llama-small', 'llama-tiny', 'medium', 'small', 'tiny']);
    const tiny = presets.find((p) => p.name === 'tiny')!;
    expect(tiny.description).toMatch(/2 layers/);
    expect(tiny.model).toMatchObject({ arch: 'gpt', dim: 64, layers: 2, heads: 2, contextLength: 64 });
    expect(tiny.training).toMatchObject({ batchSize: 16, sequenceLength: 64, maxSteps: 1500 });
    const llama = presets.find((p) => p.name === 'llama-small')!;
    expect(llama.model).toMatchObject({ arch: 'llama', dim: 128, heads: 4, kvHeads: 2, ffnDim: 352, ropeTheta: 10000 });
    engine.dispose();
  });

  it('reports memory statistics', async () => {
    const engine = await createEngine({ backend: 'scalar' });
    const s = await engine.memoryStats();
    expect(s.heapBytesInUse).toBeGreaterThan(0);
    expect(s.heapBytesReserved).toBeGreaterThanOrEqual(s.heapBytesInUse);
    expect(s.wasmMemoryBytes % 65536).toBe(0);
    expect(s.wasmMemoryBytes).toBeGreaterThanOrEqual(s.heapBytesReserved);
    engine.dispose();
  });
});
