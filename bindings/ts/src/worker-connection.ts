// worker-connection.ts (internal): the main-thread plumbing of the Worker engine. Connection is
// the Comlink link to one worker: numbered ids, calls whose answers matter (rejected with the
// worker's error as the same sllm class, or when the worker dies) and fire-and-forget messages.
// Handle is the base of the proxies (worker-handles.ts): an id in the worker, freed by
// dispose(), the engine's dispose() or GC. pull() drives a training run or a generation stream
// one answer at a time and forwards an AbortSignal's abort to the worker.

import { wrap, type Remote } from 'comlink';
import { disposeSymbol } from './disposable.js';
import {
  AbortError,
  SllmDisposedError,
  SllmError,
  SllmInvalidArgumentError,
  errorFromName,
  throwIfAborted,
} from './errors.js';
import type { WorkerHostApi } from './worker-protocol.js';
import { SllmRequestError } from './chat/errors.js';

/** What createWorkerEngine needs of a Worker (a DOM `Worker` is one; spelled out so these types need no DOM library). */
export interface WorkerLike {
  postMessage(message: unknown, transfer: ArrayBuffer[] | unknown[]): void;
  addEventListener(type: 'message' | 'error', listener: (event: { data?: unknown; message?: string }) => void): void;
  removeEventListener(type: 'message' | 'error', listener: (event: { data?: unknown; message?: string }) => void): void;
  terminate(): void;
}

/** The worker's error (Comlink keeps name and message) as the same class on this side. */
function revive(e: unknown): unknown {
  if (!(e instanceof Error) || e instanceof SllmError || e instanceof AbortError || e instanceof SllmRequestError) return e;
  if (e.name === 'SllmRequestError') return SllmRequestError.decode(e.message) ?? e;
  if (e.name === 'DataCloneError')
    return new SllmInvalidArgumentError(
      `an argument cannot be sent to the sllm worker (${e.message}); pass plain data: strings, numbers, arrays, ` +
        'typed arrays and objects of them',
      { cause: e },
    );
  const out = errorFromName(e.name, e.message);
  if (!out) return e;
  if (e.stack) out.stack = `${out.stack}\n--- in the sllm worker:\n${e.stack}`;
  return out;
}

/** The Comlink connection and what every handle of one engine shares. */
export class Connection {
  readonly remote: Remote<WorkerHostApi>;
  readonly worker: WorkerLike;
  disposed = false;
  #nextId = 1;
  #fail: ((e: Error) => void) | undefined;
  readonly #failed: Promise<never>;
  readonly #registry: FinalizationRegistry<number> | undefined;

  constructor(worker: WorkerLike) {
    this.worker = worker;
    this.remote = wrap<WorkerHostApi>(worker as unknown as Worker);
    this.#failed = new Promise<never>((_, reject) => (this.#fail = reject));
    this.#failed.catch(() => {});
    this.#registry =
      typeof FinalizationRegistry === 'function' ? new FinalizationRegistry((id) => this.send((r) => r.dispose(id))) : undefined;
  }

  id(): number {
    return this.#nextId++;
  }

  check(): void {
    if (this.disposed) throw new SllmDisposedError('the sllm engine has been disposed; create a new one with createWorkerEngine()');
  }

  /** A call whose answer matters: rejects with the worker's error, or when the engine dies first. */
  async call<T>(f: (r: Remote<WorkerHostApi>) => Promise<T>): Promise<T> {
    this.check();
    try {
      return await Promise.race([f(this.remote), this.#failed]);
    } catch (e) {
      throw revive(e);
    }
  }

  /** A message without an answer (pause, abort, dispose). */
  send(f: (r: Remote<WorkerHostApi>) => Promise<unknown>): void {
    if (!this.disposed) f(this.remote).catch(() => {});
  }

  track(owner: object, id: number): void {
    this.#registry?.register(owner, id, owner);
  }

  untrack(owner: object): void {
    this.#registry?.unregister(owner);
  }

  /** Ends every pending and future call with error. */
  fail(error: Error): void {
    this.#fail?.(error);
  }

  dispose(): void {
    if (this.disposed) return;
    this.disposed = true;
    this.worker.terminate();
    this.fail(new SllmDisposedError('the sllm engine was disposed while this call was running'));
  }
}

/** Base of the handles: an id in the worker, freed by dispose(), the engine's dispose() or GC. */
export abstract class Handle {
  /** @internal */
  readonly conn: Connection;
  /** @internal */
  readonly id: number;
  readonly #what: string;
  #disposed = false;

  constructor(conn: Connection, id: number, what: string) {
    this.conn = conn;
    this.id = id;
    this.#what = what;
    conn.track(this, id);
  }

  get disposed(): boolean {
    return this.#disposed || this.conn.disposed;
  }

  /** @internal Throws SllmDisposedError after dispose(). */
  check(): void {
    this.conn.check();
    if (this.#disposed)
      throw new SllmDisposedError(
        `this ${this.#what} has been disposed and can no longer be used; dispose objects only when you are done with them`,
      );
  }

  /** @internal A call about this object. */
  async call<T>(f: (r: Remote<WorkerHostApi>) => Promise<T>): Promise<T> {
    this.check();
    return this.conn.call(f);
  }

  dispose(): void {
    if (this.#disposed) return;
    this.#disposed = true;
    this.conn.untrack(this);
    this.conn.send((r) => r.dispose(this.id));
  }

  [disposeSymbol](): void {
    this.dispose();
  }
}

/**
 * Pulls an operation (a run or a stream) until it ends. An abort of signal is forwarded to the
 * worker; the worker's AbortError becomes one whose cause is the signal's reason. Leaving the
 * loop early ends the operation in the worker.
 */
export async function* pull<T>(
  owner: Handle,
  what: string,
  signal: AbortSignal | undefined,
  start: (opId: number) => Promise<void>,
  next: (opId: number) => Promise<{ done: boolean; items: T[] }>,
  checkEachItem: boolean,
): AsyncGenerator<T, void, undefined> {
  throwIfAborted(signal, what);
  const conn = owner.conn;
  const opId = conn.id();
  await owner.call(() => start(opId));
  let finished = false;
  const onAbort = () => conn.send((r) => r.abort(opId, `${what} was aborted`));
  signal?.addEventListener('abort', onAbort);
  try {
    while (!finished) {
      throwIfAborted(signal, what);
      let answer: { done: boolean; items: T[] };
      try {
        answer = await owner.call(() => next(opId));
      } catch (e) {
        finished = true;
        if (e instanceof AbortError && signal?.aborted) throw new AbortError(e.message, { cause: signal.reason });
        throw e;
      }
      finished = answer.done;
      for (const item of answer.items) {
        yield item;
        // as the main-thread stream does after each piece (a run checks before its next step)
        if (checkEachItem) throwIfAborted(signal, what);
      }
    }
  } finally {
    signal?.removeEventListener('abort', onAbort);
    if (!finished) conn.send((r) => r.finish(opId));
  }
}
