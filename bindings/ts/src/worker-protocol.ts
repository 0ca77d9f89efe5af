// worker-protocol.ts (internal): what the Worker engine's two halves say to each other through
// Comlink. The main thread names every object and operation with a number it picks itself
// (so it can dispose or abort one before the worker has answered); the worker keeps the
// main-thread engine's objects under those numbers. Objects cross as their immutable facts;
// streams (training runs, generation) are pulled one answer at a time.

import type { CompletionEvent } from './chat/api.js';
import type { CompletionJob } from './chat/request.js';
import type {
  AdapterInfo,
  AdapterSaveOptions,
  LoadedAdapterInfo,
  TrainerMemory,
  EstimateOptions,
  MemoryEstimate,
  Backend,
  CheckpointInfo,
  CheckpointSaveOptions,
  EncodeOptions,
  EvalResult,
  GenerateOptions,
  HuggingFaceExportOptions,
  HuggingFaceFiles,
  ImportHuggingFaceOptions,
  MemoryStats,
  ModelConfig,
  KVCacheDType,
  ModelMemory,
  PresetInfo,
  SaveOptions,
  SpecialTokenIds,
  TokenizerJSON,
  TokenizerOptions,
  TokenizerType,
  TrainConfig,
  TrainerOptions,
  TrainerState,
  TrainingData,
  TrainingProgress,
  WasmFile,
} from './types.js';

/** True when a's buffer is an ArrayBuffer a spans entirely, so transferring it gives away nothing else. */
export function ownsBuffer(a: ArrayBufferView): a is ArrayBufferView & { buffer: ArrayBuffer } {
  return a.byteOffset === 0 && a.byteLength === a.buffer.byteLength && a.buffer instanceof ArrayBuffer;
}

/** How the worker loads its engine: the backend and thread count asked for, and where the build files are. */
export interface WorkerInit {
  backend: Backend | 'auto';
  threads?: number;
  /** Absolute URLs of the build files; absent: next to the worker's own module. */
  wasmUrls?: Record<WasmFile, string>;
  /** Shared counters of thread Web Worker constructors entered and returned, read by the starter's watchdog (worker-start.ts). */
  probe?: Int32Array;
}

/** What the worker's engine loaded. */
export interface WorkerStarted {
  backend: Backend;
  threads: number;
}

export interface TokenizerFacts {
  type: TokenizerType;
  vocabSize: number;
  specialTokens: SpecialTokenIds;
}

export interface ModelFacts {
  config: ModelConfig;
  parameterCount: number;
  preset: string | undefined;
  metadata: Record<string, string>;
  checkpoint: CheckpointInfo | undefined;
  chatTemplate: string | undefined;
}

export interface TrainerFacts {
  config: TrainConfig;
  trainTokens: number;
  valTokens: number;
  state: TrainerState;
}

export interface LoadedFacts {
  model: ModelFacts;
  tokenizer: TokenizerFacts;
  header: Record<string, unknown>;
}

/** One answer of a training run: the next progress event (or the end) and the trainer's state after it. */
export interface RunPull {
  done: boolean;
  value: TrainingProgress | undefined;
  state: TrainerState;
}

/** One answer of a generation stream: the pieces generated in one time slice. */
export interface StreamPull {
  done: boolean;
  pieces: string[];
}

/** One answer of a chat or text completion: the events of one time slice. */
export interface CompletionPull {
  done: boolean;
  events: CompletionEvent[];
}

/** The worker's API. Every method is called through Comlink, so returns a Promise on the main thread. */
export interface WorkerHostApi {
  init(init: WorkerInit): Promise<WorkerStarted>;
  listPresets(): Promise<PresetInfo[]>;
  memoryStats(): Promise<MemoryStats>;
  estimateMemory(options: EstimateOptions): Promise<MemoryEstimate>;

  createTokenizer(
    id: number,
    options: TokenizerOptions,
    progress?: (mergesDone: number, mergesTotal: number) => void,
  ): Promise<TokenizerFacts>;
  loadTokenizer(id: number, json: TokenizerJSON): Promise<TokenizerFacts>;
  createModel(id: number, tokenizerId: number, preset: string | undefined, config: Partial<ModelConfig> | undefined):
    Promise<ModelFacts>;
  createTrainer(id: number, modelId: number, options: TrainerOptions): Promise<TrainerFacts>;
  resumeTrainer(id: number, modelId: number, data: TrainingData): Promise<TrainerFacts>;
  loadModel(modelId: number, tokenizerId: number, bytes: Uint8Array): Promise<LoadedFacts>;
  importHuggingFace(modelId: number, tokenizerId: number, files: HuggingFaceFiles, options: ImportHuggingFaceOptions):
    Promise<LoadedFacts>;

  encode(id: number, text: string, options: EncodeOptions | undefined): Promise<Int32Array>;
  decode(id: number, ids: ArrayLike<number>): Promise<string>;
  idToToken(id: number, tokenId: number): Promise<string>;
  tokenToId(id: number, token: string): Promise<number | undefined>;
  serialize(id: number): Promise<TokenizerJSON>;

  save(id: number, options: SaveOptions | undefined): Promise<Uint8Array>;
  memory(id: number, options: { kvCache?: KVCacheDType } | undefined): Promise<ModelMemory>;
  toGguf(id: number, options: SaveOptions | undefined): Promise<Uint8Array>;
  toHuggingFace(id: number, options: HuggingFaceExportOptions | undefined): Promise<HuggingFaceFiles>;
  /** A model's LoRA adapter (see AdapterMethods). */
  adapterInfo(id: number): Promise<AdapterInfo | undefined>;
  loadAdapter(id: number, bytes: Uint8Array): Promise<LoadedAdapterInfo>;
  saveAdapter(id: number, options: AdapterSaveOptions | undefined): Promise<Uint8Array>;
  mergeAdapter(id: number): Promise<void>;
  removeAdapter(id: number): Promise<void>;
  setAdapterEnabled(id: number, enabled: boolean): Promise<void>;
  startStream(opId: number, modelId: number, prompt: string, options: Omit<GenerateOptions, 'signal'>): void;
  pullStream(opId: number): Promise<StreamPull>;

  /** Prepares a completion (request errors reject here); its events are pulled with pullCompletion. */
  startCompletion(opId: number, modelId: number, job: CompletionJob): Promise<void>;
  pullCompletion(opId: number): Promise<CompletionPull>;
  /** Forgets a model's cached conversation. */
  resetChat(modelId: number): Promise<void>;

  startRun(opId: number, trainerId: number): void;
  pullRun(opId: number): Promise<RunPull>;
  step(id: number): Promise<{ progress: TrainingProgress; state: TrainerState }>;
  evaluate(id: number): Promise<{ result: EvalResult; state: TrainerState }>;
  saveCheckpoint(id: number, options: CheckpointSaveOptions | undefined): Promise<Uint8Array>;
  trainerMemory(id: number): Promise<TrainerMemory>;
  pause(id: number): void;
  resume(id: number): void;
  stop(id: number): void;

  /** Aborts a stream or run (its next pull throws AbortError). */
  abort(opId: number, reason: string): void;
  /** Ends a stream or run early (the consumer broke out of its loop). */
  finish(opId: number): Promise<void>;
  /** Frees an object. */
  dispose(id: number): void;
}
