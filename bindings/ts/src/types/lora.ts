// types/lora.ts: the public interface of LoRA fine-tuning: a model's adapter (what it is, how
// it is saved and loaded) and the memory a trainer takes. Training an adapter is a trainer
// option (loraRank, loraAlpha, loraDropout, loraTargets; with recompute and chunked for less
// memory): see TrainConfig.

import type { MemoryParts } from './engine.js';
import type { CheckpointInfo } from './training.js';

/** The linear layers an adapter can go on (`ffn_gate` is llama's). */
export type LoraTarget = 'attn_q' | 'attn_k' | 'attn_v' | 'attn_output' | 'ffn_gate' | 'ffn_up' | 'ffn_down';

/** The LoRA adapter a model carries. */
export interface AdapterInfo {
  /** Its rank r: each target layer W (out × in) gets B (out × r) · A (r × in). */
  rank: number;
  /** The update is scaled by alpha / rank. */
  alpha: number;
  /** Dropout on the adapter's input in training. */
  dropout: number;
  /** The layers it adapts, in every block. */
  targets: LoraTarget[];
  /** Its parameters (what trains; the base stays frozen). */
  parameterCount: number;
  /** False while switched off with {@link AdapterMethods.setAdapterEnabled}: the model then computes the base's outputs. */
  enabled: boolean;
}

/** What {@link AdapterMethods.loadAdapter} loaded. */
export interface LoadedAdapterInfo extends AdapterInfo {
  /** The file's metadata. */
  metadata: Record<string, string>;
  /** A LoRA run's checkpoint: where it stopped (continue it with engine.resumeTrainer(model, data)). */
  checkpoint?: CheckpointInfo;
}

/** Options of {@link AdapterMethods.saveAdapter}. */
export interface AdapterSaveOptions {
  /** String metadata stored in the file. */
  metadata?: Record<string, string>;
}

/** A model's LoRA adapter methods (part of Model). */
export interface AdapterMethods {
  /** The adapter the model carries (a trainer with loraRank attaches one), or undefined. */
  adapterInfo(): Promise<AdapterInfo | undefined>;
  /**
   * Loads an adapter file (or a LoRA run's checkpoint) onto this model, replacing any adapter
   * it carries. Rejects with SllmFormatError for a broken file and SllmConfigError when this
   * model is not the base the adapter was trained on (another shape, or other weights: the file
   * names its base by a checksum of the base's weights).
   */
  loadAdapter(bytes: Uint8Array): Promise<LoadedAdapterInfo>;
  /** The adapter as its own small SLLM file (rejects when the model carries none). */
  saveAdapter(options?: AdapterSaveOptions): Promise<Uint8Array>;
  /**
   * Adds the adapter into the weights (W += alpha/rank · B·A) and drops it: the model then
   * computes what base + adapter did, and saves and exports (SLLM, GGUF, Hugging Face) as one model.
   */
  mergeAdapter(): Promise<void>;
  /** Drops the adapter: the model is its base again. */
  removeAdapter(): Promise<void>;
  /** Switches the adapter off (the base's outputs, e.g. to compare samples) and on again. */
  setAdapterEnabled(enabled: boolean): Promise<void>;
}

/** A trainer's memory: the core's estimate for its setup, and the WebAssembly memory measured. */
export interface TrainerMemory {
  /** Weights (as held: a frozen base in its dtype), gradients and AdamW state (of what trains), activations, scratch. */
  estimate: MemoryParts;
  /** The WebAssembly memory's size now (it grows, never shrinks). */
  wasmMemoryBytes: number;
  /** The most memory the module has needed so far (static data, stack and the heap's peak). */
  peakBytes: number;
}
