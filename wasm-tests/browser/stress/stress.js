// stress.js: the page side of the threaded-engine stall stress (threads-stall.stress.ts, run by
// scripts/stress-firefox-threads.mjs). cycle() creates a Worker engine with createWorkerEngine's
// internal hooks (short init timeouts, a record of each stall), trains 2 steps of a tiny
// model and generates a few tokens; the engine is disposed, or kept for a while ('keep' mode).
import { corpus } from '../pages/lib.js';

const TEXT = corpus(200);
const TINY = { contextLength: 16, dim: 16, layers: 1, heads: 2, ffnDim: 32 };
const QUICK = { batchSize: 2, sequenceLength: 16, learningRate: 3e-3, warmupSteps: 1, evalBatches: 1 };
const HOOKS = Symbol.for('sllm.workerEngineHooks');
const kept = [];

/**
 * One creation: { ms, stalled (how many workers stalled), stages (where each stalled:
 * 'thread-worker' or 'init'), backend, threads, error? }.
 */
export async function cycle(sllm, { threads = 2, timeoutMs = 15_000, keep = 0, steps = 2 } = {}) {
  const t0 = performance.now();
  let stalled = 0;
  const stages = [];
  let engine;
  try {
    engine = await sllm.createWorkerEngine({
      threads,
      [HOOKS]: {
        firstInitTimeoutMs: timeoutMs, initTimeoutMs: timeoutMs,
        onStall: (stage) => {
          stalled += 1;
          stages.push(stage);
        },
      },
    });
  } catch (e) {
    return { ms: performance.now() - t0, stalled, stages, error: `${e.name}: ${e.message}` };
  }
  const ms = performance.now() - t0;
  try {
    const tokenizer = await engine.createTokenizer({ type: 'char', text: TEXT });
    const model = await engine.createModel({ tokenizer, config: TINY });
    const trainer = await engine.createTrainer(model, { text: TEXT, ...QUICK, maxSteps: steps });
    for await (const _ of trainer.run());
    await model.generate('Ada ', { maxTokens: 4, temperature: 0 });
  } catch (e) {
    engine.dispose();
    return { ms, stalled, stages, backend: engine.backend, threads: engine.threads, error: `after start: ${e.name}: ${e.message}` };
  }
  if (keep > 0) {
    kept.push(engine);
    while (kept.length > keep) kept.shift().dispose();
  } else {
    engine.dispose();
  }
  return { ms, stalled, stages, backend: engine.backend, threads: engine.threads };
}

/** Disposes the engines kept by 'keep' mode. */
export function disposeKept() {
  while (kept.length) kept.shift().dispose();
}
