// types/model.ts: the public interface of models: presets and the architecture config, how to
// create a model, sampling options of generation, save options and weight formats, and the
// Model itself.

import type { Engine, SllmResource } from './engine.js';
import type { HuggingFaceExportOptions, HuggingFaceFiles } from './huggingface.js';
import type { AdapterMethods } from './lora.js';
import type { Tokenizer } from './tokenizer.js';
import type { CheckpointInfo, TrainerOptions } from './training.js';

import type { GenerateSettings, ModelConfig } from '../generated/options.js';

export type { GenerateSettings, ModelConfig } from '../generated/options.js';

/** Names of the built-in presets. */
export type PresetName = 'tiny' | 'small' | 'medium' | 'llama-tiny' | 'llama-small';

/** Architectures: `gpt` (GPT-2: LayerNorm, learned positions, GELU, biases) and `llama`. */
export type Architecture = ModelConfig['arch'];

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
   * Fields that override the preset's. Overriding `dim` or `arch` without `ffnDim` sets the
   * architecture's MLP width (4 × dim for gpt, 8/3 × dim rounded up to 32 for llama); `heads`
   * without `kvHeads` sets kvHeads = heads. `vocabSize`, if given, must equal the tokenizer's.
   */
  config?: Partial<ModelConfig>;
}

/** Sampling options of {@link Model.generate} and {@link Model.stream} (defaults: the core's). */
export interface GenerateOptions extends Partial<GenerateSettings> {
  /** Cancels generation: the promise rejects / the stream throws with AbortError. */
  signal?: AbortSignal;
}

/** Number formats of the KV cache (see {@link GenerateOptions.kvCache}). */
export type KVCacheDType = GenerateSettings['kvCache'];

/** Weight formats of a saved model: smaller files lose a little accuracy. */
export type WeightDType = 'f32' | 'f16' | 'q8_0' | 'q4_0';

/** Options of {@link Model.save}. */
export interface SaveOptions {
  /** Format of the 2-D weight matrices (embeddings, norms and biases stay f32). Default f32. */
  dtype?: WeightDType;
  /** String metadata stored in the file (name, description, ...). */
  metadata?: Record<string, string>;
}

/**
 * Memory of a model in bytes, from the core ({@link Model.memory}): what its weights hold now,
 * and what one generation (each running `generate()` / `stream()` call) adds.
 */
export interface ModelMemory {
  /**
   * The weights as held: f32, or for a model loaded from a file, the file's own bytes in its
   * dtype (f16, q8_0, q4_0: a q4_0 model takes about its file's size) until training converts
   * them to f32.
   */
  weights: number;
  /** True while the weights are held in the file's dtype (loaded for generation, not yet trained). */
  packed: boolean;
  /**
   * The dtype the blocks' weight matrices are held in now: the file's while packed (a LoRA run
   * keeps it), else f32.
   */
  dtype: WeightDType;
  /** A generation's key/value cache, allocated for the whole context length (in the format asked). */
  kvCache: number;
  /** A generation's working buffers (for a prompt processed 128 tokens at a time). */
  scratch: number;
  /** weights + kvCache + scratch: the model with one generation running. */
  total: number;
}

/** A transformer language model with its tokenizer (and, fine-tuned with LoRA, an adapter). */
export interface Model extends SllmResource, AdapterMethods {
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
  /**
   * The model's own Jinja chat template, from its file: the metadata `chat_template`, else the
   * tokenizer's `chat_template` (GGUF and Hugging Face imports keep theirs there). Undefined for
   * a model without one (the chat API then uses its default; see docs/package.md).
   */
  readonly chatTemplate: string | undefined;
  /** Generates text after `prompt` (an empty prompt starts from [BOS] or a newline). */
  generate(prompt: string, options?: GenerateOptions): Promise<string>;
  /** Streams generated text as it comes, in pieces of whole characters. Break out of the loop to stop. */
  stream(prompt: string, options?: GenerateOptions): AsyncIterableIterator<string>;
  /**
   * The model as an SLLM file. A model carrying an enabled LoRA adapter saves as what it
   * computes: base + adapter merged (it keeps its adapter; {@link AdapterMethods.saveAdapter}
   * saves the adapter alone). The same holds for toGguf() and toHuggingFace().
   */
  save(options?: SaveOptions): Promise<Uint8Array>;
  /** Memory its weights take now, and what a generation adds (KV cache, scratch). */
  memory(options?: { kvCache?: KVCacheDType }): Promise<ModelMemory>;
  /**
   * The model as a GGUF file for llama.cpp, Ollama, LM Studio or wllama (architecture `gpt` as
   * llama.cpp's `gpt2`, `llama` as `llama`), with the same dtype rules as {@link Model.save};
   * `metadata.name` and `metadata.description` become `general.name`/`general.description`.
   * Throws SllmInvalidArgumentError for a word tokenizer, which GGUF cannot express.
   */
  toGguf(options?: SaveOptions): Promise<Uint8Array>;
  /**
   * The model as a Hugging Face folder that transformers' from_pretrained loads: model.safetensors,
   * config.json, generation_config.json, tokenizer.json and tokenizer_config.json (with the chat
   * template). Throws SllmInvalidArgumentError for a tokenizer with no tokenizer.json form.
   */
  toHuggingFace(options?: HuggingFaceExportOptions): Promise<HuggingFaceFiles>;
}
