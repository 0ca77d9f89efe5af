// options-schema.test.ts: the package's option tables and types (bindings/ts/src/generated/
// options.ts) and docs/options.md are what scripts/gen-options.mjs writes from the core's option
// schemas in the built module: a change to an option in C++ without regenerating fails here.
import { readFile } from 'node:fs/promises';
import { describe, expect, it } from 'vitest';
// @ts-expect-error: a plain ES module script without types
import { loadSchema, outputs } from '../scripts/gen-options.mjs';

describe('generated option files', () => {
  it('are up to date with the core (npm run gen:options)', async () => {
    const schema = await loadSchema();
    for (const [path, make] of Object.entries(outputs as Record<string, (s: unknown) => string>)) {
      const committed = await readFile(new URL(`../${path}`, import.meta.url), 'utf8');
      expect(committed, `${path} is stale: run npm run gen:options`).toBe(make(schema));
    }
    expect(schema.model.map((o: { ts: string }) => o.ts)).toContain('ropeTheta');
  });
});
