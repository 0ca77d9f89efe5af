// types/engine.ts: the public interface of the engine: createEngine()'s options, the Engine
// with its factory methods, what loadModel() returns, memory statistics, and SllmResource,
// the disposable base of everything an engine creates. Both engines (main thread and Worker)
// implement it, which is why every operation that touches the model returns a Promise.

import '../disposable.js';
import type { CheckpointInfo, Trainer, TrainerOptions, TrainingData } from './training.js';
import type { HuggingFaceFiles, ImportHuggingFaceOptions } from './huggingface.js';
import type { Model, ModelOptions, PresetInfo } from './model.js';
import type { Tokenizer, TokenizerJSON, TokenizerOptions } from './tokenizer.js';
import type { Chat, Completions, RegisterModelOptions } from './chat.js';

/** Something that holds WebAssembly memory until disposed. */
export interface SllmResource {
  /** True after `dispose()` (or the engine's). */
  readonly disposed: boolean;
  /** Frees the WebAssembly memory now. Idempotent. Objects forgotten without it are freed when garbage-collected. */
  dispose(): void;
  /** The same as `dispose()`, for `using`. */
  [Symbol.dispose](): void;
}

/**
 * Which WebAssembly build runs: `simd-threads` (wasm SIMD on several threads: needs shared
 * memory, i.e. a cross-origin isolated page, and an engine in a Worker), `simd` (wasm SIMD, one
 * thread) or `scalar` (one thread, runs everywhere).
 */
export type Backend = 'simd-threads' | 'simd' | 'scalar';

/**
 * The files of the WebAssembly builds, as {@link EngineOptions.locateWasm} is asked for them:
 * each build's `.wasm`, and the threads build's JavaScript glue and pthread worker script,
 * which its worker threads load by URL.
 */
export type WasmFile =
  | 'sllm-simd.wasm'
  | 'sllm.wasm'
  | 'sllm-simd-threads.wasm'
  | 'sllm-simd-threads.mjs'
  | 'sllm-simd-threads.worker.js';

/** Options of {@link createEngine}. */
export interface EngineOptions {
  /**
   * `'auto'` (default) loads the threads build when it can use threads (a cross-origin isolated
   * page, shared memory, wasm SIMD, the engine in a Worker, and `threads` above 1), else the
   * SIMD build when the engine supports wasm SIMD, else the scalar build, each falling back to
   * the next if it fails to load. `'simd-threads'`, `'simd'` or `'scalar'` force one (in Node,
   * where nothing is cross-origin isolated, ask for `'simd-threads'` to use threads).
   */
  backend?: Backend | 'auto';
  /**
   * How many threads the threads build uses, the engine's own included (an integer from 1 to
   * 64). Default: the number of logical processors (`navigator.hardwareConcurrency`), at most 8.
   * The other builds, and an engine on a page's main thread (which must not block the page),
   * use one; {@link Engine.threads} says how many run.
   */
  threads?: number;
  /**
   * Where the build files are served from (a directory URL, ending in `/`). By default they are
   * found next to the package's JavaScript (`dist/wasm/`), which bundlers such as Vite and
   * webpack copy automatically.
   */
  wasmBaseUrl?: string | URL;
  /** Full control over the build files' locations: given the file name, return its URL. Wins over `wasmBaseUrl`. */
  locateWasm?: (fileName: WasmFile) => string | URL;
}

/** Memory use of the WebAssembly module, for diagnostics and leak checks. */
export interface MemoryStats {
  /** Bytes currently allocated by the C++ heap (malloc's in-use bytes). */
  heapBytesInUse: number;
  /** Bytes the C++ heap has obtained from WebAssembly memory. */
  heapBytesReserved: number;
  /** Size of the WebAssembly memory (it grows, never shrinks; at most 4 GiB). */
  wasmMemoryBytes: number;
  /**
   * The most memory the module has needed: its static data and stack plus the heap's peak
   * (the WebAssembly memory grows in steps of up to a fifth of its size above that).
   */
  peakBytes: number;
}

