// worker-engine.ts: createWorkerEngine(), the Engine interface backed by a module Worker that
// runs the main-thread engine (worker-host.ts), so training and generation never block the
// page. Calls go through Comlink; objects here are thin handles (an id and the object's
// immutable facts). Iterators are pulled: each next() of trainer.run() asks the worker for one
// step, each next() of model.stream() for one time slice of pieces. An AbortSignal's abort is
// forwarded as a message; pause(), resume() and stop() too (the worker reads its messages
// between steps). Bytes come back as transferred buffers; loadModel({ transfer: true }) sends
// them without a copy.

import { transfer, wrap, type Remote } from 'comlink';
import { disposeSymbol } from './disposable.js';
import {
  AbortError,
  SllmConfigError,
  SllmDataError,
  SllmDisposedError,
  SllmError,
  SllmFormatError,
  SllmInternalError,
  SllmInvalidArgumentError,
  SllmLoadError,
  SllmOutOfMemoryError,
  SllmTokenizerError,
  SllmTrainingError,
  throwIfAborted,
} from './errors.js';
import { simdSupported } from './loader.js';
import {
  ownsBuffer,
  type ModelFacts,
  type TokenizerFacts,
  type TrainerFacts,
  type WasmFile,
  type WorkerHostApi,
  type WorkerInit,
} from './worker-protocol.js';
import type {
  Backend,
  CheckpointInfo,
  CheckpointSaveOptions,
  EncodeOptions,
  Engine,
  EngineOptions,
  EvalResult,
  GenerateOptions,
  LoadedModel,
  LoadModelOptions,
  MemoryStats,
  Model,
  ModelConfig,
  ModelOptions,
  PresetInfo,
  RunOptions,
  SaveOptions,
  SpecialTokenIds,
  Tokenizer,
  TokenizerJSON,
  TokenizerOptions,
  TokenizerType,
  TrainConfig,
  Trainer,
  TrainerOptions,
  TrainerState,
  TrainingData,
  TrainingProgress,
} from './types.js';

/** What createWorkerEngine needs of a Worker (a DOM `Worker` is one; spelled out so these types need no DOM library). */
export interface WorkerLike {
  postMessage(message: unknown, transfer: ArrayBuffer[] | unknown[]): void;
  addEventListener(type: 'message' | 'error', listener: (event: { data?: unknown; message?: string }) => void): void;
  removeEventListener(type: 'message' | 'error', listener: (event: { data?: unknown; message?: string }) => void): void;
  terminate(): void;
}

/** Options of {@link createWorkerEngine}. */
export interface WorkerEngineOptions extends EngineOptions {
  /**
   * A module Worker running sllm's worker entry (`sllm/worker`), for setups that must create it
   * themselves; by default one is started from the package. engine.dispose() terminates it.
   */
  worker?: WorkerLike;
}

const ERRORS: Record<string, new (message: string) => Error> = {
  SllmInvalidArgumentError,
  SllmConfigError,
  SllmTokenizerError,
  SllmDataError,
  SllmFormatError,
  SllmTrainingError,
  SllmOutOfMemoryError,
  SllmInternalError,
  SllmDisposedError,
  SllmLoadError,
  AbortError,
};

/** The worker's error (Comlink keeps name and message) as the same class on this side. */
function revive(e: unknown): unknown {
  if (!(e instanceof Error) || e instanceof SllmError || e instanceof AbortError) return e;
  if (e.name === 'DataCloneError')
    return new SllmInvalidArgumentError(
      `an argument cannot be sent to the sllm worker (${e.message}); pass plain data: strings, numbers, arrays, ` +
        'typed arrays and objects of them',
      { cause: e },
    );
  const Cls = Object.hasOwn(ERRORS, e.name) ? ERRORS[e.name] : undefined;
  if (!Cls) return e;
  const out = new Cls(e.message);
  if (e.stack) out.stack = `${out.stack}\n--- in the sllm worker:\n${e.stack}`;
  return out;
}

/** The Comlink connection and what every handle of one engine shares. */
class Connection {
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
abstract class Handle {
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

class WorkerTokenizer extends Handle implements Tokenizer {
  readonly type: TokenizerType;
  readonly vocabSize: number;
  readonly specialTokens: SpecialTokenIds;

