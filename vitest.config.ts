// vitest.config.ts: the Node tests of the built package (dist/) and its .wasm, in wasm-tests/.
// Projects: "node" (with --expose-gc for the garbage-collection test), "web" (the demo page's
// unit tests, e.g. its story generator) and "nosimd", run in a V8 without SSE4.1, where wasm
// SIMD is unavailable, to test the fallback to the scalar build.
import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    projects: [
      {
        test: {
          name: 'node',
          include: ['wasm-tests/**/*.test.ts'],
          exclude: ['wasm-tests/nosimd.test.ts', 'wasm-tests/browser/**'],
          environment: 'node',
          pool: 'forks',
          execArgv: ['--expose-gc'],
          testTimeout: 60_000,
        },
      },
      {
        test: {
          name: 'web',
          include: ['web/src/**/*.test.ts'],
          environment: 'node',
        },
      },
      {
        test: {
          name: 'nosimd',
          include: ['wasm-tests/nosimd.test.ts'],
          environment: 'node',
          pool: 'forks',
          execArgv: ['--no-enable-sse4-1'],
          testTimeout: 60_000,
        },
      },
    ],
  },
});
