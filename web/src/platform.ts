// platform.ts: where the page gets its engine and its model store, both from the package:
// createWorkerEngine() (the Engine interface, running in a module Web Worker, so training and
// generation never block the page) and openModelStore() (IndexedDB). Every other module
// imports them from here; `createEngine` in place of `createWorkerEngine` would run the same
// page on the main thread.

import { createWorkerEngine, type Engine } from 'sllm';

export { openModelStore, type ModelStore, type SavedModelInfo } from 'sllm';

/** The engine the page trains and generates with; `?backend=scalar` (or `simd`) in the URL forces a build. */
export function createAppEngine(): Promise<Engine> {
  const backend = new URLSearchParams(location.search).get('backend');
  return createWorkerEngine(backend === 'scalar' || backend === 'simd' ? { backend } : {});
}
