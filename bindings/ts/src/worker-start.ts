// worker-start.ts (internal): starting the Worker engine's worker and noticing when it stalls.
// The worker answers its init message once its engine has loaded. In Firefox, while a WebDriver
// BiDi session drives the browser (puppeteer, the browser tests), about 1 in 100 threaded starts
// never answer: the worker's `new Worker()` for a pthread Web Worker never returns (measured
// with scripts/stress-firefox-threads.mjs; never seen without a BiDi session nor in Chromium).
// The stuck worker's event loop is blocked, so it cannot report anything: it counts thread
// Web Worker constructors entered and returned in shared memory (threads.ts) and a watchdog
// here reads them. A worker of ours stuck in a constructor for THREAD_WORKER_TIMEOUT_MS, or
// silent for FIRST_INIT_TIMEOUT_MS, is terminated and a fresh one started.

import { SllmInternalError, SllmLoadError } from './errors.js';
import { Connection, type WorkerLike } from './worker-connection.js';
import type { WorkerInit, WorkerStarted } from './worker-protocol.js';

/** How long our own worker may take to load its build and start before a fresh one is tried (ms). */
const FIRST_INIT_TIMEOUT_MS = 40_000;
/** How long the last worker tried may take to load its build and start (ms). */
const INIT_TIMEOUT_MS = 90_000;
/** How long creating one thread Web Worker may block the worker before it counts as stalled (ms; it takes milliseconds). */
const THREAD_WORKER_TIMEOUT_MS = 10_000;
/** How often the watchdog reads the worker's constructor counts (ms). */
const WATCH_MS = 250;
/** Most workers of ours started for one engine (stalls in a thread worker constructor; a silent worker: 2). */
const MAX_WORKERS = 3;

/**
 * @internal Undocumented hooks of createWorkerEngine for tests and the stall stress script
 * (scripts/stress-firefox-threads.mjs), under the key WORKER_ENGINE_HOOKS
 * (`Symbol.for('sllm.workerEngineHooks')`) of its options: the timeouts (ms), the function
 * that starts our own worker, and a callback for each stalled worker (replaced or not).
 */
export interface WorkerEngineHooks {
  firstInitTimeoutMs?: number;
  initTimeoutMs?: number;
  threadWorkerTimeoutMs?: number;
  startWorker?: () => WorkerLike;
  onStall?: (stage: StallStage) => void;
}

/** @internal The options key of {@link WorkerEngineHooks}. */
export const WORKER_ENGINE_HOOKS: unique symbol = Symbol.for('sllm.workerEngineHooks');

/** Where a worker stalled: in a thread Web Worker's constructor, or somewhere before answering init. */
export type StallStage = 'thread-worker' | 'init';

/** The init of a worker that did not answer in time. */
class WorkerStall extends SllmLoadError {
  constructor(
    message: string,
    readonly stage: StallStage,
  ) {
    super(message);
  }
}

/** Shared counters the worker's thread Web Worker constructors update ([entered, returned]), where shared memory can be sent. */
function newProbe(): Int32Array | undefined {
  const g = globalThis as { crossOriginIsolated?: boolean };
  if (typeof SharedArrayBuffer !== 'function' || g.crossOriginIsolated === false) return undefined;
  return new Int32Array(new SharedArrayBuffer(8));
}

/**
 * Rejects with a WorkerStall when probe shows a constructor entered and not returned through
 * polls spanning timeoutMs (counted in polls, so a page too busy to poll is not mistaken for a
 * stuck worker). The returned function stops watching.
 */
function watchConstructors(probe: Int32Array, timeoutMs: number, reject: (e: WorkerStall) => void): () => void {
  let stuckPolls = 0;
  let entered = -1;
  const polls = Math.max(2, Math.ceil(timeoutMs / WATCH_MS));
  const timer = setInterval(() => {
    const now = Atomics.load(probe, 0);
    stuckPolls = now > Atomics.load(probe, 1) && now === entered ? stuckPolls + 1 : 0;
    entered = now;
    if (stuckPolls >= polls)
      reject(
        new WorkerStall(
          `the sllm worker stalled starting a thread Web Worker (it has not returned in ${timeoutMs / 1000} s); ` +
            "create a new engine (or pass backend: 'simd')",
          'thread-worker',
        ),
      );
  }, WATCH_MS);
  return () => clearInterval(timer);
}

/** Sends init to the worker of conn; rejects with a WorkerStall when it stalls, with SllmLoadError when it fails. */
async function initWorker(conn: Connection, init: WorkerInit, timeoutMs: number, threadWorkerTimeoutMs: number): Promise<WorkerStarted> {
  let started = false;
  conn.worker.addEventListener('error', (event) => {
    const detail = event.message || 'no details';
    conn.fail(
      started
        ? new SllmInternalError(`the sllm worker failed (${detail}); dispose this engine and create a new one`)
        : new SllmLoadError(`the sllm worker could not start (${detail}); check that the package's worker.js and its imports are served`),
    );
  });
  const probe = newProbe();
  let timer: ReturnType<typeof setTimeout> | undefined;
  let unwatch = () => {};
  const stalled = new Promise<never>((_, reject) => {
    timer = setTimeout(
      () => reject(new WorkerStall(`the sllm worker did not start within ${timeoutMs / 1000} s; create a new engine (or pass backend: 'simd')`, 'init')),
      timeoutMs,
    );
    if (probe) unwatch = watchConstructors(probe, threadWorkerTimeoutMs, reject);
  });
  try {
    const answer = await Promise.race([conn.call((r) => r.init(probe ? { ...init, probe } : init)), stalled]);
    started = true;
    return answer;
  } finally {
    clearTimeout(timer);
    unwatch();
  }
}

/**
 * @internal Starts the engine in `worker` (the caller's: no second chance), or in workers of
 * ours (hooks.startWorker, else start) until one answers: a worker stuck in a thread Web Worker
 * constructor is replaced (at most MAX_WORKERS in all), a silent one once. make builds the
 * engine on the connection of the worker that answered; a stalled worker is terminated.
 */
export async function startWorkerEngine<E>(
  init: WorkerInit,
  worker: WorkerLike | undefined,
  start: () => WorkerLike,
  hooks: WorkerEngineHooks,
  make: (conn: Connection, started: WorkerStarted) => E,
): Promise<E> {
  const initTimeout = hooks.initTimeoutMs ?? INIT_TIMEOUT_MS;
  const threadWorkerTimeout = hooks.threadWorkerTimeoutMs ?? THREAD_WORKER_TIMEOUT_MS;
  for (let n = 1, last = worker !== undefined; ; n++) {
    const conn = new Connection(worker ?? (hooks.startWorker ?? start)());
    try {
      const started = await initWorker(conn, init, last ? initTimeout : (hooks.firstInitTimeoutMs ?? FIRST_INIT_TIMEOUT_MS), threadWorkerTimeout);
      return make(conn, started);
    } catch (e) {
      conn.dispose();  // terminates the worker
      if (!(e instanceof WorkerStall)) throw e;
      hooks.onStall?.(e.stage);
      if (last) throw e;
      // a silent worker: one more (as patient as possible); a stuck constructor: up to MAX_WORKERS
      last = e.stage === 'init' || n + 1 >= MAX_WORKERS;
    }
  }
}
