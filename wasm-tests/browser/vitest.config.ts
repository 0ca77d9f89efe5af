// vitest.config.ts of the Chromium tests (wasm-tests/browser/), run by `npm test` after the
// Node suites: Node drives the system's Chromium through playwright-core, one test file at a
// time (each starts its own browser; the machine may have two cores).
import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    projects: [
      {
        test: {
          name: 'browser',
          root: new URL('../..', import.meta.url).pathname,
          include: ['wasm-tests/browser/**/*.test.ts'],
          environment: 'node',
          pool: 'forks',
          fileParallelism: false,
          testTimeout: 120_000,
          hookTimeout: 180_000,
        },
      },
    ],
  },
});