/** Bytes of WebAssembly memory, part by part (see {@link Engine.estimateMemory}). */
export interface MemoryParts {
  /** The parameters (f32; under a LoRA adapter, the frozen base as held plus the adapter). */
  weights: number;
  /** The gradients of what trains (training). */
  gradients: number;
  /** AdamW's two moments of what trains (training). */
  optimizer: number;
  /** What a training step keeps for the backward pass, and its scratch. */
  activations: number;
  /** Keys and values of every layer for the whole context (generation). */
  kvCache: number;
  /** Generation: the decoder's buffers for a prefill chunk; training: each thread's GEMM panels and attention scores. */
  scratch: number;
  /** The sum. */
  total: number;
}

/** What a model would take, from the core's own layout and activation plan (no model is built). */
export interface MemoryEstimate {
  /** The model's parameters. */
  parameters: number;
  /** What trains: the adapter's parameters with loraRank, else all of them. */
  trainableParameters: number;
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
  /**
   * Training settings (batchSize, sequenceLength, dropout, loraRank, recompute, chunked, ...)
   * over the preset's.
   */
  training?: Partial<import('./training.js').TrainConfig>;
  /** With loraRank: the frozen base's weights as held (a model loaded from a file of that dtype). Default f32. */
  baseDtype?: import('./model.js').WeightDType;
  /** Threads training runs on (each has its own scratch). Default 1. */
  threads?: number;
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

/** What a loaded SLLM file (or an imported Hugging Face folder) holds. */
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
  /**
   * The file's whole JSON header (format version, model, tokenizer, tensor table, ...), for
   * inspection. For a GGUF file: `{ format: 'gguf', version, architecture, file_type, model,
   * tensors: [{ name, type, shape, nbytes }] }`.
   */
  header: Record<string, unknown>;
}

/**
 * The sllm engine: one WebAssembly module instance and everything created with it. Objects of
 * one engine cannot be used with another.
 */
export interface Engine extends SllmResource {
  /** The build that loaded. */
  readonly backend: Backend;
  /** How many threads its kernels run on (1 except with the `simd-threads` build). */
  readonly threads: number;
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
  /**
   * Imports a Hugging Face model folder (GPT2LMHeadModel or LlamaForCausalLM, safetensors in
   * f32, f16 or bf16, sharded or not, with its tokenizer.json). The files are read one tensor at
   * a time where they are, so wasm memory holds about the model's f32 size. Throws
   * SllmFormatError saying what is missing, inconsistent or not supported.
   */
  importHuggingFace(files: HuggingFaceFiles, options?: ImportHuggingFaceOptions): Promise<LoadedModel>;
  /** WebAssembly memory use. */
  memoryStats(): Promise<MemoryStats>;

  /**
   * The OpenAI-style chat API: `engine.chat.completions.create({ model, messages, stream, ... })`
   * renders the conversation with the model's chat template and answers with a ChatCompletion
   * or, with `stream: true`, an async iterable of chunks. A follow-up turn reuses the cached
   * conversation. Bad requests reject with SllmRequestError. See docs/package.md.
   */
  readonly chat: Chat;
  /** The OpenAI-style completion of a plain prompt: `engine.completions.create({ model, prompt, ... })`. */
  readonly completions: Completions;
  /**
   * Names a model for the chat API's `model` field (replacing an earlier model of that id), with
   * a chat template to use instead of the model's own. A request may also pass the Model object.
   */
  registerModel(id: string, model: Model, options?: RegisterModelOptions): void;
  /** Removes an id; false when it was not registered. */
  unregisterModel(id: string): boolean;
  /** The registered ids. */
  registeredModels(): string[];
  /**
   * Forgets a model's cached conversation (the next request computes its whole prompt); `model`
   * as a request's. WebLLM's form, `resetChat(keepStats, modelId)`, works too.
   */
  resetChat(model?: string | Model | boolean, modelId?: string): Promise<void>;
  /**
   * Parameters and memory of a model before it exists (for a settings page): weights,
   * gradients, optimizer state and activations of training, weights, KV cache and scratch of
   * generation. Computed by the core from the same layout and activation plan it allocates by.
   */
  estimateMemory(options: EstimateOptions): Promise<MemoryEstimate>;
}
