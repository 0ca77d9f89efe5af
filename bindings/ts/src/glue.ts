// glue.ts (internal): hand-written types for the embind module built from bindings/src/*.cpp
// (Emscripten 3.1.6 cannot emit them). Methods report C++ errors through
// `sllmPendingError` instead of throwing; runtime.ts turns that into a thrown SllmError.

/** An object owned by JavaScript that wraps C++ memory; delete() frees it. */
export interface EmbindHandle {
  delete(): void;
  isDeleted(): boolean;
}

export interface TokenizerHandle extends EmbindHandle {
  type(): string;
  vocabSize(): number;
  encode(text: string, allowSpecial: boolean): Int32Array;
  decode(ids: ArrayLike<number>): string;
  tokenString(id: number): string;
  tokenId(token: string): number;
  specialJson(): string;
  toJson(): string;
}

export interface ModelHandle extends EmbindHandle {
  configJson(): string;
  numParams(): number;
  preset(): string;
  tokenizer(): TokenizerHandle | null;
  save(optionsJson: string): Uint8Array | undefined;
  toGguf(optionsJson: string): Uint8Array | undefined;
  isCheckpoint(): boolean;
  checkpointJson(): string;
  metadataJson(): string;
  headerJson(): string;
  memoryJson(kvCache: string): string;
  chatTemplate(): string;
  lastLogits(ids: ArrayLike<number>): Float32Array | undefined;
  adapterJson(): string;
  loadAdapter(bytes: Uint8Array): string;
  saveAdapter(optionsJson: string): Uint8Array | undefined;
  mergeAdapter(): void;
  removeAdapter(): void;
  setAdapterEnabled(enabled: boolean): void;
}

/** A step's result from the core's Trainer (its schedule decides evaluation and the end). */
export interface StepResult {
  step: number;
  loss: number;
  lr: number;
  gradNorm: number;
  tokens: number;
  evaluated: boolean;
  valLoss?: number;
  valPerplexity?: number;
  earlyStopped: boolean;
  done: boolean;
}

export interface TrainerHandle extends EmbindHandle {
  /** One piece of the schedule's work (a step or one validation batch); the step's result once complete. */
  advance(): StepResult | null | undefined;
  trainStep(): StepResult | undefined;
  evalBatchCount(): number;
  evalBatch(i: number): number;
  finishEval(sum: number): { loss: number; perplexity: number } | undefined;
  done(): boolean;
  earlyStopped(): boolean;
  steps(): number;
  tokensSeen(): number;
  bestValLoss(): number;
  trainTokens(): number;
  valTokens(): number;
  configJson(): string;
  saveCheckpoint(optionsJson: string): Uint8Array | undefined;
  memoryJson(): string;
}

export interface SessionHandle extends EmbindHandle {
  next(): string;
  done(): boolean;
}

export interface ChatSessionHandle extends EmbindHandle {
  prefill(ids: ArrayLike<number>): number;
  begin(optionsJson: string): void;
  sample(): number;
  piece(id: number): string;
  flush(): string;
  append(id: number): void;
  length(): number;
  capacity(): number;
  positionsComputed(): number;
  clear(): void;
}

export interface PendingError {
  code: string;
  message: string;
}

export interface SllmModule {
  createTokenizer(
    type: string,
    text: string,
    optionsJson: string,
    progress: ((done: number, total: number) => void) | undefined,
  ): TokenizerHandle | null;
  tokenizerFromJson(json: string): TokenizerHandle | null;
  loadGpt2Tokenizer(encoderJson: string, vocabBpe: string): TokenizerHandle | null;
  loadTiktokenTokenizer(ranks: string, optionsJson: string): TokenizerHandle | null;
  loadHfTokenizer(tokenizerJson: string, configJson: string): TokenizerHandle | null;
  importHuggingFace(files: [string, Uint8Array][], optionsJson: string): ModelHandle | null;
  modelToHuggingFace(model: ModelHandle, optionsJson: string): Record<string, Uint8Array> | undefined;
  createModel(tokenizer: TokenizerHandle, preset: string, configJson: string): ModelHandle | null;
  presetsJson(): string;
  optionSchemaJson(): string;
  estimateMemoryJson(preset: string, configJson: string, trainingJson: string, extrasJson: string): string;
  createTrainer(model: ModelHandle, optionsJson: string, text: string, tokens: ArrayLike<number> | undefined):
    TrainerHandle | null;
  resumeTrainer(model: ModelHandle, text: string, tokens: ArrayLike<number> | undefined): TrainerHandle | null;
  createSession(model: ModelHandle, prompt: string, optionsJson: string): SessionHandle | null;
  /** Forgets the model's generation cache (generate_bindings.cpp); its weights changed. */
  clearGenerationCache(model: ModelHandle): void;
  /** Positions the model's generation cache computed since it was made. */
  generationPositions(model: ModelHandle): number;
  loadFile(bytes: Uint8Array): ModelHandle | null;
  createChatSession(model: ModelHandle): ChatSessionHandle | null;
  buildInfo(): { simd: boolean; format: boolean };
  memoryStats(): { heapBytesInUse: number; heapBytesReserved: number; wasmMemoryBytes: number; peakBytes: number };
  debugThrow(kind: string): void;
  /** The thread pool (thread_bindings.cpp): setThreads returns the count set; 1 in builds without threads. */
  setThreads(n: number): number;
  threads(): number;
  maxThreads(): number;
  startedWorkers(): number;
  sllmPendingError?: PendingError;
}

/** Options of the Emscripten module factory (MODULARIZE). */
export interface FactoryOptions {
  wasmBinary?: ArrayBuffer | Uint8Array;
  locateFile?: (path: string, prefix: string) => string;
  print?: (text: string) => void;
  printErr?: (text: string) => void;
  /** The threads build (threads.ts): its worker pool and where its workers load the glue from. */
  mainScriptUrlOrBlob?: string;
  sllmPoolSize?: number;
  sllmWorker?: unknown;
}

export type ModuleFactory = (options?: FactoryOptions) => Promise<SllmModule>;
