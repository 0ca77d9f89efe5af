// trainer.test.ts: training through the package: progress events, learning, defaults from the
// preset, evaluation and early stopping, gradient accumulation, pause/resume/stop, AbortSignal,
// token input, and the errors for bad data and settings.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  AbortError,
  createEngine,
  SllmConfigError,
  SllmDataError,
  SllmInvalidArgumentError,
  SllmOutOfMemoryError,
  SllmTrainingError,
  type Engine,
  type Model,
  type Tokenizer,
  type TrainingProgress,
} from '../dist/index.js';
import { expectError, QUICK, SMALL, TEXT } from './helpers.js';

let engine: Engine;
let tokenizer: Tokenizer;
beforeAll(async () => {
  engine = await createEngine();
  tokenizer = await engine.createTokenizer({ type: 'char', text: TEXT });
});
afterAll(() => engine.dispose());

const newModel = (config = {}) => engine.createModel({ tokenizer, config: { ...SMALL, ...config } });

async function collect(it: AsyncIterable<TrainingProgress>): Promise<TrainingProgress[]> {
  const out: TrainingProgress[] = [];
  for await (const p of it) out.push(p);
  return out;
}

describe('run()', () => {
  it('yields one event per step and learns', async () => {
    const model = await newModel();
    const trainer = await engine.createTrainer(model, { text: TEXT, ...QUICK, maxSteps: 60, evalInterval: 20 });
    expect(trainer.state).toBe('idle');
    expect(trainer.model).toBe(model);
    expect(trainer.config).toMatchObject({ maxSteps: 60, batchSize: 4, sequenceLength: 32, evalInterval: 20,
      schedule: 'cosine', decaySteps: 60, warmupSteps: 5, gradientAccumulation: 1, seed: 1337 });
    expect(trainer.trainTokens + trainer.valTokens).toBe(TEXT.length);
    expect(trainer.valTokens).toBe(TEXT.length - Math.floor(TEXT.length * 0.9));
    const events: TrainingProgress[] = [];
    for await (const p of trainer.run()) {
      expect(trainer.state).toBe(p.done ? 'done' : 'running');
      events.push(p);
    }
    expect(events.map((e) => e.step)).toEqual(Array.from({ length: 60 }, (_, i) => i + 1));
    expect(events.filter((e) => e.valLoss !== undefined).map((e) => e.step)).toEqual([20, 40, 60]);
    const last = events[59];
    expect(last).toMatchObject({ done: true, maxSteps: 60, earlyStopped: false, tokens: 60 * 4 * 32, etaMs: 0 });
    expect(last.valPerplexity).toBeCloseTo(Math.exp(last.valLoss!), 3);
    expect(last.loss).toBeLessThan(events[0].loss - 0.8);
    expect(last.tokensPerSecond).toBeGreaterThan(0);
    expect(events[10].etaMs).toBeGreaterThan(0);
    expect(events[0].lr).toBeCloseTo(3e-3 / 6, 6);  // warmup: lr * 1 / (5 + 1)
    expect(trainer.state).toBe('done');
    expect(await collect(trainer.run())).toEqual([]);  // nothing left to do
    trainer.dispose();
    model.dispose();
  });

  it('gives the same losses for the same seed', async () => {
    const losses = async (seed: number) => {
      const model = await newModel();
      const trainer = await engine.createTrainer(model, { text: TEXT, ...QUICK, maxSteps: 10, seed });
      const l = (await collect(trainer.run())).map((p) => p.loss);
      model.dispose();
      trainer.dispose();
      return l;
    };
    const a = await losses(1);
    expect(await losses(1)).toEqual(a);
    expect(await losses(2)).not.toEqual(a);
  });

  it('takes its defaults from the model preset', async () => {
    const model = await engine.createModel({ tokenizer, preset: 'tiny', config: { dim: 32, layers: 1 } });
    const trainer = await engine.createTrainer(model, { text: TEXT, maxSteps: 20 });
    expect(trainer.config).toMatchObject({ batchSize: 16, sequenceLength: 64, maxSteps: 20, decaySteps: 20,
      warmupSteps: 50, learningRate: expect.closeTo(0.002, 6), weightDecay: expect.closeTo(0.1, 6) });
    trainer.dispose();
    model.dispose();
  });

  it('pauses, resumes and stops between steps', async () => {
    const model = await newModel();
    const trainer = await engine.createTrainer(model, { text: TEXT, ...QUICK, maxSteps: 1000, evalInterval: 0 });
    const steps: number[] = [];
    let resumedAt = 0;
    for await (const p of trainer.run()) {
      steps.push(p.step);
      if (p.step === 3) {
        trainer.pause();
        expect(trainer.state).toBe('paused');
        setTimeout(() => {
          resumedAt = steps.length;
          trainer.resume();
        }, 50);
      }
      if (p.step === 6) trainer.stop();
    }
    expect(resumedAt).toBe(3);  // nothing ran while paused
    expect(steps).toEqual([1, 2, 3, 4, 5, 6]);
    expect(trainer.state).toBe('idle');
    // run() again continues where it stopped; breaking out of the loop also ends a run
    for await (const p of trainer.run()) if (p.step === 8) break;
    expect(trainer.state).toBe('idle');
    const next = await trainer.step();
    expect(next.step).toBe(9);
    // pause() before run(): the run waits until resume()
    trainer.pause();
    setTimeout(() => trainer.resume(), 30);
    const t0 = performance.now();
    for await (const p of trainer.run()) if (p.step === 10) trainer.stop();
    expect(performance.now() - t0).toBeGreaterThanOrEqual(25);
    trainer.dispose();
    model.dispose();
  });

  it('stops with AbortError when its signal aborts, also while paused', async () => {
    const model = await newModel();
    const trainer = await engine.createTrainer(model, { text: TEXT, ...QUICK, maxSteps: 1000 });
    const ac = new AbortController();
    let n = 0;
    await expectError(async () => {
      for await (const p of trainer.run({ signal: ac.signal })) if (++n === 4) ac.abort();
    }, AbortError, /training was aborted/);
    expect(n).toBe(4);
    expect(trainer.state).toBe('idle');
    // aborted from a timer while the loop runs on its own
    const ac2 = new AbortController();
    setTimeout(() => ac2.abort(), 30);
    await expectError(collect(trainer.run({ signal: ac2.signal })), AbortError);
    // aborted while paused
    const ac3 = new AbortController();
    trainer.pause();
    setTimeout(() => ac3.abort(), 20);
    await expectError(collect(trainer.run({ signal: ac3.signal })), AbortError);
    trainer.resume();
    // an already aborted signal never starts
    const before = (await trainer.step()).step;
    await expectError(collect(trainer.run({ signal: AbortSignal.abort() })), AbortError);
    expect((await trainer.step()).step).toBe(before + 1);
    trainer.dispose();
    model.dispose();
  });

  it('allows only one run at a time', async () => {
    const model = await newModel();
    const trainer = await engine.createTrainer(model, { text: TEXT, ...QUICK, maxSteps: 50 });
    const first = trainer.run();
    await first.next();
    await expectError(trainer.run().next(), SllmInvalidArgumentError, /already running/);
    await expectError(trainer.step(), SllmInvalidArgumentError, /inside run\(\)/);
    await first.return!(undefined);
    expect(trainer.state).toBe('idle');
    // stop() also ends a run whose iterator was abandoned without return()
    const abandoned = trainer.run();
    await abandoned.next();
    expect(trainer.state).toBe('running');
    trainer.stop();
    await new Promise((r) => setTimeout(r, 0));
    expect(trainer.state).toBe('idle');
    expect(await abandoned.next()).toEqual({ done: true, value: undefined });
    trainer.dispose();
    model.dispose();
  });

  it('stops early when the validation loss stops improving', async () => {
    const model = await newModel();
    // A learning rate of zero never improves: patience 2 stops at the third evaluation.
    const trainer = await engine.createTrainer(model, {
      text: TEXT, ...QUICK, learningRate: 1e-12, minLearningRate: 0, maxSteps: 100, evalInterval: 2,
      earlyStopPatience: 2, earlyStopMinDelta: 0.01,
    });
    const events = await collect(trainer.run());
    expect(events.map((e) => e.step)).toEqual([1, 2, 3, 4, 5, 6]);
    expect(events[5]).toMatchObject({ done: true, earlyStopped: true });
    expect(trainer.state).toBe('done');
    trainer.dispose();
    model.dispose();
  });
});

