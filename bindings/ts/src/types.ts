// types.ts: the public interface of sllm: the engine and the objects it creates, their
// options and results. The main-thread engine (createEngine) implements it; a Worker-backed
// engine can implement the same interfaces, which is why every operation that touches the
// model returns a Promise and objects expose only immutable facts synchronously.

import './disposable.js';

/** Which WebAssembly build runs: `simd` (wasm SIMD, faster) or `scalar` (runs everywhere). */
export type Backend = 'simd' | 'scalar';

/** Options of {@link createEngine}. */
export interface EngineOptions {
  /**
   * `'auto'` (default) loads the SIMD build when the engine supports wasm SIMD and falls back
   * to the scalar build if the SIMD one fails to compile; `'simd'` or `'scalar'` force one.
   */
  backend?: Backend | 'auto';
  /**
   * Where `sllm-simd.wasm` and `sllm.wasm` are served from (a directory URL, ending in `/`).
   * By default they are found next to the package's JavaScript (`dist/wasm/`), which bundlers
   * such as Vite and webpack copy automatically.
   */
  wasmBaseUrl?: string | URL;
  /** Full control over the .wasm location: given the file name, return its URL. Wins over `wasmBaseUrl`. */
  locateWasm?: (fileName: 'sllm-simd.wasm' | 'sllm.wasm') => string | URL;
}

/** Memory use of the WebAssembly module, for diagnostics and leak checks. */
export interface MemoryStats {
  /** Bytes currently allocated by the C++ heap (malloc's in-use bytes). */
  heapBytesInUse: number;
  /** Bytes the C++ heap has obtained from WebAssembly memory. */
  heapBytesReserved: number;
  /** Size of the WebAssembly memory (it grows, never shrinks; at most 4 GiB). */
  wasmMemoryBytes: number;
}

/** Names of the special tokens a vocabulary may have. */
export type SpecialTokenName = 'pad' | 'unk' | 'bos' | 'eos';

/** Ids of a vocabulary's special tokens; absent ones are missing. */
export interface SpecialTokenIds {
  pad?: number;
  unk?: number;
  bos?: number;
  eos?: number;
}

/** The tokenizer kinds: one token per character, byte-level BPE (GPT-2 style), or one per word. */
export type TokenizerType = 'char' | 'bpe' | 'word';

/**
 * How to build a tokenizer from text. `char`: one token per distinct character of `text`.
 * `bpe`: byte-level BPE that learns merges up to `vocabSize` tokens (any text encodes).
 * `word`: the `vocabSize` most frequent words (GPT-2 pre-tokenizer pieces); a word vocabulary
 * always has [UNK]. Special tokens come first, in the order pad, unk, bos, eos.
 */
export type TokenizerOptions =
  | { type: 'char'; text: string; specials?: SpecialTokenName[] }
  | {
      type: 'bpe' | 'word';
      text: string;
      /** Vocabulary size to learn, special tokens included (default 8000; fewer for a small text). */
      vocabSize?: number;
      specials?: SpecialTokenName[];
    };

/** A tokenizer in its SLLM-file JSON form (from {@link Tokenizer.serialize}); store it as JSON. */
export interface TokenizerJSON {
  type: string;
  [key: string]: unknown;
}

/** Options of {@link Tokenizer.encode}. */
export interface EncodeOptions {
  /** Map the literal text of special tokens (e.g. `"[EOS]"`) to their ids. Default false. */
  allowSpecial?: boolean;
}

/** Something that holds WebAssembly memory until disposed. */
export interface SllmResource {
  /** True after `dispose()` (or the engine's). */
  readonly disposed: boolean;
  /** Frees the WebAssembly memory now. Idempotent. Objects forgotten without it are freed when garbage-collected. */
  dispose(): void;
  /** The same as `dispose()`, for `using`. */
  [Symbol.dispose](): void;
}

/** Turns text into token ids and back. */
export interface Tokenizer extends SllmResource {
  /** The tokenizer kind. */
  readonly type: TokenizerType;
  /** Number of tokens in the vocabulary (the model's vocabSize). */
  readonly vocabSize: number;
  /** Ids of the special tokens it has. */
  readonly specialTokens: SpecialTokenIds;
  /** Text to ids. Throws SllmTokenizerError for text the vocabulary cannot express (without [UNK]). */
  encode(text: string, options?: EncodeOptions): Promise<Int32Array>;
  /** Ids to text. Throws SllmInvalidArgumentError for an id outside the vocabulary. */
  decode(ids: ArrayLike<number>): Promise<string>;
  /** The vocabulary entry of an id (e.g. `"a"` or `"[EOS]"`). */
  idToToken(id: number): Promise<string>;
  /** The id of a vocabulary entry, or undefined when there is none. */
  tokenToId(token: string): Promise<number | undefined>;
  /** The tokenizer as JSON (restore it with {@link Engine.loadTokenizer}). */
  serialize(): Promise<TokenizerJSON>;
}

