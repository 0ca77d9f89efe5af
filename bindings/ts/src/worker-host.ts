// worker-host.ts (internal): the worker half of the Worker engine. It runs the main-thread
// engine (createEngine) inside the worker and keeps its objects under the ids the main thread
// gave them. Training runs and generation streams are driven by the main thread's pulls: one
// pull, one training step (so a run's iterator means the same in both engines), or one time
// slice of generated pieces. Between pulls the worker is idle, so pause(), stop() and aborts
// arrive between steps. Bytes and token ids go back as transferred buffers, not copies.

import { transfer } from 'comlink';
import { createEngine } from './engine.js';
import { countWorkerConstructors } from './threads.js';
import { pullCompletionOp, startCompletionOp, type CompletionOp } from './chat/worker-ops.js';
import type { WasmModel } from './model.js';
import { AbortError, SllmDisposedError, SllmInvalidArgumentError } from './errors.js';
import {
  ownsBuffer,
  type CompletionPull,
  type LoadedFacts,
  type ModelFacts,
  type RunPull,
  type StreamPull,
  type TokenizerFacts,
  type TrainerFacts,
  type WorkerHostApi,
  type WorkerInit,
  type WorkerStarted,
} from './worker-protocol.js';
import type { CompletionJob } from './chat/request.js';
import type {
  AdapterSaveOptions,
  EstimateOptions,
  MemoryEstimate,
  CheckpointSaveOptions,
  EncodeOptions,
  Engine,
  GenerateOptions,
  HuggingFaceExportOptions,
  HuggingFaceFiles,
  ImportHuggingFaceOptions,
  Model,
  ModelConfig,
  KVCacheDType,
  ModelMemory,
  SaveOptions,
  SllmResource,
  Tokenizer,
  TokenizerJSON,
  TokenizerOptions,
  Trainer,
  TrainerOptions,
  TrainingData,
} from './types.js';

/** Longest stretch of generation (ms) one stream pull collects pieces for. */
const STREAM_SLICE_MS = 25;

const now = () => performance.now();

/** A result array, marked for transfer (not copy) when it has a buffer of its own. */
function owned<T extends Uint8Array | Int32Array>(a: T): T {
  return ownsBuffer(a) ? transfer(a, [a.buffer]) : a;
}

interface Operation {
  iterator: AsyncIterator<unknown>;
  controller: AbortController;
  trainer?: Trainer;
}

const tokenizerFacts = (t: Tokenizer): TokenizerFacts => ({
  type: t.type,
  vocabSize: t.vocabSize,
  specialTokens: { ...t.specialTokens },
});

const modelFacts = (m: Model): ModelFacts => ({
  config: { ...m.config },
  parameterCount: m.parameterCount,
  preset: m.preset,
  metadata: { ...m.metadata },
  checkpoint: m.checkpoint && { ...m.checkpoint, config: { ...m.checkpoint.config } },
  chatTemplate: m.chatTemplate,
});

const trainerFacts = (t: Trainer): TrainerFacts => ({
  config: { ...t.config },
  trainTokens: t.trainTokens,
  valTokens: t.valTokens,
  state: t.state,
});

export class WorkerHost implements WorkerHostApi {
  #engine: Engine | undefined;
  readonly #objects = new Map<number, SllmResource>();
  readonly #ops = new Map<number, Operation>();

  get #e(): Engine {
    if (!this.#engine) throw new SllmDisposedError('the sllm worker has no engine (init() failed or was not called)');
    return this.#engine;
  }

