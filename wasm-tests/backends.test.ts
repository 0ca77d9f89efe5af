// backends.test.ts: the SIMD and scalar builds compute the same model: the same losses for the
// same seed (relative difference < 1e-3 over 50 steps) and the same text at temperature 0.
// npm test builds dist/wasm/sllm-simd.wasm; without it this test fails (it never skips).
import { existsSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { createEngine, type Engine } from '../dist/index.js';
import { TEXT } from './helpers.js';

const simdBuild = new URL('../dist/wasm/sllm-simd.wasm', import.meta.url);

async function trainAndSample(engine: Engine) {
  const tokenizer = await engine.createTokenizer({ type: 'char', text: TEXT, specials: ['eos'] });
  // Sizes that are not multiples of the SIMD width exercise the kernels' tails too.
  const model = await engine.createModel({
    tokenizer, config: { contextLength: 48, dim: 36, layers: 2, heads: 3, ffnDim: 100, dropout: 0.1 },
  });
  const trainer = await engine.createTrainer(model, {
    text: TEXT, batchSize: 4, sequenceLength: 45, maxSteps: 50, learningRate: 3e-3, minLearningRate: 3e-4,
    warmupSteps: 5, gradientAccumulation: 2, evalInterval: 25, evalBatches: 2, seed: 42,
  });
  const losses: number[] = [];
  const valLosses: number[] = [];
  for await (const p of trainer.run()) {
    losses.push(p.loss);
    if (p.valLoss !== undefined) valLosses.push(p.valLoss);
  }
  const text = await model.generate('Ada ', { temperature: 0, maxTokens: 120 });
  engine.dispose();
  return { losses, valLosses, text };
}

describe('SIMD and scalar builds', () => {
  it('give the same losses and the same greedy text', async () => {
    expect(existsSync(simdBuild), `${simdBuild.pathname} (built by scripts/build-wasm.sh)`).toBe(true);
    const simd = await createEngine({ backend: 'simd' });
    const scalar = await createEngine({ backend: 'scalar' });
    expect([simd.backend, scalar.backend]).toEqual(['simd', 'scalar']);
    const a = await trainAndSample(simd);
    const b = await trainAndSample(scalar);
    expect(a.losses).toHaveLength(50);
    let worst = 0;
    for (let i = 0; i < 50; i++) worst = Math.max(worst, Math.abs(a.losses[i] - b.losses[i]) / Math.abs(b.losses[i]));
    expect(worst).toBeLessThan(1e-3);
    for (let i = 0; i < a.valLosses.length; i++) expect(a.valLosses[i]).toBeCloseTo(b.valLosses[i], 3);
    expect(a.losses[49]).toBeLessThan(a.losses[0] - 0.5);
    expect(a.text).toBe(b.text);
    expect(a.text).toHaveLength(120);
  });
});
