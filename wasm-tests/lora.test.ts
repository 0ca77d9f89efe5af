// lora.test.ts: LoRA fine-tuning through the package in the main-thread engine (the Worker
// engine's: lora-worker.test.ts): a trainer with loraRank trains an adapter on a frozen,
// pretrained model (its loss on new text halves, the base's outputs with the adapter switched
// off do not move), the adapter saves as a small file and loads onto its base with the same
// logits, is refused on another base (and on the base after merging), merges into the model
// (which then saves and reloads with base + adapter's logits); a loaded q8_0 model fine-tunes
// without unpacking; an imported Hugging Face model fine-tunes and exports (GGUF, Hugging Face)
// as base + adapter; a LoRA run's checkpoint resumes with identical losses; recompute + chunked
// train to the same losses as the plain pass; the trainer reports its memory estimate and the
// measured wasm memory; estimateMemory takes the LoRA and memory options and the base's dtype;
// the model store tells adapters apart; bad settings get named errors.
import { readdirSync, readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  createEngine,
  SllmAdapterFileError,
  SllmConfigError,
  SllmFormatError,
  SllmInvalidArgumentError,
  type Engine,
  type HuggingFaceFiles,
} from '../dist/index.js';
import { readSllmFile } from '../dist/store/sllm-file.js';
import { expectError, QUICK, rawModule, SMALL, TEXT } from './helpers.js';
import { logits, LORA, losses, maxDiff, ONE_LINE } from './lora-fixtures.js';

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
    await expectError(engine.loadModel(file), SllmAdapterFileError, /is a LoRA adapter/);

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
    expect(await model.memory()).toMatchObject({ packed: true, dtype: 'q8_0', weights: before.weights });
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

  it('fine-tunes an imported Hugging Face llama; GGUF and Hugging Face exports carry base + adapter', async () => {
    const dir = new URL('../native-tests/fixtures/hf/llama/', import.meta.url);
    const files: HuggingFaceFiles = {};
    for (const f of readdirSync(dir)) if (f !== 'reference.json') files[f] = new Uint8Array(readFileSync(new URL(f, dir)));
    const { model } = await engine.importHuggingFace(files);
    const ids = Array.from(await model.tokenizer.encode('Ada likes Bo.'));
    const base = await logits(engine, model, ids);
    const seq = Math.min(32, model.config.contextLength);
    const trainer = await engine.createTrainer(model, { text: ONE_LINE, ...LORA, sequenceLength: seq, maxSteps: 8,
      loraTargets: 'attn_q,attn_v,ffn_gate' });
    expect((await model.adapterInfo())!.targets).toEqual(['attn_q', 'attn_v', 'ffn_gate']);
    const l = await losses(trainer.run());
    expect(l[7]).toBeLessThan(l[0]);
    const tuned = await logits(engine, model, ids);
    expect(maxDiff(tuned, base)).toBeGreaterThan(1e-3);
    const gguf = (await engine.loadModel(await model.toGguf({ dtype: 'f32' }))).model;
    expect(maxDiff(await logits(engine, gguf, ids), tuned)).toBeLessThan(1e-4);
    const hf = (await engine.importHuggingFace(await model.toHuggingFace())).model;
    expect(maxDiff(await logits(engine, hf, ids), tuned)).toBeLessThan(1e-4);
    expect(await model.adapterInfo()).toBeDefined();  // exporting did not merge it into the model
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