/** Names of the built-in presets. */
export type PresetName = 'tiny' | 'small' | 'medium';

/** A model's architecture (the SLLM file's `model` member, in camelCase). */
export interface ModelConfig {
  /** Architecture; `"gpt"`. */
  arch: string;
  /** Vocabulary size; always the tokenizer's. */
  vocabSize: number;
  /** Longest sequence the model sees (its position embedding's length). */
  contextLength: number;
  /** Embedding width. */
  dim: number;
  /** Number of transformer blocks. */
  layers: number;
  /** Attention heads; must divide `dim`. */
  heads: number;
  /** Key/value heads; equals `heads` for `gpt`. */
  kvHeads: number;
  /** Hidden width of the MLP (default 4 × dim when dim is overridden). */
  ffnDim: number;
  /** LayerNorm epsilon. */
  normEps: number;
  /** The output head shares the token embedding. */
  tieEmbeddings: boolean;
  /** Dropout probability during training, in [0, 1). */
  dropout: number;
  /** Seed of the weight initialization. */
  initSeed: number;
}

/** Default training settings of a preset (see {@link TrainerOptions}). */
export type PresetTraining = Partial<Omit<TrainerOptions, 'text' | 'tokens'>>;

/** A built-in model preset. */
export interface PresetInfo {
  /** Its name, for {@link ModelOptions.preset}. */
  name: string;
  /** What it is good for. */
  description: string;
  /** Its architecture (vocabSize is replaced by the tokenizer's). */
  model: ModelConfig;
  /** The training defaults a trainer of such a model starts from. */
  training: PresetTraining;
}

/** How to create a model: a preset and/or config fields, for a tokenizer's vocabulary. */
export interface ModelOptions {
  /** The tokenizer whose vocabulary the model predicts; the model keeps it. */
  tokenizer: Tokenizer;
  /** A built-in preset to start from. Without one, `config` must give contextLength, dim, layers, heads, ffnDim. */
  preset?: PresetName | (string & {});
  /**
   * Fields that override the preset's. Overriding `dim` without `ffnDim` sets ffnDim = 4 × dim;
   * `heads` without `kvHeads` sets kvHeads = heads. `vocabSize`, if given, must equal the tokenizer's.
   */
  config?: Partial<ModelConfig>;
}

/** Sampling options of {@link Model.generate} and {@link Model.stream}. */
export interface GenerateOptions {
  /** Most tokens to generate (default 200). */
  maxTokens?: number;
  /** Softmax temperature; 0 picks the most likely token every time (default 1). */
  temperature?: number;
  /** Sample only among the k most likely tokens (0 = all, the default). */
  topK?: number;
  /** Sample from the smallest set of tokens whose probability reaches topP (default 1 = all). */
  topP?: number;
  /** Seed of the sampler: the same seed gives the same text (default 0). */
  seed?: number;
  /** Stop when the model produces [EOS] (default true). */
  stopAtEos?: boolean;
  /** Cancels generation: the promise rejects / the stream throws with AbortError. */
  signal?: AbortSignal;
}

/** Weight formats of a saved model: smaller files lose a little accuracy. */
export type WeightDType = 'f32' | 'f16' | 'q8_0' | 'q4_0';

/** Options of {@link Model.save}. */
export interface SaveOptions {
  /** Format of the 2-D weight matrices (embeddings, norms and biases stay f32). Default f32. */
  dtype?: WeightDType;
  /** String metadata stored in the file (name, description, ...). */
  metadata?: Record<string, string>;
}

/** Options of {@link Trainer.saveCheckpoint} (checkpoints keep f32 weights). */
export interface CheckpointSaveOptions {
  /** String metadata stored in the file. */
  metadata?: Record<string, string>;
}

/** Where a loaded checkpoint's training stopped. */
export interface CheckpointInfo {
  /** Optimizer steps done. */
  step: number;
  /** Tokens trained on. */
  tokensSeen: number;
  /** Best validation loss so far (Infinity when never evaluated). */
  bestValLoss: number;
  /** The training settings it was made with (used when resuming). */
  config: TrainConfig;
}

