// worker-engine.ts: createWorkerEngine(), the Engine interface backed by a module Worker that
// runs the main-thread engine (worker-host.ts), so training and generation never block the
// page. The options are checked and the build files' URLs resolved here and sent to the worker,
// which picks the build (it is where threads may run); the engine's
// objects are proxies (worker-handles.ts) over a Comlink connection (worker-connection.ts);
// starting the worker, and replacing one that stalls, is worker-start.ts.
// Callbacks (BPE training progress) stay here and are called through a Comlink proxy. Bytes
// come back as transferred buffers; loadModel({ transfer: true }) sends them without a copy.

import { proxy, transfer } from 'comlink';
import { disposeSymbol } from './disposable.js';
import { loadedModel } from './engine-common.js';
import { folderEntries, importOptionsJson } from './huggingface.js';
import { SllmInvalidArgumentError, SllmLoadError } from './errors.js';
import { checkBackend, simdSupported } from './loader.js';
import { checkThreads } from './threads.js';
import { Connection, type Handle, type WorkerLike } from './worker-connection.js';
import { startWorkerEngine, WORKER_ENGINE_HOOKS, type WorkerEngineHooks } from './worker-start.js';
import { WorkerModel, WorkerTokenizer, WorkerTrainer } from './worker-handles.js';
import { CompletionsApi } from './chat/api.js';
import { ModelRegistry } from './chat/registry.js';
import { workerBackend } from './chat/worker-backend.js';
import { ownsBuffer, type WorkerInit } from './worker-protocol.js';
import type {
  EstimateOptions,
  MemoryEstimate,
  Backend,
  Chat,
  Completions,
  Engine,
  EngineOptions,
  HuggingFaceFiles,
  ImportHuggingFaceOptions,
  LoadedModel,
  LoadModelOptions,
  MemoryStats,
  Model,
  ModelOptions,
  PresetInfo,
  Tokenizer,
  TokenizerJSON,
  TokenizerOptions,
  Trainer,
  TrainerOptions,
  TrainingData,
  WasmFile,
} from './types.js';

export type { WorkerLike } from './worker-connection.js';

/** Options of {@link createWorkerEngine}. */
export interface WorkerEngineOptions extends EngineOptions {
  /**
   * A module Worker running sllm's worker entry (`sllm/worker`), for setups that must create it
   * themselves; by default one is started from the package. engine.dispose() terminates it.
   */
  worker?: WorkerLike;
}

class WorkerEngine implements Engine {
  readonly #conn: Connection;
  readonly backend: Backend;
  readonly #models = new ModelRegistry<WorkerModel>((m, what) => this.#mine(m, WorkerModel, what, 'model'));
  readonly chat: Chat;
  readonly completions: Completions;
  readonly registerModel: Engine['registerModel'];
  readonly unregisterModel: Engine['unregisterModel'];
  readonly registeredModels: Engine['registeredModels'];
  readonly threads: number;

  constructor(conn: Connection, backend: Backend, threads: number) {
    this.#conn = conn;
    this.backend = backend;
    this.threads = threads;
    const api = new CompletionsApi(this.#models, workerBackend(conn));
    ({ chat: this.chat, completions: this.completions, registerModel: this.registerModel,
      unregisterModel: this.unregisterModel, registeredModels: this.registeredModels } = api);
  }

  resetChat(model?: string | Model | boolean, modelId?: string): Promise<void> {
    const m = this.#models.resolveReset(model, modelId).model;
    return m.call((r) => r.resetChat(m.id));
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

  estimateMemory(options: EstimateOptions): Promise<MemoryEstimate> {
    return this.#conn.call((r) => r.estimateMemory(options));
  }

  async createTokenizer(options: TokenizerOptions): Promise<Tokenizer> {
    const id = this.#conn.id();
    // A progress callback cannot be cloned: it stays here and the worker calls it through a proxy.
    const onProgress = options?.type === 'bpe' ? options.onProgress : undefined;
    const sent = onProgress ? { ...options, onProgress: undefined } : options;
    const progress = typeof onProgress === 'function' ? proxy(onProgress) : undefined;
    return new WorkerTokenizer(this.#conn, id, await this.#conn.call((r) => r.createTokenizer(id, sent, progress)));
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
    return loadedModel(new WorkerModel(this.#conn, modelId, facts.model, tokenizer), tokenizer, facts.header);
  }

  async importHuggingFace(files: HuggingFaceFiles, options: ImportHuggingFaceOptions = {}): Promise<LoadedModel> {
    folderEntries(files);  // checked here, so mistakes throw on this side
    importOptionsJson(options);
    const buffers = options?.transfer === true ? Object.values(files).filter(ownsBuffer).map((a) => a.buffer) : [];
    const sent = { ...options, transfer: undefined };
    const arg = buffers.length ? transfer(files, buffers) : files;
    const modelId = this.#conn.id();
    const tokenizerId = this.#conn.id();
    const facts = await this.#conn.call((r) => r.importHuggingFace(modelId, tokenizerId, arg, sent));
    const tokenizer = new WorkerTokenizer(this.#conn, tokenizerId, facts.tokenizer);
    return loadedModel(new WorkerModel(this.#conn, modelId, facts.model, tokenizer), tokenizer, facts.header);
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

/** The build files' URLs for the worker, resolved here (relative URLs mean the page's, and locateWasm cannot be sent). */
function wasmUrls(options: EngineOptions): Record<WasmFile, string> | undefined {
  const files: WasmFile[] = [
    'sllm-simd.wasm',
    'sllm.wasm',
    'sllm-simd-threads.wasm',
    'sllm-simd-threads.mjs',
    'sllm-simd-threads.worker.js',
  ];
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
 * {@link createEngine}'s, whose training and generation run off the main thread. The worker
 * picks the build as createEngine() does: the threads build with `options.threads` threads
 * (default: the logical processors, at most 8) when the page is cross-origin isolated, else
 * the SIMD build when supported, else scalar. Rejects with SllmLoadError when the worker or
 * the WebAssembly module cannot be loaded.
 */
export async function createWorkerEngine(options: WorkerEngineOptions = {}): Promise<Engine> {
  const want = options.backend ?? 'auto';
  checkBackend(want);
  checkThreads(options.threads);
  if ((want === 'simd' || want === 'simd-threads') && !simdSupported())
    throw new SllmLoadError(
      'this JavaScript engine does not support WebAssembly SIMD: use backend "scalar" or "auto"',
    );
  const init: WorkerInit = { backend: want === 'auto' && !simdSupported() ? 'scalar' : want };
  if (options.threads !== undefined) init.threads = options.threads;
  const urls = wasmUrls(options);
  if (urls) init.wasmUrls = urls;
  const hooks = (options as { [WORKER_ENGINE_HOOKS]?: WorkerEngineHooks })[WORKER_ENGINE_HOOKS] ?? {};
  return startWorkerEngine(init, options.worker, startWorker, hooks, (conn, { backend, threads }) => new WorkerEngine(conn, backend, threads));
}
