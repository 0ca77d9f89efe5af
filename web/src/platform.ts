// platform.ts: where the page gets its engine and its model store, both from the package:
// createWorkerEngine() (the Engine interface, running in a module Web Worker, so training and
// generation never block the page) and openModelStore() (IndexedDB). Every other module
// imports them from here; `createEngine` in place of `createWorkerEngine` would run the same
// page on the main thread.

import { createWorkerEngine, type Engine } from 'sllm';

export { openModelStore, type ModelStore, type SavedModelInfo } from 'sllm';

/**
 * The engine the page trains and generates with; `?backend=scalar` (or `simd`, `simd-threads`)
 * in the URL forces a build and `?threads=2` a thread count.
 */
export function createAppEngine(): Promise<Engine> {
  const params = new URLSearchParams(location.search);
  const backend = params.get('backend');
  const threads = params.get('threads');
  return createWorkerEngine({
    ...(backend === 'scalar' || backend === 'simd' || backend === 'simd-threads' ? { backend } : {}),
    ...(threads ? { threads: Number(threads) } : {}),
  });
}
