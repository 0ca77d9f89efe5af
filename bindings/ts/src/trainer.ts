// trainer.ts (internal): the main-thread Trainer over a C++ TrainerHandle. run() is an async
// generator over the core's schedule (Trainer::advance): one wasm call per optimizer step or
// validation batch, a progress event per step saying what the core did (evaluated, stopped
// early, done), and a turn of the event loop between calls, where pause(), resume(), stop()
// and AbortSignals take effect.

import { SllmInvalidArgumentError, throwIfAborted } from './errors.js';
import type { StepResult, TrainerHandle } from './glue.js';
import { checkMetadata } from './metadata.js';
import type { WasmModel } from './model.js';
import { trainConfigFromJson } from './options.js';
import { Resource, type Runtime } from './runtime.js';
import type {
  CheckpointSaveOptions,
  EvalResult,
  RunOptions,
  TrainConfig,
  Trainer,
  TrainerMemory,
  TrainerState,
  TrainingProgress,
} from './types.js';
import { yieldToEventLoop } from './yield.js';

const now = () => (typeof performance === 'object' ? performance.now() : Date.now());

export class WasmTrainer extends Resource<TrainerHandle> implements Trainer {
  readonly model: WasmModel;
  readonly config: Readonly<TrainConfig>;
  readonly trainTokens: number;
  readonly valTokens: number;
  #done: boolean;
  #running = false;
  #paused = false;
  #stopRequested = false;
  #wake: (() => void) | undefined;
  #active: AsyncGenerator<TrainingProgress, void, undefined> | undefined;

  constructor(rt: Runtime, handle: TrainerHandle, model: WasmModel) {
    super(rt, handle, 'trainer');
    this.model = model;
    this.config = Object.freeze(trainConfigFromJson(rt.invoke(() => handle.configJson())));
    this.trainTokens = rt.invoke(() => handle.trainTokens());
    this.valTokens = rt.invoke(() => handle.valTokens());
    this.#done = rt.invoke(() => handle.done());
  }