/** A transformer language model with its tokenizer. */
export interface Model extends SllmResource {
  /** Its architecture. */
  readonly config: Readonly<ModelConfig>;
  /** Number of trainable parameters. */
  readonly parameterCount: number;
  /** The preset it was made from, if any. */
  readonly preset: string | undefined;
  /** Its tokenizer (the model keeps its own reference: disposing this one does not affect the model). */
  readonly tokenizer: Tokenizer;
  /** Metadata from the file it was loaded from ({} for a new model). */
  readonly metadata: Readonly<Record<string, string>>;
  /** Training state when loaded from a checkpoint (resume with {@link Engine.resumeTrainer}). */
  readonly checkpoint: CheckpointInfo | undefined;
  /** Generates text after `prompt` (an empty prompt starts from [BOS] or a newline). */
  generate(prompt: string, options?: GenerateOptions): Promise<string>;
  /** Streams generated text as it comes, in pieces of whole characters. Break out of the loop to stop. */
  stream(prompt: string, options?: GenerateOptions): AsyncIterableIterator<string>;
  /** The model as an SLLM file. */
  save(options?: SaveOptions): Promise<Uint8Array>;
}

/** Options of {@link Engine.loadModel}. */
export interface LoadModelOptions {
  /**
   * Hand the bytes' buffer over instead of copying it: a Worker engine transfers it to the
   * worker, after which `bytes` is empty (detached). Only when `bytes` spans its whole
   * ArrayBuffer; otherwise, and in the main-thread engine, the bytes are copied. Default false.
   */
  transfer?: boolean;
}

/** What a loaded SLLM file holds. */
export interface LoadedModel {
  /** The model (its `tokenizer` is {@link LoadedModel.tokenizer}). */
  model: Model;
  /** The file's tokenizer. Dispose it separately from the model. */
  tokenizer: Tokenizer;
  /** The file's string metadata. */
  metadata: Record<string, string>;
  /** True for a training checkpoint (then {@link Engine.resumeTrainer} continues it). */
  isCheckpoint: boolean;
  /** The checkpoint's training state, when isCheckpoint. */
  checkpoint: CheckpointInfo | undefined;
  /** The file's whole JSON header (format version, model, tokenizer, tensor table, ...), for inspection. */
  header: Record<string, unknown>;
}

/** Learning-rate schedules: warmup, then constant, cosine or linear decay to minLearningRate at decaySteps. */
export type LrSchedule = 'constant' | 'cosine' | 'linear';

/** Every training setting (resolved: defaults filled in). */
export interface TrainConfig {
  /** Sequences per micro-batch. */
  batchSize: number;
  /** Tokens per sequence (at most the model's contextLength). */
  sequenceLength: number;
  /** Micro-batches per optimizer step (gradient accumulation). */
  gradientAccumulation: number;
  /** Training ends after this many optimizer steps. */
  maxSteps: number;
  /** Learning-rate schedule. */
  schedule: LrSchedule;
  /** Peak learning rate. */
  learningRate: number;
  /** Learning rate reached at decaySteps. */
  minLearningRate: number;
  /** Steps of linear warmup. */
  warmupSteps: number;
  /** Step at which decay reaches minLearningRate (default maxSteps). */
  decaySteps: number;
  /** AdamW beta1. */
  beta1: number;
  /** AdamW beta2. */
  beta2: number;
  /** AdamW epsilon. */
  epsilon: number;
  /** AdamW decoupled weight decay (applied to 2-D weights). */
  weightDecay: number;
  /** Clip the gradients' global norm to this (0 = off). */
  gradientClip: number;
  /** Dropout during training; -1 keeps the model's own. */
  dropout: number;
  /** Fraction of the corpus (its end) held out for validation, in [0, 1). */
  validationSplit: number;
  /** Validation batches per evaluation. */
  evalBatches: number;
  /** Evaluate every this many steps during {@link Trainer.run} (0 = only at the end). */
  evalInterval: number;
  /** Stop after this many evaluations without improvement (0 = never). */
  earlyStopPatience: number;
  /** An evaluation must improve the best validation loss by more than this. */
  earlyStopMinDelta: number;
  /** Seed of batch sampling and dropout. */
  seed: number;
}

/** The corpus a trainer learns from: text (encoded with the model's tokenizer) or token ids. */
export type TrainingData = { text: string; tokens?: undefined } | { tokens: ArrayLike<number>; text?: undefined };

/**
 * How to train: the data plus any {@link TrainConfig} settings. Defaults come from the model's
 * preset (its `training` member) when it has one, else from the core's defaults.
 */
export type TrainerOptions = TrainingData & Partial<TrainConfig>;