describe('trainer', () => {
  let model: Model;
  beforeAll(async () => {
    model = await newModel();
  });

  it('evaluates and steps on demand, with gradient accumulation', async () => {
    const trainer = await engine.createTrainer(model, { text: TEXT, ...QUICK, gradientAccumulation: 3, maxSteps: 5 });
    const e = await trainer.evaluate();
    expect(e.loss).toBeGreaterThan(2.5);
    expect(e.perplexity).toBeCloseTo(Math.exp(e.loss), 3);
    const p = await trainer.step();
    expect(p).toMatchObject({ step: 1, tokens: 3 * 4 * 32, done: false });
    expect(p.valLoss).toBeUndefined();
    trainer.dispose();
  });

  it('trains on token ids', async () => {
    const ids = await tokenizer.encode(TEXT);
    const trainer = await engine.createTrainer(model, { tokens: ids, ...QUICK, maxSteps: 5 });
    expect(trainer.trainTokens + trainer.valTokens).toBe(ids.length);
    expect((await collect(trainer.run())).length).toBe(5);
    trainer.dispose();
    const plain = await engine.createTrainer(model, { tokens: Array.from(ids.subarray(0, 500)), ...QUICK,
      validationSplit: 0 });
    expect(plain.trainTokens).toBe(500);
    plain.dispose();
    await expectError(engine.createTrainer(model, { tokens: [1, 2, 999], ...QUICK }), SllmInvalidArgumentError,
      /token 2 of the training data is 999, outside the model's vocabulary/);
  });

  it('throws SllmDataError for a corpus too small', async () => {
    await expectError(engine.createTrainer(model, { text: 'Ada sees Bo.\n', ...QUICK }), SllmDataError,
      /the corpus has 13 tokens .* Use more text or a shorter sequence length/);
  });

  it('throws SllmConfigError for bad settings', async () => {
    await expectError(engine.createTrainer(model, { text: TEXT, ...QUICK, sequenceLength: 64 }), SllmConfigError,
      /sequence length 64 is over the model's context length 32/);
    await expectError(engine.createTrainer(model, { text: TEXT, ...QUICK, schedule: 'exp' as 'cosine' }), SllmConfigError,
      /"schedule" \(--schedule\): "exp" is not one of "constant", "cosine", "linear"/);
    await expectError(engine.createTrainer(model, { text: TEXT, batch: 4 } as object as { text: string }),
      SllmConfigError, /unknown training option "batch"/);
    await expectError(engine.createTrainer(model, { text: TEXT, ...QUICK, learningRate: -1 }), SllmConfigError,
      /"lr" \(learningRate, --lr\): -1 is out of range/);
    await expectError(engine.createTrainer(model, { text: TEXT, ...QUICK, learningRate: 0 }), SllmConfigError,
      /learning rate must be a positive number/);
    await expectError(engine.createTrainer(model, { text: TEXT, ...QUICK, validationSplit: 1 }), SllmConfigError, /val_fraction/);
    const noVal = await engine.createTrainer(model, { text: TEXT, ...QUICK, validationSplit: 0 });
    await expectError(noVal.evaluate(), SllmConfigError, /needs a validation split/);
    noVal.dispose();
    await expectError(engine.createTrainer(model, {} as { text: string }), SllmInvalidArgumentError, /text.*tokens/);
  });

  it('throws SllmOutOfMemoryError for activations too big for WebAssembly', async () => {
    const big = await engine.createModel({ tokenizer, config: { contextLength: 4096, dim: 64, layers: 8, heads: 8 } });
    await expectError(engine.createTrainer(big, { text: TEXT, batchSize: 256, sequenceLength: 4096 }),
      SllmOutOfMemoryError, /smaller batch size, sequence length or model/);
    big.dispose();
  });

  it('throws SllmTrainingError when training diverges', async () => {
    const m = await newModel();
    const trainer = await engine.createTrainer(m, { text: TEXT, ...QUICK, learningRate: 1e30, minLearningRate: 0,
      warmupSteps: 0, gradientClip: 0, maxSteps: 50 });
    await expectError(collect(trainer.run()), SllmTrainingError, /training diverged.*lower the learning rate/);
    expect(trainer.state).toBe('idle');
    trainer.dispose();
    m.dispose();
  });

  it('keeps training after its model handle is disposed', async () => {
    const m = await newModel();
    const trainer = await engine.createTrainer(m, { text: TEXT, ...QUICK, maxSteps: 5 });
    m.dispose();
    expect((await collect(trainer.run())).length).toBe(5);
    trainer.dispose();
  });
});
