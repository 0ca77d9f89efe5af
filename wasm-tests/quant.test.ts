// quant.test.ts: models loaded for generation keep their weights in the file's dtype (packed):
// model.memory() reports the weights as held (a q4_0 file's bytes, not an f32 copy), the KV
// cache and scratch of a generation; generation from f16 and q8_0 files gives the f32
// original's greedy text; training a loaded model converts its weights to f32 (memory() says so).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createEngine, type Engine, type Model, type Tokenizer } from '../dist/index.js';
import { QUICK, TEXT } from './helpers.js';

let engine: Engine;
let tokenizer: Tokenizer;
let model: Model;
// Every matrix's rows are multiples of 32 values, so q8_0 / q4_0 apply to all of them.
const CONFIG = { contextLength: 64, dim: 64, layers: 2, heads: 2, ffnDim: 128 };

beforeAll(async () => {
  engine = await createEngine();
  tokenizer = await engine.createTokenizer({ type: 'char', text: TEXT, specials: ['eos'] });
  model = await engine.createModel({ tokenizer, config: CONFIG });
  const trainer = await engine.createTrainer(model, { text: TEXT, ...QUICK, maxSteps: 60, evalInterval: 30 });
  for await (const _ of trainer.run());
  trainer.dispose();
});
afterAll(() => engine.dispose());

// Bytes of the tensors of a file by their number of dimensions, from its header.
function tensorBytes(header: Record<string, unknown>): { matrices: number; others: number } {
  const out = { matrices: 0, others: 0 };
  for (const t of header.tensors as { shape: number[]; nbytes: number }[])
    out[t.shape.length === 2 ? 'matrices' : 'others'] += t.nbytes;
  return out;
}

describe('weights in their file dtype', () => {
  it('memory() reports a new model in f32 and a loaded q4_0 model as its file bytes', async () => {
    const fresh = await model.memory();
    expect(fresh.packed).toBe(false);
    expect(fresh.dtype).toBe('f32');
    expect(fresh.weights).toBe(4 * model.parameterCount);
    const { layers, contextLength, dim } = model.config;
    expect(fresh.kvCache).toBe(2 * layers * contextLength * dim * 4);
    expect(fresh.scratch).toBeGreaterThan(0);
    expect(fresh.total).toBe(fresh.weights + fresh.kvCache + fresh.scratch);

    const bytes = await model.save({ dtype: 'q4_0' });
    const loaded = await engine.loadModel(bytes);
    const m = await loaded.model.memory();
    expect(m.packed).toBe(true);
    expect(m.dtype).toBe('q4_0');
    const t = tensorBytes(loaded.header);
    expect(m.weights).toBe(t.matrices + t.others);  // the file's tensors, no f32 copy
    expect(m.weights).toBeLessThan(0.3 * fresh.weights);
    expect(m.kvCache).toBe(fresh.kvCache);
    expect(m.scratch).toBeGreaterThan(fresh.scratch);  // + the prompt's activations in q8 blocks
    loaded.model.dispose();
    loaded.tokenizer.dispose();
  });

  it('a q8_0 file generates the f32 original greedy text; q4_0 and f16 load and generate', async () => {
    const opts = { temperature: 0, maxTokens: 48 };
    const reference = await model.generate('Ada ', opts);
    for (const dtype of ['f16', 'q8_0', 'q4_0'] as const) {
      const { model: m, tokenizer: t } = await engine.loadModel(await model.save({ dtype }));
      const text = await m.generate('Ada ', opts);
      expect(text).toHaveLength(48);
      if (dtype !== 'q4_0') expect(text).toBe(reference);
      m.dispose();
      t.dispose();
    }
  });

  it('training a loaded model converts its weights to f32 first (the C++ tests check they are the f32 load bit for bit)', async () => {
    const { model: m, tokenizer: t } = await engine.loadModel(await model.save({ dtype: 'q8_0' }));
    expect((await m.memory()).packed).toBe(true);
    const trainer = await engine.createTrainer(m, { text: TEXT, ...QUICK, maxSteps: 3 });
    const after = await m.memory();
    expect(after.packed).toBe(false);
    expect(after.dtype).toBe('f32');
    expect(after.weights).toBe(4 * m.parameterCount);
    const losses: number[] = [];
    for await (const p of trainer.run()) losses.push(p.loss);
    expect(losses).toHaveLength(3);
    for (const l of losses) expect(Number.isFinite(l)).toBe(true);
    trainer.dispose();
    m.dispose();
    t.dispose();
  });
});
