// threads.ts (internal): what the threads build (sllm-simd-threads) needs around Emscripten's
// glue: whether threads can be used here, how many by default, and starting them. Emscripten
// starts a pool of pthread Web Workers with the module (their number passed as sllmPoolSize,
// see bindings/src/threads-pre.js), each loading the glue and the worker script by URL; the
// module resolves once they have loaded. The core's thread pool is then sized (setThreads) and
// we wait until its workers run. In Node, which has no Web Workers, the pthreads run in
// worker_threads behind a Web-Worker-like class (node-threads.ts). dispose stops the threads
// and terminates their Web Workers.

import { SllmInvalidArgumentError, errorFromCode } from './errors.js';
import type { ModuleFactory, SllmModule } from './glue.js';

const g = globalThis as {
  process?: { versions?: { node?: string } };
  window?: unknown;
  document?: unknown;
  navigator?: { hardwareConcurrency?: number };
  crossOriginIsolated?: boolean;
};

/** @internal True in Node (not in a browser, nor in a browser-like test environment). */
export const isNode = typeof g.process?.versions?.node === 'string' && typeof g.window === 'undefined';

/** On a page's main thread, where an engine must not block (so it keeps one thread). */
const onPageMainThread = typeof g.window === 'object' && typeof g.document === 'object';

/** Most threads an engine may be given (the core's kMaxThreads, src/core/thread_pool.h), and the default's cap. */
export const MAX_THREADS = 64;
const DEFAULT_MAX_THREADS = 8;

/** How long the pthread workers may take to load and start before loading fails (ms). */
const START_TIMEOUT_MS = 30_000;

/** @internal True where `auto` may pick the threads build: shared memory in a cross-origin isolated Worker. */
export function threadsUsable(): boolean {
  return !isNode && !onPageMainThread && typeof SharedArrayBuffer === 'function' && g.crossOriginIsolated === true;
}

async function logicalProcessors(): Promise<number> {
  const n = g.navigator?.hardwareConcurrency;
  if (typeof n === 'number' && n >= 1) return n;
  if (isNode) {
    const specifier = 'node:os';
    const os = (await import(/* @vite-ignore */ /* webpackIgnore: true */ specifier)) as {
      availableParallelism?: () => number;
      cpus(): unknown[];
    };
    return os.availableParallelism?.() ?? os.cpus().length;
  }
  return 1;
}

/** @internal Throws SllmInvalidArgumentError unless requested is undefined or an integer from 1 to MAX_THREADS. */
export function checkThreads(requested: unknown): asserts requested is number | undefined {
  if (requested !== undefined && (!Number.isInteger(requested) || (requested as number) < 1 || (requested as number) > MAX_THREADS))
    throw new SllmInvalidArgumentError(`threads must be an integer from 1 to ${MAX_THREADS}, not ${String(requested)}`);
}

/** @internal The thread count to run: the option (validated) or the default; 1 on a page's main thread. */
export async function chooseThreads(requested: unknown): Promise<number> {
  checkThreads(requested);
  if (onPageMainThread) return 1;
  return requested ?? Math.max(1, Math.min(DEFAULT_MAX_THREADS, await logicalProcessors()));
}

/** @internal What the threads build's factory is given besides the usual options. */
export interface ThreadsModuleOptions {
  mainScriptUrlOrBlob?: string;
  sllmPoolSize?: number;
  sllmWorker?: unknown;
  PThread?: { terminateAllThreads(): void };
}

const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

let creationProbe: Int32Array | undefined;

/**
 * @internal Counts this module's thread Web Worker constructors entered (probe[0]) and
 * returned (probe[1]) in shared memory, for the Worker engine's watchdog (worker-start.ts): in
 * Firefox driven by WebDriver BiDi, `new Worker()` inside a worker sometimes never returns,
 * and a worker so blocked cannot report it itself.
 */
export function countWorkerConstructors(probe: Int32Array | undefined): void {
  creationProbe = probe;
}

/** Worker, with its constructor counted in the probe (when there is one). */
function counted(Base: new (url: string | URL) => object): new (url: string | URL) => object {
  if (!creationProbe) return Base;
  const probe: Int32Array = creationProbe;
  return class extends Base {
    constructor(url: string | URL) {
      Atomics.add(probe, 0, 1);
      try {
        super(url);
      } finally {
        Atomics.add(probe, 1, 1);
      }
    }
  };
}

/**
 * @internal Instantiates the threads build with `threads` threads: Emscripten's worker pool,
 * then the core's thread pool. onFail receives a reject function the loader calls when a
 * worker reports an error (the module would otherwise wait forever).
 */
export async function startThreads(
  factory: ModuleFactory,
  args: ThreadsModuleOptions & Record<string, unknown>,
  glue: URL,
  threads: number,
  onFail: (reject: (e: Error) => void) => void,
): Promise<SllmModule> {
  args.mainScriptUrlOrBlob = glue.href;
  args.sllmPoolSize = threads - 1;
  if (isNode) {
    const specifier = new URL('./node-threads.js', import.meta.url).href;
    args.sllmWorker = ((await import(/* @vite-ignore */ /* webpackIgnore: true */ specifier)) as { NodeWebWorker: unknown }).NodeWebWorker;
  } else if (typeof Worker === 'function') {
    // Module workers (Emscripten starts classic ones): the worker script imports the glue, and
    // a dev server (Vite's) may add import statements to a script it serves, which only a
    // module may hold.
    const Base = Worker;
    args.sllmWorker = class extends Base {
      constructor(url: string | URL) {
        super(url, { type: 'module' });
      }
    };
  }
  if (args.sllmWorker) args.sllmWorker = counted(args.sllmWorker as new (url: string | URL) => object);
  let timer: ReturnType<typeof setTimeout> | undefined;
  const failure = new Promise<never>((_, reject) => {
    onFail(reject);
    timer = setTimeout(() => reject(new Error(`its ${threads - 1} worker threads did not load within ${START_TIMEOUT_MS / 1000} s`)), START_TIMEOUT_MS);
  });
  failure.catch(() => {});  // a worker failing after a successful start is not an unhandled rejection
  try {
    const module = await Promise.race([factory(args), failure]);
    const n = module.setThreads(threads);
    const pending = module.sllmPendingError;
    if (pending) {
      module.sllmPendingError = undefined;
      throw errorFromCode(pending.code, pending.message);
    }
    while (module.startedWorkers() < n - 1) await Promise.race([sleep(1), failure]);
    return module;
  } catch (e) {
    args.PThread?.terminateAllThreads();
    throw e;
  } finally {
    clearTimeout(timer);
  }
}

/** @internal Stops a threads module's threads and terminates its Web Workers (on dispose). */
export function stopThreads(module: SllmModule): void {
  const m = module as SllmModule & ThreadsModuleOptions;
  if (!m.PThread) return;
  m.setThreads(1);
  m.PThread.terminateAllThreads();
}
