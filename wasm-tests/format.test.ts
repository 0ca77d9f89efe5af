// format.test.ts: SLLM files through the package: model files in every dtype, checkpoints that
// resume training exactly, metadata, and SllmFormatError for corrupt or truncated bytes.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  createEngine,
  SllmFormatError,
  SllmInvalidArgumentError,
  type Engine,
  type Model,
  type Tokenizer,
  type TrainingProgress,
} from '../dist/index.js';
import { expectError, QUICK, TEXT } from './helpers.js';

let engine: Engine;
let tokenizer: Tokenizer;
let model: Model;
const CONFIG = { contextLength: 32, dim: 64, layers: 2, heads: 2, ffnDim: 128 };
const TRAIN = { text: TEXT, ...QUICK, maxSteps: 40, evalInterval: 10 };

beforeAll(async () => {
  engine = await createEngine();
  tokenizer = await engine.createTokenizer({ type: 'char', text: TEXT, specials: ['eos'] });
  model = await engine.createModel({ tokenizer, config: CONFIG });
  const trainer = await engine.createTrainer(model, { ...TRAIN, maxSteps: 20 });
  for await (const _ of trainer.run());
  trainer.dispose();
});
afterAll(() => engine.dispose());

describe('model files', () => {
  it('round-trip an f32 model exactly, with its tokenizer and metadata', async () => {
    const bytes = await model.save({ metadata: { name: 'test model', author: 'sllm' } });
    expect(bytes).toBeInstanceOf(Uint8Array);
    expect(new TextDecoder().decode(bytes.subarray(0, 4))).toBe('SLLM');
    const loaded = await engine.loadModel(bytes);
    expect(loaded.isCheckpoint).toBe(false);
    expect(loaded.checkpoint).toBeUndefined();
    expect(loaded.metadata).toEqual({ name: 'test model', author: 'sllm' });
    expect(loaded.model.metadata).toEqual(loaded.metadata);
    expect(loaded.model.tokenizer).toBe(loaded.tokenizer);
    expect(loaded.header).toMatchObject({ metadata: { name: 'test model' }, model: { dim: 64 } });
    expect(loaded.model.config).toEqual(model.config);
    expect(loaded.model.parameterCount).toBe(model.parameterCount);
    expect(loaded.model.preset).toBeUndefined();
    expect(await loaded.tokenizer.serialize()).toEqual(await tokenizer.serialize());
    const opts = { temperature: 0, maxTokens: 60 };
    expect(await loaded.model.generate('Ada', opts)).toBe(await model.generate('Ada', opts));
    expect(await loaded.model.save({ metadata: { name: 'test model', author: 'sllm' } })).toEqual(bytes);
    loaded.model.dispose();
    loaded.tokenizer.dispose();
  });

  it('save smaller weights as f16, q8_0 and q4_0', async () => {
    const sizes: Record<string, number> = {};
    const reference = await model.generate('Ada', { temperature: 0, maxTokens: 30 });
    for (const dtype of ['f32', 'f16', 'q8_0', 'q4_0'] as const) {
      const bytes = await model.save({ dtype });
      sizes[dtype] = bytes.length;
      const { model: m, tokenizer: t } = await engine.loadModel(bytes);
      const text = await m.generate('Ada', { temperature: 0, maxTokens: 30 });
      expect(text).toHaveLength(30);
      if (dtype === 'f16') expect(text).toBe(reference);
      m.dispose();
      t.dispose();
    }
    expect(sizes.f16).toBeLessThan(sizes.f32);
    expect(sizes.q8_0).toBeLessThan(sizes.f16);
    expect(sizes.q4_0).toBeLessThan(sizes.q8_0);
  });

  it('reject bad save options', async () => {
    await expectError(model.save({ dtype: 'int8' as 'f16' }), SllmInvalidArgumentError, /unknown dtype "int8"/);
    await expectError(model.save({ metadata: { n: 1 } as unknown as Record<string, string> }),
      SllmInvalidArgumentError, /metadata "n" must be a string/);
    await expectError(model.save({ dtypes: 'f16' } as object), SllmInvalidArgumentError, /unknown save option/);
  });
});