/** One optimizer step's report, yielded by {@link Trainer.run}. */
export interface TrainingProgress {
  /** Steps done (this one included). */
  step: number;
  /** The configured number of steps. */
  maxSteps: number;
  /** Mean training loss of this step. */
  loss: number;
  /** Validation loss, when this step evaluated. */
  valLoss?: number;
  /** exp(valLoss), when this step evaluated. */
  valPerplexity?: number;
  /** Learning rate used. */
  lr: number;
  /** Global gradient norm before clipping. */
  gradNorm: number;
  /** Tokens trained on so far. */
  tokens: number;
  /** Training speed of this run so far (pauses excluded). */
  tokensPerSecond: number;
  /** Active training time of this run so far, in milliseconds. */
  elapsedMs: number;
  /** Estimated milliseconds to maxSteps at this run's speed. */
  etaMs: number;
  /** True on the last step (maxSteps reached or stopped early). */
  done: boolean;
  /** True when early stopping ended training. */
  earlyStopped: boolean;
}

/** Result of {@link Trainer.evaluate}. */
export interface EvalResult {
  /** Mean cross-entropy over the validation batches. */
  loss: number;
  /** exp(loss). */
  perplexity: number;
}

/** Options of {@link Trainer.run}. */
export interface RunOptions {
  /** Aborting stops the run: the iterator throws AbortError. The model keeps what it learned. */
  signal?: AbortSignal;
}

/** What a trainer is doing. */
export type TrainerState = 'idle' | 'running' | 'paused' | 'done';

/** Trains a model with AdamW on a corpus. */
export interface Trainer extends SllmResource {
  /** The model it trains (training updates it in place). */
  readonly model: Model;
  /** The resolved training settings. */
  readonly config: Readonly<TrainConfig>;
  /** Tokens in the training split. */
  readonly trainTokens: number;
  /** Tokens in the validation split. */
  readonly valTokens: number;
  /** idle, running (inside run()), paused, or done (maxSteps reached or stopped early). */
  readonly state: TrainerState;
  /**
   * Trains until done, yielding a progress event after every step and giving the event loop a
   * turn between steps. Evaluates every evalInterval steps and at the end. Only one run at a
   * time; after stop() or a break, run() again continues where it left off.
   */
  run(options?: RunOptions): AsyncIterableIterator<TrainingProgress>;
  /** One optimizer step outside run() (no evaluation). */
  step(): Promise<TrainingProgress>;
  /** Validation loss on the fixed validation batches (needs validationSplit > 0). */
  evaluate(): Promise<EvalResult>;
  /** Pauses the current run after the step in progress (or the next run before its first step). */
  pause(): void;
  /** Resumes a paused run. */
  resume(): void;
  /** Ends the current run after the step in progress; its iterator finishes normally. */
  stop(): void;
  /** A checkpoint: weights, optimizer and training state, to continue later exactly. */
  saveCheckpoint(options?: CheckpointSaveOptions): Promise<Uint8Array>;
}

/**
 * The sllm engine: one WebAssembly module instance and everything created with it. Objects of
 * one engine cannot be used with another.
 */
export interface Engine extends SllmResource {
  /** The build that loaded. */
  readonly backend: Backend;
  /** The built-in model presets. */
  listPresets(): Promise<PresetInfo[]>;
  /** Builds a tokenizer from text. */
  createTokenizer(options: TokenizerOptions): Promise<Tokenizer>;
  /** Restores a tokenizer from {@link Tokenizer.serialize}'s JSON. Throws SllmFormatError if invalid. */
  loadTokenizer(json: TokenizerJSON): Promise<Tokenizer>;
  /** Creates a freshly initialized model. Throws SllmConfigError for a bad configuration. */
  createModel(options: ModelOptions): Promise<Model>;
  /** Creates a trainer for a model on a corpus. */
  createTrainer(model: Model, options: TrainerOptions): Promise<Trainer>;
  /**
   * Continues training a model loaded from a checkpoint, on the same corpus, exactly where it
   * stopped (same settings, optimizer state and random stream). The trainer takes over the
   * checkpoint's state, so each loaded checkpoint resumes once; load the file again to repeat.
   */
  resumeTrainer(model: Model, data: TrainingData): Promise<Trainer>;
  /** Reads an SLLM file (model or checkpoint). Throws SllmFormatError for invalid bytes. */
  loadModel(bytes: Uint8Array, options?: LoadModelOptions): Promise<LoadedModel>;
  /** WebAssembly memory use. */
  memoryStats(): Promise<MemoryStats>;
}
