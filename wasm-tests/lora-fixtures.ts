// lora-fixtures.ts: what the LoRA tests (lora.test.ts, lora-worker.test.ts) share: the
// fine-tuning text, the LoRA training options, a run's losses, a model's logits through the
// core's uncached forward (lastLogits, the reference the generation tests use too) and the
// largest difference of two logit vectors.
import type { Engine, Model, TrainingProgress } from '../dist/index.js';
import { QUICK } from './helpers.js';

/** Fine-tuning text a base trained on TEXT has never seen as such: one sentence over and over. */
export const ONE_LINE = 'Ada likes Bo.\n'.repeat(400);
/** LoRA training options for a quick run (rank 4, alpha 8). */
export const LORA = { ...QUICK, loraRank: 4, loraAlpha: 8, learningRate: 3e-2, minLearningRate: 3e-3, evalInterval: 0 } as const;

export async function losses(it: AsyncIterable<TrainingProgress>): Promise<number[]> {
  const out: number[] = [];
  for await (const p of it) out.push(p.loss);
  return out;
}

/** The last position's logits of ids (main-thread engine models only). */
export async function logits(engine: Engine, model: Model, ids: number[]): Promise<Float32Array> {
  if (engine.backend === undefined) throw new Error('no engine');
  const h = (model as unknown as { wasmHandle: { lastLogits(ids: number[]): Float32Array } }).wasmHandle;
  return new Float32Array(h.lastLogits(ids));
}

export function maxDiff(a: Float32Array, b: Float32Array): number {
  let w = 0;
  for (let i = 0; i < a.length; i++) w = Math.max(w, Math.abs(a[i] - b[i]));
  return w;
}
