// nosimd.test.ts: run by the "nosimd" project in a V8 started with --no-enable-sse4-1, which
// turns WebAssembly SIMD off: the engine detects that and loads the scalar build.
import { expect, it } from 'vitest';
import { createEngine, simdSupported, SllmLoadError } from '../dist/index.js';
import { expectError, rawModule } from './helpers.js';

it('falls back to the scalar build where wasm SIMD is unsupported', async () => {
  expect(simdSupported()).toBe(false);
  const engine = await createEngine();
  expect(engine.backend).toBe('scalar');
  expect(rawModule(engine).buildInfo().simd).toBe(false);
  const tokenizer = await engine.createTokenizer({ type: 'char', text: 'hello' });
  expect(await tokenizer.decode(await tokenizer.encode('hello'))).toBe('hello');
  engine.dispose();
  await expectError(createEngine({ backend: 'simd' }), SllmLoadError, /does not support WebAssembly SIMD/);
});
