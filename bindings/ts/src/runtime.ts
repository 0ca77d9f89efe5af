// runtime.ts (internal): one instantiated WebAssembly module and the JavaScript objects that
// own its C++ handles. invoke() runs a binding and throws the C++ error it recorded (the
// pending-error pattern, see bindings/src/boundary.h); Resource is the base of every object
// backed by wasm memory: dispose() frees it, a FinalizationRegistry frees what users forget,
// and use after dispose throws SllmDisposedError.

import { disposeSymbol } from './disposable.js';
import { SllmDisposedError, SllmInternalError, SllmInvalidArgumentError, errorFromCode } from './errors.js';
import type { EmbindHandle, SllmModule } from './glue.js';
import { stopThreads } from './threads.js';
import type { Backend, SllmResource } from './types.js';

/** A handle slot: null once freed. Shared by the owner and the finalizer. */
interface Cell {
  handle: EmbindHandle | null;
}

function translateThrown(e: unknown): unknown {
  if (typeof WebAssembly === 'object' && e instanceof WebAssembly.RuntimeError)
    return new SllmInternalError(
      `the WebAssembly module failed (${e.message}); this is a bug in sllm. The engine may be unusable: ` +
        'dispose it and create a new one',
      { cause: e },
    );
  // a C++ exception that escaped guard() (a bug in the bindings)
  const WasmException = typeof WebAssembly === 'object' ? (WebAssembly as { Exception?: Function }).Exception : undefined;
  if (WasmException && e instanceof WasmException)
    return new SllmInternalError('an unexpected C++ exception reached JavaScript; this is a bug in sllm', { cause: e });
  // embind's own argument checks (wrong type, deleted handle)
  if (e instanceof Error && e.name === 'BindingError')
    return new SllmInvalidArgumentError(e.message, { cause: e });
  return e;
}

export class Runtime {
  readonly module: SllmModule;
  readonly backend: Backend;
  readonly threads: number;
  #disposed = false;
  readonly #live = new Set<Cell>();
  readonly #registry: FinalizationRegistry<Cell> | undefined;

  constructor(module: SllmModule, backend: Backend, threads = 1) {
    this.module = module;
    this.backend = backend;
    this.threads = threads;
    this.#registry =
      typeof FinalizationRegistry === 'function' ? new FinalizationRegistry((cell) => this.#free(cell)) : undefined;
  }

  get disposed(): boolean {
    return this.#disposed;
  }

  /** Throws SllmDisposedError once the engine is disposed. */
  check(): void {
    if (this.#disposed)
      throw new SllmDisposedError('the sllm engine has been disposed; create a new one with createEngine()');
  }

  /** Runs a binding; throws the error it recorded, as the matching SllmError subclass. */
  invoke<T>(call: (m: SllmModule) => T): T {
    this.check();
    const m = this.module;
    let result: T;
    try {
      result = call(m);
    } catch (e) {
      m.sllmPendingError = undefined;
      throw translateThrown(e);
    }
    const pending = m.sllmPendingError;
    if (pending !== undefined) {
      m.sllmPendingError = undefined;
      const r = result as { delete?: () => void } | null | undefined;
      if (r && typeof r.delete === 'function') r.delete();
      throw errorFromCode(pending.code, pending.message);
    }
    return result;
  }

  /** Like invoke() for bindings that return a new handle (null on error). */
  create<H extends EmbindHandle>(call: (m: SllmModule) => H | null): H {
    const h = this.invoke(call);
    if (!h) throw new SllmInternalError('a binding returned no object and no error');
    return h;
  }

  /** Starts owning handle on behalf of owner: freed by release(), the engine's dispose() or GC of owner. */
  track(owner: object, handle: EmbindHandle): Cell {
    const cell: Cell = { handle };
    this.#live.add(cell);
    this.#registry?.register(owner, cell, cell);
    return cell;
  }

  release(cell: Cell): void {
    this.#registry?.unregister(cell);
    this.#free(cell);
  }

  /** Number of handles alive (for tests and diagnostics). */
  get liveHandles(): number {
    return this.#live.size;
  }

  #free(cell: Cell): void {
    const h = cell.handle;
    cell.handle = null;
    this.#live.delete(cell);
    if (h && !h.isDeleted()) h.delete();
  }

  dispose(): void {
    if (this.#disposed) return;
    for (const cell of [...this.#live]) this.release(cell);
    this.#disposed = true;
    // The threads build: join the worker threads and terminate their Web Workers.
    if (this.backend === 'simd-threads') stopThreads(this.module);
  }
}

/** Base of every object backed by wasm memory. */
export abstract class Resource<H extends EmbindHandle> implements SllmResource {
  readonly #cell: Cell;
  readonly #what: string;
  /** @internal */
  protected readonly rt: Runtime;

  protected constructor(rt: Runtime, handle: H, what: string) {
    this.rt = rt;
    this.#what = what;
    this.#cell = rt.track(this, handle);
  }

  /** The live handle; throws SllmDisposedError after dispose(). */
  protected get handle(): H {
    this.rt.check();
    if (this.#cell.handle === null)
      throw new SllmDisposedError(
        `this ${this.#what} has been disposed and can no longer be used; dispose objects only when you are done with them`,
      );
    return this.#cell.handle as H;
  }

  get disposed(): boolean {
    return this.#cell.handle === null || this.rt.disposed;
  }

  /** @internal True when this object was made by the engine of rt. */
  belongsTo(rt: Runtime): boolean {
    return this.rt === rt;
  }

  dispose(): void {
    this.rt.release(this.#cell);
  }

  [disposeSymbol](): void {
    this.dispose();
  }
}
