// lora.test.ts: LoRA fine-tuning through the package, in both engines (main thread and Worker):
// a trainer with loraRank trains an adapter on the frozen model (its loss falls, the base's
// outputs with the adapter switched off do not move), the adapter saves as a small file and
// loads onto its base with the same logits, is refused on another base, merges into the model
// (which then saves and reloads with base + adapter's logits); a LoRA run's checkpoint resumes
// with identical losses; recompute + chunked train to the same losses as the plain pass; the
// trainer reports its memory estimate and the measured wasm memory; estimateMemory takes the
// LoRA and memory options and the base's dtype; the model store tells adapters apart. The Worker
// engine does the same: train, save, load, merge, resume, named errors, estimates.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  createEngine,
  createWorkerEngine,
  SllmConfigError,
  SllmFormatError,
  SllmInvalidArgumentError,
  type Engine,
  type Model,
  type TrainingProgress,
} from '../dist/index.js';
import { readSllmFile } from '../dist/store/sllm-file.js';
import { expectError, QUICK, rawModule, SMALL, TEXT } from './helpers.js';
import { nodeWorker } from './node-worker.js';

const ONE_LINE = 'Ada likes Bo.\n'.repeat(400);
const LORA = { ...QUICK, loraRank: 4, loraAlpha: 8, learningRate: 3e-2, minLearningRate: 3e-3, evalInterval: 0 } as const;

async function losses(it: AsyncIterable<TrainingProgress>): Promise<number[]> {
  const out: number[] = [];
  for await (const p of it) out.push(p.loss);
  return out;
}

async function logits(engine: Engine, model: Model, ids: number[]): Promise<Float32Array> {
  if (engine.backend === undefined) throw new Error('no engine');
  // The raw module's lastLogits: one full forward, the reference the generation tests use too.
  const h = (model as unknown as { wasmHandle: { lastLogits(ids: number[]): Float32Array } }).wasmHandle;
  return new Float32Array(h.lastLogits(ids));
}

function maxDiff(a: Float32Array, b: Float32Array): number {
  let w = 0;
  for (let i = 0; i < a.length; i++) w = Math.max(w, Math.abs(a[i] - b[i]));
  return w;
}

