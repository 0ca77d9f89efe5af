// threads.test.ts: the threads build (sllm-simd-threads) in Node, its pthreads in worker_threads.
// The same seed gives bit-identical training losses over 50 steps and the same greedy text on
// 1, 2, 3 and 4 threads, and the threads build on one thread equals the single-threaded SIMD
// build; the thread option is checked; 200 create/train/dispose cycles of threaded engines
// leave no worker thread and no memory behind; stopping and aborting during steps end cleanly.
import { describe, expect, it } from 'vitest';
import {
  AbortError,
  createEngine,
  createWorkerEngine,
  SllmConfigError,
  SllmFormatError,
  SllmInvalidArgumentError,
  SllmOutOfMemoryError,
  SllmTrainingError,
  type Engine,
  type TrainingProgress,
} from '../dist/index.js';
import { liveWorkers } from '../dist/node-threads.js';
import { corpus, expectError, rawModule, runtime } from './helpers.js';
import { nodeWorker } from './node-worker.js';

const TEXT = corpus(1200);
// Large enough that every parallel kernel splits its work (GEMM rows = batch x context = 256).
const MODEL = { contextLength: 64, dim: 64, layers: 2, heads: 4, ffnDim: 256, dropout: 0.1 } as const;
const TRAIN = { batchSize: 4, sequenceLength: 64, learningRate: 3e-3, warmupSteps: 5, evalBatches: 2, evalInterval: 25 } as const;

interface Outcome {
  losses: number[];
  valLosses: number[];
  text: string;
}

async function trainAndTalk(engine: Engine, steps = 50): Promise<Outcome> {
  const tokenizer = await engine.createTokenizer({ type: 'char', text: TEXT });
  const model = await engine.createModel({ tokenizer, config: MODEL });
  const trainer = await engine.createTrainer(model, { text: TEXT, ...TRAIN, maxSteps: steps });
  const out: Outcome = { losses: [], valLosses: [], text: '' };
  for await (const p of trainer.run()) {
    out.losses.push(p.loss);
    if (p.valLoss !== undefined) out.valLosses.push(p.valLoss);
  }
  out.text = await model.generate('Ada sees', { temperature: 0, maxTokens: 80 });
  trainer.dispose();
  model.dispose();
  tokenizer.dispose();
  return out;
}

/** Waits (up to 5 s) until every worker thread of disposed engines has exited; returns how many live. */
async function settledWorkers(): Promise<number> {
  for (let i = 0; i < 250 && liveWorkers() > 0; i++) await new Promise((r) => setTimeout(r, 20));
  return liveWorkers();
}

/** Float32 bit patterns, so equality means bit-identical. */
const bits = (xs: number[]) => Array.from(new Uint32Array(new Float32Array(xs).buffer));

