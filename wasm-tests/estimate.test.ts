// estimate.test.ts: engine.estimateMemory, the core's memory model, against what training and
// generation actually allocate: the C++ heap in use after a model, a trainer and one step (and
// after a generation), for presets of both architectures. The estimate counts the parameters,
// gradients, AdamW moments, the activation slab and each thread's scratch (GEMM panels,
// attention scores: training), and the weights, KV cache and decode scratch (generation); the
// rest of the heap (corpus ids, tokenizer) must stay within the tolerance.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createEngine, SllmConfigError, type Engine } from '../dist/index.js';
import { expectError, TEXT } from './helpers.js';

let engine: Engine;
beforeAll(async () => {
  engine = await createEngine();
});
afterAll(() => engine.dispose());

const heap = async () => (await engine.memoryStats()).heapBytesInUse;

describe('estimateMemory', () => {
  it.each([
    ['tiny', 16, 64],
    ['llama-tiny', 16, 64],
    ['small', 8, 128],
    ['llama-small', 8, 128],
  ])('%s: the training estimate is within a tenth of the heap a step uses', async (preset, batchSize, sequenceLength) => {
    const tokenizer = await engine.createTokenizer({ type: 'char', text: TEXT });
    const training = { batchSize, sequenceLength, maxSteps: 5, evalBatches: 1 };
    const est = await engine.estimateMemory({ preset, config: { vocabSize: tokenizer.vocabSize }, training });
    const before = await heap();
    const model = await engine.createModel({ tokenizer, preset });
    expect(model.parameterCount).toBe(est.parameters);
    expect(model.config).toEqual(est.config);
    const trainer = await engine.createTrainer(model, { text: TEXT, ...training });
    await trainer.step();
    const used = (await heap()) - before;
    const t = est.training;
    expect(t.total).toBe(t.weights + t.gradients + t.optimizer + t.activations + t.scratch);
    expect(t.weights).toBe(4 * est.parameters);
    console.log(`${preset}: estimate ${(t.total / 2 ** 20).toFixed(2)} MiB, measured ${(used / 2 ** 20).toFixed(2)} MiB`);
    expect(Math.abs(used / t.total - 1)).toBeLessThan(0.1);
    trainer.dispose();
    model.dispose();
    tokenizer.dispose();
  });

  it('the inference estimate covers a generation over the whole context', async () => {
    const tokenizer = await engine.createTokenizer({ type: 'char', text: TEXT });
    const est = await engine.estimateMemory({ preset: 'llama-tiny', config: { vocabSize: tokenizer.vocabSize } });
    const before = await heap();
    const model = await engine.createModel({ tokenizer, preset: 'llama-tiny' });
    // a prompt of the whole context: the prefill's scratch reaches its largest (one 64-token chunk)
    await model.generate(TEXT.slice(0, 64), { maxTokens: 60, temperature: 0 });
    const i = est.inference;
    expect(i.total).toBe(i.weights + i.kvCache + i.scratch);
    // The model keeps its generation's KV cache and scratch for the next call (a prompt that
    // extends this text reuses it): what stays is weights + cache + scratch, the estimate's total.
    const kept = (await heap()) - before;
    expect(Math.abs(kept / i.total - 1)).toBeLessThan(0.1);
    expect(i.kvCache).toBe(2 * 2 * 64 * 32 * 4);  // K and V, 2 layers, context 64, 1 kv head of 32
    model.dispose();
    tokenizer.dispose();
  });

  it('follows overrides, needs a vocabulary and names bad fields', async () => {
    const gpt = await engine.estimateMemory({ config: { vocabSize: 50, contextLength: 64, dim: 64, layers: 2, heads: 2 } });
    expect(gpt.config.ffnDim).toBe(256);
    const llama = await engine.estimateMemory({
      config: { vocabSize: 50, contextLength: 64, dim: 64, layers: 2, heads: 2, arch: 'llama' },
    });
    expect(llama.config.ffnDim).toBe(192);  // 8/3 x 64 rounded up to 32
    expect(llama.config.ropeTheta).toBe(10000);
    await expectError(engine.estimateMemory({ preset: 'tiny', config: {} as { vocabSize: number } }), SllmConfigError, /vocabulary size/);
    await expectError(
      engine.estimateMemory({ preset: 'llama-tiny', config: { vocabSize: 50, kvHeads: 3, heads: 4 } }),
      SllmConfigError, /kv_heads 3 does not divide heads 4/);
  });
});