describe('LoRA in the main-thread engine', () => {
  let engine: Engine;
  beforeAll(async () => {
    engine = await createEngine();
  });
  afterAll(() => engine.dispose());

  const newModel = async (seed = 1337) => {
    const tokenizer = await engine.createTokenizer({ type: 'char', text: TEXT });
    const model = await engine.createModel({ tokenizer, config: { ...SMALL, initSeed: seed } });
    return model;
  };
  // A base that knows TEXT: fully trained for 300 steps (the same weights every time).
  const pretrained = async (seed = 1337) => {
    const model = await newModel(seed);
    const t = await engine.createTrainer(model, { text: TEXT, ...QUICK, maxSteps: 300, evalInterval: 0 });
    await losses(t.run());
    t.dispose();
    return model;
  };

  it('trains an adapter on the frozen model, saves, loads, merges', async () => {
    const model = await pretrained();
    const ids = Array.from(await model.tokenizer.encode('Ada sees Bo.'));
    const base = await logits(engine, model, ids);
    expect(await model.adapterInfo()).toBeUndefined();
    // Fine-tuning text the base has never seen as such: one sentence over and over.
    const trainer = await engine.createTrainer(model, { text: ONE_LINE, ...LORA, maxSteps: 40, loraTargets: 'all' });
    expect(trainer.config).toMatchObject({ loraRank: 4, loraAlpha: 8, loraTargets: 'all', recompute: false });
    const info = await model.adapterInfo();
    expect(info).toMatchObject({ rank: 4, alpha: 8, dropout: 0, enabled: true,
      targets: ['attn_q', 'attn_k', 'attn_v', 'attn_output', 'ffn_up', 'ffn_down'] });
    // dim 32, ffn 64, 2 layers: q k v out (4 x 64 each) + up, down (4 x 96 each), A and B.
    expect(info!.parameterCount).toBe(2 * (4 * 4 * 64 + 2 * 4 * 96));
    const l = await losses(trainer.run());
    console.log('lora losses', l.map((x) => x.toFixed(2)).join(' '));
    expect(l[39]).toBeLessThan(0.5 * l[0]);
    const tuned = await logits(engine, model, ids);
    expect(maxDiff(tuned, base)).toBeGreaterThan(1e-2);
    // Switched off: exactly the base's outputs (it never moved).
    await model.setAdapterEnabled(false);
    expect(maxDiff(await logits(engine, model, ids), base)).toBe(0);
    await model.setAdapterEnabled(true);

    const file = await model.saveAdapter({ metadata: { name: 'names' } });
    expect(file.length).toBeLessThan(info!.parameterCount * 4 + 8192);
    // The model store lists it as an adapter with its rank and base (without the engine).
    expect(readSllmFile(file)).toMatchObject({ kind: 'adapter', adapter: { rank: 4, base: expect.stringMatching(/^crc32:[0-9a-f]{8}$/) },
      metadata: { name: 'names' } });
    expect(readSllmFile(await model.save()).adapter).toBeUndefined();
    const fresh = await pretrained();
    const loaded = await fresh.loadAdapter(file);
    expect(loaded).toMatchObject({ rank: 4, metadata: { name: 'names' } });
    expect(loaded.checkpoint).toBeUndefined();
    expect(maxDiff(await logits(engine, fresh, ids), tuned)).toBe(0);
    // Removed: the base again; loaded once more: the adapter's outputs.
    await fresh.removeAdapter();
    expect(await fresh.adapterInfo()).toBeUndefined();
    expect(maxDiff(await logits(engine, fresh, ids), base)).toBe(0);
    await expectError(fresh.removeAdapter(), SllmInvalidArgumentError, /carries no LoRA adapter/);
    await fresh.loadAdapter(file);
    // Another base (other initial weights) refuses it; a model file is not an adapter.
    const other = await newModel(7);
    await expectError(other.loadAdapter(file), SllmConfigError, /trained on other weights/);
    await expectError(other.loadAdapter(await other.save()), SllmFormatError, /is a model, not a LoRA adapter/);
    await expectError(engine.loadModel(file), SllmFormatError, /is a LoRA adapter/);

    // save() writes what the model computes (base + adapter) and keeps the adapter.
    const saved = await engine.loadModel(await fresh.save());
    expect(maxDiff(await logits(engine, saved.model, ids), tuned)).toBeLessThan(1e-5);
    expect(await fresh.adapterInfo()).toBeDefined();
    await fresh.mergeAdapter();
    expect(await fresh.adapterInfo()).toBeUndefined();
    expect(maxDiff(await logits(engine, fresh, ids), tuned)).toBeLessThan(1e-5);
    await expectError(fresh.saveAdapter(), SllmInvalidArgumentError, /carries no LoRA adapter/);
    // The merged weights are no longer the adapter's base.
    await expectError(fresh.loadAdapter(file), SllmConfigError, /trained on other weights/);
  });

  it('fine-tunes a loaded q8_0 model without unpacking it; the adapter needs that very base', async () => {
    const f32 = await pretrained();
    const q8 = await f32.save({ dtype: 'q8_0' });
    const { model } = await engine.loadModel(q8);
    const before = await model.memory();
    expect(before.packed).toBe(true);
    const trainer = await engine.createTrainer(model, { text: ONE_LINE, ...LORA, maxSteps: 30, recompute: true, chunked: true });
    const l = await losses(trainer.run());
    expect(l[29]).toBeLessThan(0.5 * l[0]);
    expect(await model.memory()).toMatchObject({ packed: true, weights: before.weights });
    // The trainer's estimate is the one for a q8_0 base, which holds less than an f32 one.
    const mem = await trainer.memory();
    const config = { ...model.config };
    const est = await engine.estimateMemory({ config, training: trainer.config, baseDtype: 'q8_0' });
    expect(mem.estimate).toEqual(est.training);
    const f32est = await engine.estimateMemory({ config, training: trainer.config });
    expect(est.training.weights).toBeLessThan(f32est.training.weights);
    expect(est.training.optimizer).toBe(f32est.training.optimizer);
    // The adapter loads onto the same q8_0 file's model (same logits), not onto the f32 original.
    const ids = Array.from(await model.tokenizer.encode('Ada sees Bo.'));
    const tuned = await logits(engine, model, ids);
    const file = await model.saveAdapter();
    const again = (await engine.loadModel(q8)).model;
    await again.loadAdapter(file);
    expect(maxDiff(await logits(engine, again, ids), tuned)).toBe(0);
    await expectError(f32.loadAdapter(file), SllmConfigError, /trained on other weights/);
    // The base's values in f32 have the same checksum: the adapter loads onto them too, and
    // computes in f32 what the q8_0 kernels compute (they also quantize the activations).
    await model.setAdapterEnabled(false);
    const deq = (await engine.loadModel(await model.save({ dtype: 'f32' }))).model;
    await model.setAdapterEnabled(true);
    await deq.loadAdapter(file);
    const ref = await logits(engine, deq, ids);
    expect(maxDiff(ref, tuned)).toBeLessThan(2e-3);
    // Saved as one model (base + adapter merged, in f32): base + adapter's outputs.
    const merged = (await engine.loadModel(await model.save({ dtype: 'f32' }))).model;
    expect(maxDiff(await logits(engine, merged, ids), ref)).toBeLessThan(1e-5);
  });

  it('resumes a LoRA run from its checkpoint with identical losses; recompute + chunked give the same', async () => {
    const opts = { text: TEXT, ...LORA, maxSteps: 12, loraDropout: 0.1, dropout: 0.1 };
    const straight = await losses((await engine.createTrainer(await newModel(), opts)).run());
    const m1 = await newModel();
    const t1 = await engine.createTrainer(m1, opts);
    const first: number[] = [];
    for (let i = 0; i < 6; i++) first.push((await t1.step()).loss);
    const ckpt = await t1.saveCheckpoint();
    expect(readSllmFile(ckpt)).toMatchObject({ kind: 'checkpoint', step: 6, adapter: { rank: 4 } });
    const m2 = await newModel();
    const loaded = await m2.loadAdapter(ckpt);
    expect(loaded.checkpoint).toMatchObject({ step: 6 });
    const t2 = await engine.resumeTrainer(m2, { text: TEXT });
    const rest = await losses(t2.run());
    expect([...first, ...rest]).toEqual(straight);
    // Recomputing blocks from their inputs, in chunks: the same losses to float rounding.
    const low = await losses((await engine.createTrainer(await newModel(),
      { ...opts, dropout: 0, loraDropout: 0, recompute: true, chunked: true })).run());
    const plain = await losses((await engine.createTrainer(await newModel(), { ...opts, dropout: 0, loraDropout: 0 })).run());
    for (let i = 0; i < plain.length; i++) expect(low[i]).toBeCloseTo(plain[i], 4);
  });

  it('reports memory: the estimate, the measured wasm memory and estimateMemory with LoRA', async () => {
    const model = await newModel();
    const trainer = await engine.createTrainer(model, { text: TEXT, ...LORA, maxSteps: 2, recompute: true, chunked: true });
    const p = await trainer.step();
    expect(p.wasmMemoryBytes).toBe(rawModule(engine).memoryStats().wasmMemoryBytes);
    expect(p.peakMemoryBytes).toBeGreaterThan(0);
    expect(p.peakMemoryBytes).toBeLessThanOrEqual(p.wasmMemoryBytes);
    const mem = await trainer.memory();
    const info = await model.adapterInfo();
    expect(mem.estimate.gradients).toBe(info!.parameterCount * 4);
    expect(mem.estimate.optimizer).toBe(info!.parameterCount * 8);
    const full = await engine.estimateMemory({ config: { ...SMALL, vocabSize: model.config.vocabSize },
      training: { batchSize: 32, sequenceLength: 32 } });
    const lora = await engine.estimateMemory({ config: { ...SMALL, vocabSize: model.config.vocabSize },
      training: { batchSize: 32, sequenceLength: 32, loraRank: 4, recompute: true, chunked: true }, baseDtype: 'q4_0' });
    expect(lora.trainableParameters).toBe(info!.parameterCount);
    expect(lora.training.gradients).toBe(info!.parameterCount * 4);
    expect(lora.training.activations).toBeLessThan(full.training.activations / 4);
    expect(lora.training.weights).toBeLessThan(full.training.weights);
    await expectError(engine.estimateMemory({ config: { ...SMALL, vocabSize: 30 }, training: { loraRank: 4 },
      baseDtype: 'q3' as never }), SllmInvalidArgumentError, /baseDtype/);
  });

  it('bad LoRA settings get clear errors', async () => {
    const model = await newModel();
    await expectError(engine.createTrainer(model, { text: TEXT, ...LORA, loraRank: 40 }), SllmConfigError,
      /rank 40 is larger than the attn_q layer \(32 x 32\)/);
    await expectError(engine.createTrainer(model, { text: TEXT, ...LORA, loraTargets: 'attn_q,ffn_gate' }), SllmConfigError,
      /the gpt architecture has no ffn_gate layer/);
    await engine.createTrainer(model, { text: TEXT, ...LORA });
    await expectError(engine.createTrainer(model, { text: TEXT, ...QUICK }), SllmConfigError,
      /carries a LoRA adapter: train it with loraRank 4/);
  });
});

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
    await expectError(engine.loadModel(file), SllmFormatError, /is a LoRA adapter/);
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