  get state(): TrainerState {
    if (this.#done) return 'done';
    if (this.#paused) return 'paused';
    return this.#running ? 'running' : 'idle';
  }

  pause(): void {
    this.#paused = true;
  }

  resume(): void {
    this.#paused = false;
    this.#wakeUp();
  }

  stop(): void {
    if (!this.#running) return;
    this.#stopRequested = true;
    this.#paused = false;
    this.#wakeUp();
    // Also ends a run whose iterator was abandoned at a yield (never resumed, never returned).
    void this.#active?.return(undefined);
  }

  override dispose(): void {
    super.dispose();
    this.#wakeUp();
    void this.#active?.return(undefined);
  }

  #wakeUp(): void {
    const wake = this.#wake;
    this.#wake = undefined;
    wake?.();
  }

  async #waitWhilePaused(signal: AbortSignal | undefined): Promise<void> {
    while (this.#paused && !this.#stopRequested && !signal?.aborted && !this.disposed)
      await new Promise<void>((resolve) => (this.#wake = resolve));
  }

  #progress(r: StepResult, activeMs: number, runSteps: number, runTokens: number) {
    const maxSteps = this.config.maxSteps;
    const progress: TrainingProgress = {
      step: r.step,
      maxSteps,
      loss: r.loss,
      lr: r.lr,
      gradNorm: r.gradNorm,
      tokens: r.tokens,
      tokensPerSecond: activeMs > 0 ? (runTokens * 1000) / activeMs : 0,
      elapsedMs: activeMs,
      etaMs: this.#done || runSteps === 0 ? 0 : (activeMs / runSteps) * Math.max(0, maxSteps - r.step),
      done: r.done,
      earlyStopped: r.earlyStopped,
      wasmMemoryBytes: 0,
      peakMemoryBytes: 0,
    };
    const m = this.rt.invoke((mod) => mod.memoryStats());
    progress.wasmMemoryBytes = m.wasmMemoryBytes;
    progress.peakMemoryBytes = m.peakBytes;
    if (r.evaluated) {
      progress.valLoss = r.valLoss;
      progress.valPerplexity = r.valPerplexity;
    }
    return progress;
  }

  run(options: RunOptions = {}): AsyncIterableIterator<TrainingProgress> {
    const gen = this.#run(options);
    this.#active = gen;
    return gen;
  }

  async *#run(options: RunOptions): AsyncGenerator<TrainingProgress, void, undefined> {
    const { signal } = options;
    const h = this.handle;
    if (this.#running)
      throw new SllmInvalidArgumentError(
        'this trainer is already running; finish or stop() the current run() before starting another',
      );
    throwIfAborted(signal, 'training');
    this.#running = true;
    this.#stopRequested = false;
    const onAbort = () => this.#wakeUp();
    signal?.addEventListener('abort', onAbort);
    const stepsAtStart = this.rt.invoke(() => h.steps());
    const tokensAtStart = this.rt.invoke(() => h.tokensSeen());
    let activeMs = 0;
    try {
      while (!this.#done) {
        await this.#waitWhilePaused(signal);
        if (this.#stopRequested || this.disposed) break;
        throwIfAborted(signal, 'training');
        // The step, then the evaluation the schedule calls for after it (if any), one
        // validation batch per call with a turn of the event loop in between.
        let t0 = now();
        this.model.weightsChanged();  // cached chat conversations are stale (before: a failed step may change them too)
        let r = this.rt.invoke(() => h.advance()) as StepResult | null;
        activeMs += now() - t0;
        while (r === null) {
          await yieldToEventLoop();
          t0 = now();
          r = this.rt.invoke(() => h.advance()) as StepResult | null;
          activeMs += now() - t0;
        }
        this.#done = r.done;
        yield this.#progress(r, activeMs, r.step - stepsAtStart, r.tokens - tokensAtStart);
        if (this.#done) break;
        await yieldToEventLoop();
      }
    } finally {
      this.#running = false;
      this.#stopRequested = false;
      signal?.removeEventListener('abort', onAbort);
    }
  }

  async step(): Promise<TrainingProgress> {
    const h = this.handle;
    if (this.#running)
      throw new SllmInvalidArgumentError('this trainer is inside run(); stop() it before calling step() directly');
    const t0 = now();
    this.model.weightsChanged();
    const r = this.rt.invoke(() => h.trainStep()) as StepResult;
    this.#done = r.done;
    const ms = now() - t0;
    return this.#progress(r, ms, 1, this.config.batchSize * this.config.sequenceLength *
      this.config.gradientAccumulation);
  }

  async evaluate(): Promise<EvalResult> {
    return (await this.#evaluate()).result;
  }

  /** One validation batch per wasm call, yielding in between, so a page is never blocked for a
   *  whole evaluation; ms is the time spent computing. Updates early stopping. */
  async #evaluate(): Promise<{ result: EvalResult; ms: number }> {
    let ms = 0;
    const timed = <T>(f: () => T): T => {
      const t0 = now();
      try {
        return this.rt.invoke(f) as T;
      } finally {
        ms += now() - t0;
      }
    };
    const n = timed(() => this.handle.evalBatchCount());
    let sum = 0;
    for (let i = 0; i < n; i++) {
      if (i > 0) await yieldToEventLoop();
      sum += timed(() => this.handle.evalBatch(i));
    }
    const result = timed(() => this.handle.finishEval(sum)) as EvalResult;
    this.#done = this.rt.invoke(() => this.handle.done());
    return { result, ms };
  }

  async memory(): Promise<TrainerMemory> {
    const h = this.handle;
    return JSON.parse(this.rt.invoke(() => h.memoryJson())) as TrainerMemory;
  }

  async saveCheckpoint(options: CheckpointSaveOptions = {}): Promise<Uint8Array> {
    const { metadata, ...rest } = options;
    const unknown = Object.keys(rest);
    if (unknown.length)
      throw new SllmInvalidArgumentError(`unknown checkpoint option "${unknown[0]}"; checkpoints take metadata`);
    const json = JSON.stringify({ metadata: checkMetadata(metadata, 'checkpoint') });
    const h = this.handle;
    return this.rt.invoke(() => h.saveCheckpoint(json)) as Uint8Array;
  }
}
