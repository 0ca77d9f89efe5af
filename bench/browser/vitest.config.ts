// vitest.config.ts of the browser generation benchmark (bench/browser/generate.bench.ts), which
// scripts/bench-generate-browser.mjs runs: one long "test" that drives Chromium through the
// browser tests' harness (wasm-tests/browser/harness.ts) and writes its figures to a JSON file.
import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    root: new URL('../..', import.meta.url).pathname,
    include: ['bench/browser/*.bench.ts'],
    environment: 'node',
    pool: 'forks',
    fileParallelism: false,
    testTimeout: 4 * 3600_000,
    hookTimeout: 600_000,
  },
});