  #get<T extends SllmResource>(id: number, what: string): T {
    const o = this.#objects.get(id);
    if (!o) throw new SllmDisposedError(`this ${what} has been disposed and can no longer be used`);
    return o as T;
  }

  #op(opId: number): Operation {
    const op = this.#ops.get(opId);
    if (!op) throw new SllmInvalidArgumentError('this stream has already ended');
    return op;
  }

  #keep<T extends SllmResource>(id: number, o: T): T {
    this.#objects.set(id, o);
    return o;
  }

  async init(init: WorkerInit): Promise<WorkerStarted> {
    const urls = init.wasmUrls;
    countWorkerConstructors(init.probe);
    this.#engine = await createEngine({
      backend: init.backend,
      threads: init.threads,
      locateWasm: urls && ((file) => urls[file]),
    });
    return { backend: this.#engine.backend, threads: this.#engine.threads };
  }

  listPresets() {
    return this.#e.listPresets();
  }

  memoryStats() {
    return this.#e.memoryStats();
  }

  estimateMemory(options: EstimateOptions) {
    return this.#e.estimateMemory(options);
  }

  async createTokenizer(
    id: number,
    options: TokenizerOptions,
    progress?: (mergesDone: number, mergesTotal: number) => void,
  ): Promise<TokenizerFacts> {
    // Progress calls go out as messages while the vocabulary trains; nothing waits for them.
    const withProgress: TokenizerOptions =
      progress && options.type === 'bpe' ? { ...options, onProgress: (d, t) => void progress(d, t) } : options;
    return tokenizerFacts(this.#keep(id, await this.#e.createTokenizer(withProgress)));
  }

  async loadTokenizer(id: number, json: TokenizerJSON): Promise<TokenizerFacts> {
    return tokenizerFacts(this.#keep(id, await this.#e.loadTokenizer(json)));
  }

  async createModel(id: number, tokenizerId: number, preset: string | undefined, config: Partial<ModelConfig> | undefined) {
    const tokenizer = this.#get<Tokenizer>(tokenizerId, 'tokenizer');
    return modelFacts(this.#keep(id, await this.#e.createModel({ tokenizer, preset, config })));
  }

  async createTrainer(id: number, modelId: number, options: TrainerOptions): Promise<TrainerFacts> {
    const model = this.#get<Model>(modelId, 'model');
    return trainerFacts(this.#keep(id, await this.#e.createTrainer(model, options)));
  }

  async resumeTrainer(id: number, modelId: number, data: TrainingData): Promise<TrainerFacts> {
    const model = this.#get<Model>(modelId, 'model');
    return trainerFacts(this.#keep(id, await this.#e.resumeTrainer(model, data)));
  }

  async loadModel(modelId: number, tokenizerId: number, bytes: Uint8Array): Promise<LoadedFacts> {
    const loaded = await this.#e.loadModel(bytes);
    this.#keep(modelId, loaded.model);
    this.#keep(tokenizerId, loaded.tokenizer);
    return { model: modelFacts(loaded.model), tokenizer: tokenizerFacts(loaded.tokenizer), header: loaded.header };
  }

  async importHuggingFace(modelId: number, tokenizerId: number, files: HuggingFaceFiles,
    options: ImportHuggingFaceOptions): Promise<LoadedFacts> {
    const loaded = await this.#e.importHuggingFace(files, { ...options, transfer: undefined });
    this.#keep(modelId, loaded.model);
    this.#keep(tokenizerId, loaded.tokenizer);
    return { model: modelFacts(loaded.model), tokenizer: tokenizerFacts(loaded.tokenizer), header: loaded.header };
  }

  async encode(id: number, text: string, options: EncodeOptions | undefined): Promise<Int32Array> {
    return owned(await this.#get<Tokenizer>(id, 'tokenizer').encode(text, options));
  }

  decode(id: number, ids: ArrayLike<number>) {
    return this.#get<Tokenizer>(id, 'tokenizer').decode(ids);
  }

  idToToken(id: number, tokenId: number) {
    return this.#get<Tokenizer>(id, 'tokenizer').idToToken(tokenId);
  }

  tokenToId(id: number, token: string) {
    return this.#get<Tokenizer>(id, 'tokenizer').tokenToId(token);
  }

  serialize(id: number) {
    return this.#get<Tokenizer>(id, 'tokenizer').serialize();
  }

  async save(id: number, options: SaveOptions | undefined): Promise<Uint8Array> {
    return owned(await this.#get<Model>(id, 'model').save(options));
  }

  memory(id: number, options: { kvCache?: KVCacheDType } | undefined): Promise<ModelMemory> {
    return this.#get<Model>(id, 'model').memory(options);
  }

  async toGguf(id: number, options: SaveOptions | undefined): Promise<Uint8Array> {
    return owned(await this.#get<Model>(id, 'model').toGguf(options));
  }

  async toHuggingFace(id: number, options: HuggingFaceExportOptions | undefined): Promise<HuggingFaceFiles> {
    const files = await this.#get<Model>(id, 'model').toHuggingFace(options);
    const buffers = Object.values(files).filter(ownsBuffer).map((a) => a.buffer);
    return transfer(files, buffers);
  }

  adapterInfo(id: number) {
    return this.#get<Model>(id, 'model').adapterInfo();
  }

  loadAdapter(id: number, bytes: Uint8Array) {
    return this.#get<Model>(id, 'model').loadAdapter(bytes);
  }

  async saveAdapter(id: number, options: AdapterSaveOptions | undefined): Promise<Uint8Array> {
    return owned(await this.#get<Model>(id, 'model').saveAdapter(options));
  }

  mergeAdapter(id: number) {
    return this.#get<Model>(id, 'model').mergeAdapter();
  }

  removeAdapter(id: number) {
    return this.#get<Model>(id, 'model').removeAdapter();
  }

  setAdapterEnabled(id: number, enabled: boolean) {
    return this.#get<Model>(id, 'model').setAdapterEnabled(enabled);
  }

  startStream(opId: number, modelId: number, prompt: string, options: Omit<GenerateOptions, 'signal'>): void {
    const model = this.#get<Model>(modelId, 'model');
    const controller = new AbortController();
    const iterator = model.stream(prompt, { ...options, signal: controller.signal });
    this.#ops.set(opId, { iterator, controller });
  }

  async pullStream(opId: number): Promise<StreamPull> {
    const op = this.#op(opId);
    const pieces: string[] = [];
    const start = now();
    try {
      do {
        const r = await op.iterator.next();
        if (r.done) {
          this.#ops.delete(opId);
          return { done: true, pieces };
        }
        pieces.push(r.value as string);
      } while (now() - start < STREAM_SLICE_MS && !op.controller.signal.aborted);
    } catch (e) {
      this.#ops.delete(opId);
      throw e;
    }
    return { done: false, pieces };
  }

  async startCompletion(opId: number, modelId: number, job: CompletionJob): Promise<void> {
    this.#ops.set(opId, await startCompletionOp(this.#get<Model>(modelId, 'model'), job));
  }

  async pullCompletion(opId: number): Promise<CompletionPull> {
    const op = this.#op(opId);
    try {
      const r = await pullCompletionOp(op as CompletionOp);
      if (r.done) {
        this.#ops.delete(opId);
        await op.iterator.return?.();
      }
      return r;
    } catch (e) {
      this.#ops.delete(opId);
      throw e;
    }
  }

  async resetChat(modelId: number): Promise<void> {
    await this.#get<WasmModel>(modelId, 'model').resetChat();
  }

  startRun(opId: number, trainerId: number): void {
    const trainer = this.#get<Trainer>(trainerId, 'trainer');
    const controller = new AbortController();
    this.#ops.set(opId, { iterator: trainer.run({ signal: controller.signal }), controller, trainer });
  }

  async pullRun(opId: number): Promise<RunPull> {
    const op = this.#op(opId);
    try {
      const r = await op.iterator.next();
      if (r.done) this.#ops.delete(opId);
      return { done: r.done === true, value: r.done ? undefined : (r.value as RunPull['value']), state: op.trainer!.state };
    } catch (e) {
      this.#ops.delete(opId);
      throw e;
    }
  }

  async step(id: number) {
    const trainer = this.#get<Trainer>(id, 'trainer');
    const progress = await trainer.step();
    return { progress, state: trainer.state };
  }

  async evaluate(id: number) {
    const trainer = this.#get<Trainer>(id, 'trainer');
    const result = await trainer.evaluate();
    return { result, state: trainer.state };
  }

  async saveCheckpoint(id: number, options: CheckpointSaveOptions | undefined): Promise<Uint8Array> {
    return owned(await this.#get<Trainer>(id, 'trainer').saveCheckpoint(options));
  }

  trainerMemory(id: number) {
    return this.#get<Trainer>(id, 'trainer').memory();
  }

  pause(id: number): void {
    (this.#objects.get(id) as Trainer | undefined)?.pause();
  }

  resume(id: number): void {
    (this.#objects.get(id) as Trainer | undefined)?.resume();
  }

  stop(id: number): void {
    (this.#objects.get(id) as Trainer | undefined)?.stop();
  }

  abort(opId: number, reason: string): void {
    this.#ops.get(opId)?.controller.abort(new AbortError(reason));
  }

  async finish(opId: number): Promise<void> {
    const op = this.#ops.get(opId);
    this.#ops.delete(opId);
    await op?.iterator.return?.();
  }

  dispose(id: number): void {
    this.#objects.get(id)?.dispose();
    this.#objects.delete(id);
  }
}
