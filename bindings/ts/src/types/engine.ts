// types/engine.ts: the public interface of the engine: createEngine()'s options, the Engine
// with its factory methods, what loadModel() returns, memory statistics, and SllmResource,
// the disposable base of everything an engine creates. Both engines (main thread and Worker)
// implement it, which is why every operation that touches the model returns a Promise.

import '../disposable.js';
import type { CheckpointInfo, Trainer, TrainerOptions, TrainingData } from './training.js';
import type { Model, ModelOptions, PresetInfo } from './model.js';
import type { Tokenizer, TokenizerJSON, TokenizerOptions } from './tokenizer.js';

/** Something that holds WebAssembly memory until disposed. */
export interface SllmResource {
  /** True after `dispose()` (or the engine's). */
  readonly disposed: boolean;
  /** Frees the WebAssembly memory now. Idempotent. Objects forgotten without it are freed when garbage-collected. */
  dispose(): void;
  /** The same as `dispose()`, for `using`. */
  [Symbol.dispose](): void;
}

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

/** Bytes of WebAssembly memory, part by part (see {@link Engine.estimateMemory}). */
export interface MemoryParts {
  /** The parameters (f32). */
  weights: number;
  /** Their gradients (training). */
  gradients: number;
  /** AdamW's two moments (training). */
  optimizer: number;
  /** What a training step keeps for the backward pass, and its scratch. */
  activations: number;
  /** Keys and values of every layer for the whole context (generation). */
  kvCache: number;
  /** The decoder's buffers for a prefill chunk (generation). */
  scratch: number;
  /** The sum. */
  total: number;
}

/** What a model would take, from the core's own layout and activation plan (no model is built). */
export interface MemoryEstimate {
  /** Trainable parameters. */
  parameters: number;
  /** The complete config the options describe. */
  config: import('./model.js').ModelConfig;
  /** Training it with the given (or the preset's) batch and sequence length. */
  training: MemoryParts;
  /** Generating with it. */
  inference: MemoryParts;
}

/** What {@link Engine.estimateMemory} estimates: a model as createModel would make it, and its training settings. */
export interface EstimateOptions {
  /** A built-in preset to start from. */
  preset?: import('./model.js').PresetName | (string & {});
  /** Fields that override the preset's (as {@link ModelOptions.config}); vocabSize is required. */
  config: Partial<import('./model.js').ModelConfig> & { vocabSize: number };
  /** Training settings (batchSize, sequenceLength, dropout, ...) over the preset's. */
  training?: Partial<import('./training.js').TrainConfig>;
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
  /**
   * Parameters and memory of a model before it exists (for a settings page): weights,
   * gradients, optimizer state and activations of training, weights, KV cache and scratch of
   * generation. Computed by the core from the same layout and activation plan it allocates by.
   */
  estimateMemory(options: EstimateOptions): Promise<MemoryEstimate>;
}
