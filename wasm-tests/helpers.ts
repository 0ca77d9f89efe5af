// helpers.ts: shared fixtures of the wasm tests: a small made-up corpus that a tiny model
// learns in a few dozen steps, tiny model settings, and access to the engine's internals.
import { expect } from 'vitest';
import type { Engine, Model, Tokenizer } from '../dist/index.js';
import type { SllmModule } from '../dist/glue.js';
import type { Runtime } from '../dist/runtime.js';

/** A varied, repetitive text (~20 KB, 26 distinct characters). */
export function corpus(lines = 800): string {
  const names = ['Ada', 'Bo', 'Cy', 'Di'];
  const verbs = ['sees', 'likes', 'finds', 'helps'];
  let seed = 12345;
  const next = (n: number) => {
    seed = (seed * 1103515245 + 12345) % 2147483648;
    return (seed >>> 16) % n;
  };
  let s = '';
  for (let i = 0; i < lines; i++) s += `${names[next(4)]} ${verbs[next(4)]} ${names[next(4)]}.\n`;
  return s;
}

export const TEXT = corpus();

/** Model config fields for a small, fast model (2 layers, dim 32, context 32). */
export const SMALL = { contextLength: 32, dim: 32, layers: 2, heads: 2, ffnDim: 64 } as const;

/** Training options for a quick run on TEXT. */
export const QUICK = {
  batchSize: 4,
  sequenceLength: 32,
  learningRate: 3e-3,
  minLearningRate: 3e-4,
  warmupSteps: 5,
  evalBatches: 2,
} as const;

export async function smallModel(engine: Engine, specials: ('pad' | 'unk' | 'bos' | 'eos')[] = []):
    Promise<{ tokenizer: Tokenizer; model: Model }> {
  const tokenizer = await engine.createTokenizer({ type: 'char', text: TEXT, specials });
  const model = await engine.createModel({ tokenizer, config: SMALL });
  return { tokenizer, model };
}

/** The engine's raw embind module (for test hooks such as debugThrow). */
export function rawModule(engine: Engine): SllmModule {
  return (engine as unknown as { runtime: Runtime }).runtime.module;
}

export function runtime(engine: Engine): Runtime {
  return (engine as unknown as { runtime: Runtime }).runtime;
}

/** Expects promise to reject with an error of class Cls whose message matches re. */
export async function expectError(promise: Promise<unknown> | (() => unknown), Cls: Function, re?: RegExp) {
  let error: unknown;
  try {
    await (typeof promise === 'function' ? promise() : promise);
  } catch (e) {
    error = e;
  }
  expect(error, `expected ${Cls.name}`).toBeInstanceOf(Cls);
  if (re) expect((error as Error).message).toMatch(re);
  return error as Error;
}

/** Settles garbage collection and finalizers (needs node --expose-gc). */
export async function collectGarbage(): Promise<void> {
  const gc = (globalThis as { gc?: () => void }).gc;
  if (!gc) throw new Error('run with --expose-gc');
  for (let i = 0; i < 6; i++) {
    gc();
    await new Promise((r) => setTimeout(r, 10));
  }
}
