// metadata.ts (internal): checks the string metadata a caller attaches to a saved file, in
// model.save(), trainer.saveCheckpoint() and ModelStore.save(). Needs nothing of the engine, so
// the model store (sllm/store) can use it without the WebAssembly module.

import { SllmInvalidArgumentError } from './errors.js';

/** @internal metadata when it is undefined or an object of strings, else SllmInvalidArgumentError naming `what`. */
export function checkMetadata(metadata: unknown, what: string): Record<string, string> | undefined {
  if (metadata === undefined) return undefined;
  if (typeof metadata !== 'object' || metadata === null || Array.isArray(metadata))
    throw new SllmInvalidArgumentError(`${what} metadata must be an object of strings`);
  for (const [k, v] of Object.entries(metadata))
    if (typeof v !== 'string') throw new SllmInvalidArgumentError(`metadata "${k}" must be a string`);
  return metadata as Record<string, string>;
}
