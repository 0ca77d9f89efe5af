// lora-worker.test.ts: LoRA fine-tuning through the Worker engine (in a Node worker thread):
// an adapter trained on a pretrained base (its loss on new text halves), switched off and on
// (other samples), saved and loaded onto a fresh copy of the base (the same samples), merged
// (the same samples, also after saving and loading the model), named errors across the worker
// (another base, a model file, a rank larger than a layer), a LoRA run's checkpoint resumed on
// a fresh base with identical losses, and estimateMemory with LoRA and a base dtype.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createWorkerEngine, SllmAdapterFileError, SllmConfigError, type Engine } from '../dist/index.js';
import { expectError, QUICK, SMALL, TEXT } from './helpers.js';
import { LORA, losses, ONE_LINE } from './lora-fixtures.js';
import { nodeWorker } from './node-worker.js';

describe('LoRA in the Worker engine', () => {
  let engine: Engine;
  beforeAll(async () => {
    engine = await createWorkerEngine({ worker: nodeWorker() });
  });
  afterAll(() => engine.dispose());

  it('trains, saves and loads an adapter, and reports memory', async () => {
    const tokenizer = await engine.createTokenizer({ type: 'char', text: TEXT });
    const pretrained = async () => {
      const m = await engine.createModel({ tokenizer, config: SMALL });
      await losses((await engine.createTrainer(m, { text: TEXT, ...QUICK, maxSteps: 300, evalInterval: 0 })).run());
      return m;
    };
    const model = await pretrained();
    const trainer = await engine.createTrainer(model, { text: ONE_LINE, ...LORA, maxSteps: 30, recompute: true, chunked: true });
    const l = await losses(trainer.run());
    console.log('worker lora losses', l.map((x) => x.toFixed(2)).join(' '));
    expect(l[29]).toBeLessThan(0.5 * l[0]);
    expect((await trainer.memory()).estimate.total).toBeGreaterThan(0);
    const sample = await model.generate('Ada', { maxTokens: 20, temperature: 0 });
    await model.setAdapterEnabled(false);
    const baseSample = await model.generate('Ada', { maxTokens: 20, temperature: 0 });
    expect(sample).not.toBe(baseSample);
    await model.setAdapterEnabled(true);
    const file = await model.saveAdapter();
    const fresh = await pretrained();
    expect(await fresh.loadAdapter(file)).toMatchObject({ rank: 4 });
    expect(await fresh.generate('Ada', { maxTokens: 20, temperature: 0 })).toBe(sample);
    await fresh.mergeAdapter();
    expect(await fresh.adapterInfo()).toBeUndefined();
    expect(await fresh.generate('Ada', { maxTokens: 20, temperature: 0 })).toBe(sample);
    // The merged model saves and loads as one model with the same outputs.
    const reloaded = await engine.loadModel(await fresh.save());
    expect(await reloaded.model.generate('Ada', { maxTokens: 20, temperature: 0 })).toBe(sample);
    // Named errors cross the worker: another base, a model file, a rank larger than a layer.
    const other = await engine.createModel({ tokenizer, config: { ...SMALL, initSeed: 7 } });
    await expectError(other.loadAdapter(file), SllmConfigError, /trained on other weights/);
    await expectError(engine.loadModel(file), SllmAdapterFileError, /is a LoRA adapter/);
    await expectError(engine.createTrainer(other, { text: TEXT, ...LORA, loraRank: 40 }), SllmConfigError,
      /rank 40 is larger than the attn_q layer/);
  });

  it('resumes a LoRA run from its checkpoint in a fresh model with identical losses; estimates memory', async () => {
    const tokenizer = await engine.createTokenizer({ type: 'char', text: TEXT });
    const opts = { text: TEXT, ...LORA, maxSteps: 10, loraDropout: 0.1, recompute: true, chunked: true };
    const straight = await losses((await engine.createTrainer(await engine.createModel({ tokenizer, config: SMALL }), opts)).run());
    const t1 = await engine.createTrainer(await engine.createModel({ tokenizer, config: SMALL }), opts);
    const first: number[] = [];
    for (let i = 0; i < 4; i++) first.push((await t1.step()).loss);
    const ckpt = await t1.saveCheckpoint();
    const m2 = await engine.createModel({ tokenizer, config: SMALL });
    expect((await m2.loadAdapter(ckpt)).checkpoint).toMatchObject({ step: 4 });
    const rest = await losses((await engine.resumeTrainer(m2, { text: TEXT })).run());
    expect([...first, ...rest]).toEqual(straight);
    const e = await engine.estimateMemory({ config: { ...SMALL, vocabSize: tokenizer.vocabSize },
      training: { sequenceLength: 32, loraRank: 4, recompute: true }, baseDtype: 'q8_0' });
    expect(e.trainableParameters).toBe((await m2.adapterInfo())!.parameterCount);
    expect(e.training.optimizer).toBe(e.trainableParameters * 8);
  });
});