  constructor(conn: Connection, id: number, facts: TokenizerFacts) {
    super(conn, id, 'tokenizer');
    this.type = facts.type;
    this.vocabSize = facts.vocabSize;
    this.specialTokens = Object.freeze(facts.specialTokens);
  }

  encode(text: string, options?: EncodeOptions): Promise<Int32Array> {
    return this.call((r) => r.encode(this.id, text, options));
  }

  decode(ids: ArrayLike<number>): Promise<string> {
    return this.call((r) => r.decode(this.id, ids));
  }

  idToToken(id: number): Promise<string> {
    return this.call((r) => r.idToToken(this.id, id));
  }

  tokenToId(token: string): Promise<number | undefined> {
    return this.call((r) => r.tokenToId(this.id, token));
  }

  serialize(): Promise<TokenizerJSON> {
    return this.call((r) => r.serialize(this.id));
  }
}

/**
 * Pulls an operation (a run or a stream) until it ends. An abort of signal is forwarded to the
 * worker; the worker's AbortError becomes one whose cause is the signal's reason. Leaving the
 * loop early ends the operation in the worker.
 */
async function* pull<T>(
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

class WorkerModel extends Handle implements Model {
  readonly config: Readonly<ModelConfig>;
  readonly parameterCount: number;
  readonly preset: string | undefined;
  readonly tokenizer: WorkerTokenizer;
  readonly metadata: Readonly<Record<string, string>>;
  readonly checkpoint: CheckpointInfo | undefined;

  constructor(conn: Connection, id: number, facts: ModelFacts, tokenizer: WorkerTokenizer) {
    super(conn, id, 'model');
    this.tokenizer = tokenizer;
    this.config = Object.freeze(facts.config);
    this.parameterCount = facts.parameterCount;
    this.preset = facts.preset;
    this.metadata = Object.freeze(facts.metadata);
    const cp = facts.checkpoint;
    this.checkpoint = cp && Object.freeze({ ...cp, config: Object.freeze(cp.config) });
  }

  async generate(prompt: string, options: GenerateOptions = {}): Promise<string> {
    let text = '';
    for await (const piece of this.stream(prompt, options)) text += piece;
    return text;
  }

  stream(prompt: string, options: GenerateOptions = {}): AsyncIterableIterator<string> {
    const { signal, ...rest } = options ?? {};
    return pull<string>(
      this,
      'generation',
      signal,
      (opId) => this.conn.remote.startStream(opId, this.id, prompt, rest),
      async (opId) => {
        const r = await this.conn.remote.pullStream(opId);
        return { done: r.done, items: r.pieces };
      },
      true,
    );
  }

  save(options?: SaveOptions): Promise<Uint8Array> {
    return this.call((r) => r.save(this.id, options));
  }
}

class WorkerTrainer extends Handle implements Trainer {
  readonly model: WorkerModel;
  readonly config: Readonly<TrainConfig>;
  readonly trainTokens: number;
  readonly valTokens: number;
  #done: boolean;
  #paused = false;
  #running = false;

  constructor(conn: Connection, id: number, facts: TrainerFacts, model: WorkerModel) {
    super(conn, id, 'trainer');
    this.model = model;
    this.config = Object.freeze(facts.config);
    this.trainTokens = facts.trainTokens;
    this.valTokens = facts.valTokens;
    this.#done = facts.state === 'done';
  }

  get state(): TrainerState {
    if (this.#done) return 'done';
    if (this.#paused) return 'paused';
    return this.#running ? 'running' : 'idle';
  }

  #update(state: TrainerState): void {
    this.#done = state === 'done';
  }

  pause(): void {
    this.#paused = true;
    this.conn.send((r) => r.pause(this.id));
  }

  resume(): void {
    this.#paused = false;
    this.conn.send((r) => r.resume(this.id));
  }

  stop(): void {
    if (!this.#running) return;
    this.#paused = false;
    this.conn.send((r) => r.stop(this.id));
  }

  run(options: RunOptions = {}): AsyncIterableIterator<TrainingProgress> {
    return this.#run(options);
  }

  async *#run(options: RunOptions): AsyncGenerator<TrainingProgress, void, undefined> {
    this.check();
    if (this.#running)
      throw new SllmInvalidArgumentError(
        'this trainer is already running; finish or stop() the current run() before starting another',
      );
    this.#running = true;
    try {
      yield* pull<TrainingProgress>(
        this,
        'training',
        options?.signal,
        (opId) => this.conn.remote.startRun(opId, this.id),
        async (opId) => {
          const r = await this.conn.remote.pullRun(opId);
          this.#update(r.state);
          return { done: r.done, items: r.value ? [r.value] : [] };
        },
        false,
      );
    } finally {
      this.#running = false;
    }
  }

  async step(): Promise<TrainingProgress> {
    if (this.#running)
      throw new SllmInvalidArgumentError('this trainer is inside run(); stop() it before calling step() directly');
    const { progress, state } = await this.call((r) => r.step(this.id));
    this.#update(state);
    return progress;
  }

  async evaluate(): Promise<EvalResult> {
    const { result, state } = await this.call((r) => r.evaluate(this.id));
    this.#update(state);
    return result;
  }

  saveCheckpoint(options?: CheckpointSaveOptions): Promise<Uint8Array> {
    return this.call((r) => r.saveCheckpoint(this.id, options));
  }
}

class WorkerEngine implements Engine {
  readonly #conn: Connection;
  readonly backend: Backend;

  constructor(conn: Connection, backend: Backend) {
    this.#conn = conn;
    this.backend = backend;
  }

  get disposed(): boolean {
    return this.#conn.disposed;
  }

  /** @internal The Worker, for tests. */
  get worker(): WorkerLike {
    return this.#conn.worker;
  }

  #mine<T extends Handle>(o: unknown, Cls: abstract new (...a: never[]) => T, what: string, kind: string): T {
    if (!(o instanceof Cls)) throw new SllmInvalidArgumentError(`${what} needs a ${kind} from this engine`);
    if (o.conn !== this.#conn) throw new SllmInvalidArgumentError(`${what}: the object belongs to another engine`);
    o.check();
    return o;
  }

  listPresets(): Promise<PresetInfo[]> {
    return this.#conn.call((r) => r.listPresets());
  }

  memoryStats(): Promise<MemoryStats> {
    return this.#conn.call((r) => r.memoryStats());
  }

  async createTokenizer(options: TokenizerOptions): Promise<Tokenizer> {
    const id = this.#conn.id();
    return new WorkerTokenizer(this.#conn, id, await this.#conn.call((r) => r.createTokenizer(id, options)));
  }

  async loadTokenizer(json: TokenizerJSON): Promise<Tokenizer> {
    const id = this.#conn.id();
    return new WorkerTokenizer(this.#conn, id, await this.#conn.call((r) => r.loadTokenizer(id, json)));
  }

  async createModel(options: ModelOptions): Promise<Model> {
    if (typeof options !== 'object' || options === null)
      throw new SllmInvalidArgumentError('createModel needs options: { tokenizer, preset?, config? }');
    const tokenizer = this.#mine(options.tokenizer, WorkerTokenizer, 'createModel', 'tokenizer');
    const id = this.#conn.id();
    const facts = await this.#conn.call((r) => r.createModel(id, tokenizer.id, options.preset, options.config));
    return new WorkerModel(this.#conn, id, facts, tokenizer);
  }

  async createTrainer(model: Model, options: TrainerOptions): Promise<Trainer> {
    const m = this.#mine(model, WorkerModel, 'createTrainer', 'model');
    const id = this.#conn.id();
    return new WorkerTrainer(this.#conn, id, await this.#conn.call((r) => r.createTrainer(id, m.id, options)), m);
  }

  async resumeTrainer(model: Model, data: TrainingData): Promise<Trainer> {
    const m = this.#mine(model, WorkerModel, 'resumeTrainer', 'model');
    const id = this.#conn.id();
    return new WorkerTrainer(this.#conn, id, await this.#conn.call((r) => r.resumeTrainer(id, m.id, data)), m);
  }

  async loadModel(bytes: Uint8Array, options: LoadModelOptions = {}): Promise<LoadedModel> {
    if (!(bytes instanceof Uint8Array))
      throw new SllmInvalidArgumentError('loadModel needs the file as a Uint8Array (e.g. new Uint8Array(await file.arrayBuffer()))');
    const arg = options?.transfer === true && ownsBuffer(bytes) ? transfer(bytes, [bytes.buffer]) : bytes;
    const modelId = this.#conn.id();
    const tokenizerId = this.#conn.id();
    const facts = await this.#conn.call((r) => r.loadModel(modelId, tokenizerId, arg));
    const tokenizer = new WorkerTokenizer(this.#conn, tokenizerId, facts.tokenizer);
    const model = new WorkerModel(this.#conn, modelId, facts.model, tokenizer);
    return {
      model,
      tokenizer,
      metadata: { ...model.metadata },
      isCheckpoint: model.checkpoint !== undefined,
      checkpoint: model.checkpoint,
      header: facts.header,
    };
  }

  dispose(): void {
    this.#conn.dispose();
  }

  [disposeSymbol](): void {
    this.dispose();
  }
}

function absolute(url: string | URL): string {
  const base = (globalThis as { location?: { href?: string } }).location?.href;
  return new URL(String(url), base).href;
}

/** The .wasm URLs for the worker, resolved here (relative URLs mean the page's, and locateWasm cannot be sent). */
function wasmUrls(options: EngineOptions): Record<WasmFile, string> | undefined {
  const files: WasmFile[] = ['sllm-simd.wasm', 'sllm.wasm'];
  if (options.locateWasm) {
    const locate = options.locateWasm;
    return Object.fromEntries(files.map((f) => [f, absolute(locate(f))])) as Record<WasmFile, string>;
  }
  if (options.wasmBaseUrl === undefined) return undefined;
  let base = String(options.wasmBaseUrl);
  if (!base.endsWith('/')) base += '/';
  return Object.fromEntries(files.map((f) => [f, new URL(f, absolute(base)).href])) as Record<WasmFile, string>;
}

function startWorker(): WorkerLike {
  if (typeof Worker !== 'function')
    throw new SllmLoadError('createWorkerEngine needs Web Workers, which this environment lacks; use createEngine()');
  return new Worker(new URL('./worker.js', import.meta.url), { type: 'module' });
}

/**
 * Starts sllm in a module Web Worker and returns an Engine with the same interface as
 * {@link createEngine}'s, whose training and generation run off the main thread. The backend
 * is chosen here, on the main thread (SIMD when this page supports it), and the worker loads
 * that build (falling back to scalar if the SIMD one fails to compile). Rejects with
 * SllmLoadError when the worker or the WebAssembly module cannot be loaded.
 */
export async function createWorkerEngine(options: WorkerEngineOptions = {}): Promise<Engine> {
  const want = options.backend ?? 'auto';
  if (want !== 'auto' && want !== 'simd' && want !== 'scalar')
    throw new SllmInvalidArgumentError(`unknown backend "${String(want)}"; use "auto", "simd" or "scalar"`);
  if (want === 'simd' && !simdSupported())
    throw new SllmLoadError(
      'this JavaScript engine does not support WebAssembly SIMD: use backend "scalar" or "auto"',
    );
  const init: WorkerInit = { backend: want === 'auto' && !simdSupported() ? 'scalar' : want };
  const urls = wasmUrls(options);
  if (urls) init.wasmUrls = urls;
  const worker = options.worker ?? startWorker();
  const conn = new Connection(worker);
  let started = false;
  worker.addEventListener('error', (event) => {
    const detail = event.message || 'no details';
    conn.fail(
      started
        ? new SllmInternalError(`the sllm worker failed (${detail}); dispose this engine and create a new one`)
        : new SllmLoadError(`the sllm worker could not start (${detail}); check that the package's worker.js and its imports are served`),
    );
  });
  try {
    const backend = await conn.call((r) => r.init(init));
    started = true;
    return new WorkerEngine(conn, backend);
  } catch (e) {
    conn.dispose();
    throw e;
  }
}
