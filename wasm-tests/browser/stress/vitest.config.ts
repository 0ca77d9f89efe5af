// vitest.config.ts of the threaded-engine stall stress (threads-stall.stress.ts), which
// scripts/stress-firefox-threads.mjs runs: not part of `npm test`.
import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    root: new URL('../../..', import.meta.url).pathname,
    include: ['wasm-tests/browser/stress/*.stress.ts'],
    environment: 'node',
    pool: 'forks',
    fileParallelism: false,
    testTimeout: 24 * 3600_000,
    hookTimeout: 600_000,
  },
});
