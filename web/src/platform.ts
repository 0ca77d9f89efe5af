// platform.ts: where the page gets its engine and its model store. Every other module imports
// them from here, so moving between engines is a change to this file only.
//
// STAND-IN until the package has createWorkerEngine(): the engine is the main-thread
// createEngine(). The store is the package's IndexedDB openModelStore().

import { createEngine, type Engine } from 'sllm';

export { openModelStore, type ModelStore, type SavedModelInfo } from 'sllm';

/** The engine the page trains and generates with. */
export function createAppEngine(): Promise<Engine> {
  return createEngine();
}