describe('corrupt files', () => {
  let good: Uint8Array;
  beforeAll(async () => {
    good = await model.save();
  });

  it('throw SllmFormatError', async () => {
    const bad: [string, Uint8Array][] = [
      ['empty', new Uint8Array(0)],
      ['not an SLLM file', new TextEncoder().encode('hello, this is not a model file at all')],
      ['truncated header', good.slice(0, 40)],
      ['truncated data', good.slice(0, good.length - 100)],
      ['random bytes', Uint8Array.from({ length: 5000 }, (_, i) => (i * 7919 + 13) & 255)],
    ];
    const flipped = good.slice();
    flipped[flipped.length - 1000] ^= 0x55;
    bad.push(['a flipped weight byte', flipped]);
    const start = (await engine.memoryStats()).heapBytesInUse;
    for (const [what, bytes] of bad) {
      const e = await expectError(engine.loadModel(bytes), SllmFormatError);
      expect(e.message.length, what).toBeGreaterThan(10);
    }
    expect((await engine.memoryStats()).heapBytesInUse).toBe(start);
  });

  it('reject what is not bytes', async () => {
    await expectError(engine.loadModel([1, 2, 3] as unknown as Uint8Array), SllmInvalidArgumentError, /Uint8Array/);
  });
});

describe('checkpoints', () => {
  it('resume training exactly where it stopped', async () => {
    const losses = (events: TrainingProgress[]) => events.map((p) => [p.step, p.loss, p.valLoss]);
    // One uninterrupted run of 40 steps ...
    const straight = await engine.createModel({ tokenizer, config: CONFIG });
    const t1 = await engine.createTrainer(straight, TRAIN);
    const all: TrainingProgress[] = [];
    for await (const p of t1.run()) all.push(p);
    // ... against 20 steps, a checkpoint, and 20 more steps in a trainer resumed from it.
    const first = await engine.createModel({ tokenizer, config: CONFIG });
    const t2 = await engine.createTrainer(first, TRAIN);
    for await (const p of t2.run()) if (p.step === 20) t2.stop();
    const bytes = await t2.saveCheckpoint({ metadata: { note: 'halfway' } });
    expect(bytes.length).toBeGreaterThan(3 * 4 * first.parameterCount);  // weights + two moments
    const loaded = await engine.loadModel(bytes);
    expect(loaded.isCheckpoint).toBe(true);
    expect(loaded.metadata).toEqual({ note: 'halfway' });
    expect(loaded.checkpoint).toMatchObject({ step: 20, tokensSeen: 20 * 4 * 32 });
    expect(loaded.checkpoint!.config).toEqual(t2.config);
    expect(loaded.checkpoint!.bestValLoss).toBeCloseTo(all[19].valLoss!, 5);
    const resumed = await engine.resumeTrainer(loaded.model, { text: TEXT });
    expect(resumed.config).toEqual(t2.config);
    const rest: TrainingProgress[] = [];
    for await (const p of resumed.run()) rest.push(p);
    expect(losses(rest)).toEqual(losses(all.slice(20)));
    const opts = { temperature: 0, maxTokens: 50 };
    expect(await loaded.model.generate('Bo', opts)).toBe(await straight.generate('Bo', opts));
    // The resumed trainer consumed the checkpoint's state; loading the file again resumes anew.
    await expectError(engine.resumeTrainer(loaded.model, { text: TEXT }), SllmInvalidArgumentError,
      /already resumed.*load the file again/);
    const reloaded = await engine.loadModel(bytes);
    const again = await engine.resumeTrainer(reloaded.model, { tokens: await tokenizer.encode(TEXT) });
    expect(await again.step()).toMatchObject({ step: 21, loss: rest[0].loss });
    for (const o of [t1, t2, resumed, again, straight, first, loaded.model, loaded.tokenizer, reloaded.model,
      reloaded.tokenizer]) o.dispose();
  });

  it('resumeTrainer needs a model loaded from a checkpoint', async () => {
    await expectError(engine.resumeTrainer(model, { text: TEXT }), SllmInvalidArgumentError,
      /not loaded from a checkpoint/);
  });
});