describe('the threads build in Node', () => {
  it('loads when asked for, with the thread count asked for; auto stays single-threaded in Node', async () => {
    const engine = await createEngine({ backend: 'simd-threads', threads: 3 });
    expect(engine.backend).toBe('simd-threads');
    expect(engine.threads).toBe(3);
    expect(liveWorkers()).toBeGreaterThanOrEqual(2);
    engine.dispose();
    const auto = await createEngine({ threads: 4 });
    expect(auto.backend).toBe('simd');  // Node is not cross-origin isolated: no threads unless asked
    expect(auto.threads).toBe(1);
    auto.dispose();
    const worker = await createWorkerEngine({ worker: nodeWorker(), backend: 'simd-threads', threads: 2 });
    expect([worker.backend, worker.threads]).toEqual(['simd-threads', 2]);
    worker.dispose();
  });

  it('turns C++ errors into named errors, as the other builds do', async () => {
    // (Debian's Emscripten 3.1.6 with -pthread caught no C++ exception until its libunwind was
    // rebuilt to match its clang: bindings/src/wasm_eh_threads.c.)
    const engine = await createEngine({ backend: 'simd-threads', threads: 2 });
    const tokenizer = await engine.createTokenizer({ type: 'char', text: TEXT });
    await expectError(engine.createModel({ tokenizer, config: { ...MODEL, dim: 30 } }), SllmConfigError, /heads/);
    await expectError(engine.loadModel(new Uint8Array([1, 2, 3])), SllmFormatError);
    const M = rawModule(engine);
    await expectError(() => runtime(engine).invoke(() => M.debugThrow('Training')), SllmTrainingError);
    await expectError(() => runtime(engine).invoke(() => M.debugThrow('bad_alloc')), SllmOutOfMemoryError);
    const model = await engine.createModel({ tokenizer, config: MODEL });
    expect(model.parameterCount).toBeGreaterThan(0);  // still usable
    engine.dispose();
  });

  it('rejects a bad thread count', async () => {
    for (const threads of [0, -1, 1.5, 65, Number.NaN, '2' as never])
      await expectError(createEngine({ backend: 'simd-threads', threads }), SllmInvalidArgumentError, /threads must be an integer from 1 to 64/);
    await expectError(createWorkerEngine({ worker: nodeWorker(), threads: 0 }), SllmInvalidArgumentError, /threads/);
  });

  it('trains bit-identically and writes the same greedy text on 1, 2, 3 and 4 threads, as the SIMD build', async () => {
    const simd = await createEngine({ backend: 'simd' });
    const reference = await trainAndTalk(simd);
    simd.dispose();
    expect(reference.losses).toHaveLength(50);
    expect(reference.losses[49]).toBeLessThan(reference.losses[0] - 0.5);  // it learned
    expect(reference.valLosses).toHaveLength(2);
    for (const threads of [1, 2, 3, 4]) {
      const engine = await createEngine({ backend: 'simd-threads', threads });
      expect(engine.threads).toBe(threads);
      const got = await trainAndTalk(engine);
      engine.dispose();
      expect(bits(got.losses), `${threads} threads`).toEqual(bits(reference.losses));
      expect(bits(got.valLosses), `${threads} threads`).toEqual(bits(reference.valLosses));
      expect(got.text, `${threads} threads`).toBe(reference.text);
    }
  }, 300_000);

  it('200 create/train/dispose cycles leave no worker thread and no memory behind', async () => {
    const gc = (globalThis as { gc?: () => void }).gc!;
    const settle = async () => {
      for (let i = 0; i < 5; i++) {
        gc();
        await new Promise((r) => setTimeout(r, 20));
      }
    };
    expect(await settledWorkers()).toBe(0);  // no engine alive: the earlier tests' threads ended
    // One threaded engine: 200 tokenizer/model/trainer lifetimes; its heap returns to where it was.
    // (The first cycles size caches that stay: the threads' GEMM packing buffers.)
    const engine = await createEngine({ backend: 'simd-threads', threads: 2 });
    let stats0 = await engine.memoryStats();
    for (let i = 0; i < 210; i++) {
      const tokenizer = await engine.createTokenizer({ type: 'char', text: TEXT.slice(0, 4000) });
      const model = await engine.createModel({ tokenizer, config: { contextLength: 16, dim: 16, layers: 1, heads: 2, ffnDim: 32 } });
      const trainer = await engine.createTrainer(model, { text: TEXT.slice(0, 4000), batchSize: 2, sequenceLength: 16, maxSteps: 1 });
      await trainer.step();
      trainer.dispose();
      model.dispose();
      tokenizer.dispose();
      if (i === 9) stats0 = await engine.memoryStats();
    }
    const stats1 = await engine.memoryStats();
    expect(stats1.heapBytesInUse).toBe(stats0.heapBytesInUse);
    expect(stats1.wasmMemoryBytes).toBe(stats0.wasmMemoryBytes);
    engine.dispose();
    // 200 threaded engines, each training a step: every worker thread ends, memory is returned.
    await settle();
    const rss0 = process.memoryUsage().rss;
    for (let i = 0; i < 200; i++) {
      const e = await createEngine({ backend: 'simd-threads', threads: 2 });
      const tokenizer = await e.createTokenizer({ type: 'char', text: TEXT.slice(0, 2000) });
      const model = await e.createModel({ tokenizer, config: { contextLength: 16, dim: 16, layers: 1, heads: 2, ffnDim: 32 } });
      const trainer = await e.createTrainer(model, { text: TEXT.slice(0, 2000), batchSize: 2, sequenceLength: 16, maxSteps: 1 });
      await trainer.step();
      e.dispose();
    }
    expect(await settledWorkers()).toBe(0);
    await settle();
    const grown = process.memoryUsage().rss - rss0;
    // Each engine's memory is at least 16 MiB: 200 leaked would be over 3 GiB.
    expect(grown).toBeLessThan(256 * 2 ** 20);
  }, 600_000);

  it('stopping and aborting during training end cleanly, and the engine goes on', async () => {
    const engine = await createEngine({ backend: 'simd-threads', threads: 3 });
    const tokenizer = await engine.createTokenizer({ type: 'char', text: TEXT });
    const model = await engine.createModel({ tokenizer, config: MODEL });
    const trainer = await engine.createTrainer(model, { text: TEXT, ...TRAIN, maxSteps: 1000 });
    const seen: TrainingProgress[] = [];
    for await (const p of trainer.run()) {
      seen.push(p);
      if (p.step === 3) trainer.stop();
    }
    expect(seen.map((p) => p.step)).toEqual([1, 2, 3]);
    const controller = new AbortController();
    const steps: number[] = [];
    await expectError(async () => {
      for await (const p of trainer.run({ signal: controller.signal })) {
        steps.push(p.step);
        if (p.step === 5) controller.abort();
      }
    }, AbortError);
    expect(steps).toEqual([4, 5]);
    expect((await trainer.step()).step).toBe(6);  // still usable after both
    engine.dispose();
    // A Worker engine disposed in the middle of a run ends with its worker.
    const w = await createWorkerEngine({ worker: nodeWorker(), backend: 'simd-threads', threads: 2 });
    const wt = await w.createTokenizer({ type: 'char', text: TEXT });
    const wm = await w.createModel({ tokenizer: wt, config: MODEL });
    const wtr = await w.createTrainer(wm, { text: TEXT, ...TRAIN, maxSteps: 1000 });
    const run = (async () => {
      for await (const p of wtr.run()) if (p.step === 2) w.dispose();
    })();
    await expect(run).rejects.toThrow(/disposed/);
  }, 120_000);
});
