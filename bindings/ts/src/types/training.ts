// types/training.ts: the public interface of training: the training settings and data, the
// progress events of a run, evaluation results, checkpoints, and the Trainer itself.

import type { SllmResource } from './engine.js';
import type { TrainerMemory } from './lora.js';
import type { Model } from './model.js';

import type { TrainConfig } from '../generated/options.js';

export type { TrainConfig } from '../generated/options.js';

/** Learning-rate schedules: warmup, then constant, cosine or linear decay to minLearningRate at decaySteps. */
export type LrSchedule = TrainConfig['schedule'];

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
  /** The WebAssembly memory's size after this step (it grows, never shrinks). */
  wasmMemoryBytes: number;
  /** The most memory the module has needed so far (static data, stack and the heap's peak). */
  peakMemoryBytes: number;
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
  /**
   * A checkpoint: weights, optimizer and training state, to continue later exactly. A LoRA
   * run's checkpoint holds the adapter (not the frozen base): load it onto its base with
   * model.loadAdapter() and continue with engine.resumeTrainer().
   */
  saveCheckpoint(options?: CheckpointSaveOptions): Promise<Uint8Array>;
  /** Its memory: the core's estimate for this setup and the WebAssembly memory measured. */
  memory(): Promise<TrainerMemory>;
}
