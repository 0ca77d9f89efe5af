// worker-restart.test.ts: createWorkerEngine replacing a worker of its own that stalls (in
// Firefox driven by WebDriver BiDi, about 1 in 100 threaded starts hang in the worker's `new
// Worker()` for a pthread; see worker-start.ts and scripts/stress-firefox-threads.mjs). Stand-in
// workers that never answer init, or that block inside a thread Web Worker's constructor as
// Firefox's do (counted in the shared probe, then Atomics.wait forever), are started through the
// internal hooks with short timeouts: a stuck constructor is noticed within its own timeout
// and replaced (up to 3 workers), a silent worker once; a caller's worker is never replaced; a
// stalled worker is always terminated. The real threads build counts its constructor.
import { describe, expect, it } from 'vitest';
import { createWorkerEngine, SllmLoadError, type Engine, type WorkerLike } from '../dist/index.js';
import { nodeWorker } from './node-worker.js';

const HOOKS = Symbol.for('sllm.workerEngineHooks');

/** A worker that receives init and never answers. */
const SILENT = '';
/** A worker that, on init, enters a thread Web Worker's constructor (the probe says so) and blocks there for good. */
const STUCK = `
  addEventListener('message', ({ data }) => {
    if (data?.type !== 'APPLY' || data.path?.[0] !== 'init') return;
    const probe = data.argumentList[0].value.probe;
    Atomics.add(probe, 0, 1);
    Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0);
  });
`;

interface Started {
  kind: string;
  terminated: boolean;
  probe?: Int32Array;
}

/** Starts the given kinds of workers in turn (then real ones), recording each and its init's probe. */
function starter(kinds: string[]) {
  const started: Started[] = [];
  const start = (): WorkerLike => {
    const kind = kinds[started.length] ?? 'real';
    const w = nodeWorker(kind === 'real' ? undefined : kind === 'silent' ? SILENT : STUCK);
    const s: Started = { kind, terminated: false };
    started.push(s);
    return {
      postMessage(data: unknown, transfer: unknown[]) {
        const d = data as { path?: string[]; argumentList?: { value?: { probe?: Int32Array } }[] };
        if (d?.path?.[0] === 'init') s.probe = d.argumentList?.[0]?.value?.probe;
        w.postMessage(data, transfer);
      },
      addEventListener: (t, l) => w.addEventListener(t, l),
      removeEventListener: (t, l) => w.removeEventListener(t, l),
      terminate() {
        s.terminated = true;
        w.terminate();
      },
    };
  };
  return { started, start };
}

async function works(engine: Engine): Promise<void> {
  const tokenizer = await engine.createTokenizer({ type: 'char', text: 'abcabc' });
  expect(tokenizer.vocabSize).toBe(3);  // a, b, c: the engine answers
}

describe('createWorkerEngine replaces a worker of its own that stalls', () => {
  it('a worker stuck in a thread Web Worker constructor is replaced within that stage\'s timeout', async () => {
    const { started, start } = starter(['stuck']);
    const stages: string[] = [];
    const t0 = performance.now();
    const engine = await createWorkerEngine({
      backend: 'simd',
      [HOOKS]: { startWorker: start, firstInitTimeoutMs: 60_000, threadWorkerTimeoutMs: 500, onStall: (s: string) => stages.push(s) },
    } as object);
    const ms = performance.now() - t0;
    try {
      await works(engine);
      expect(stages).toEqual(['thread-worker']);
      expect(started.map((s) => [s.kind, s.terminated])).toEqual([['stuck', true], ['real', false]]);
      expect(ms).toBeLessThan(20_000);  // noticed by the constructor watchdog, not the 60 s init timeout
      expect(Array.from(started[0].probe!)).toEqual([1, 0]);
    } finally {
      engine.dispose();
    }
    expect(started[1].terminated).toBe(true);
  });

  it('two stuck workers, then a third that starts', async () => {
    const { started, start } = starter(['stuck', 'stuck']);
    const stages: string[] = [];
    const engine = await createWorkerEngine({
      backend: 'simd',
      [HOOKS]: { startWorker: start, firstInitTimeoutMs: 60_000, threadWorkerTimeoutMs: 300, onStall: (s: string) => stages.push(s) },
    } as object);
    try {
      await works(engine);
      expect(stages).toEqual(['thread-worker', 'thread-worker']);
      expect(started.map((s) => [s.kind, s.terminated])).toEqual([['stuck', true], ['stuck', true], ['real', false]]);
    } finally {
      engine.dispose();
    }
  });

  it('three stuck workers: SllmLoadError naming the stall, every worker terminated', async () => {
    const { started, start } = starter(['stuck', 'stuck', 'stuck', 'stuck']);
    const stages: string[] = [];
    const error = await createWorkerEngine({
      backend: 'simd',
      [HOOKS]: { startWorker: start, firstInitTimeoutMs: 60_000, initTimeoutMs: 60_000, threadWorkerTimeoutMs: 300, onStall: (s: string) => stages.push(s) },
    } as object).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(SllmLoadError);
    expect((error as Error).message).toMatch(/stalled starting a thread Web Worker.*create a new engine/);
    expect(stages).toEqual(['thread-worker', 'thread-worker', 'thread-worker']);
    expect(started.map((s) => [s.kind, s.terminated])).toEqual([['stuck', true], ['stuck', true], ['stuck', true]]);
  });

  it('a silent worker is replaced once after the first init timeout', async () => {
    const { started, start } = starter(['silent']);
    const stages: string[] = [];
    const engine = await createWorkerEngine({
      backend: 'simd',
      [HOOKS]: { startWorker: start, firstInitTimeoutMs: 300, initTimeoutMs: 30_000, onStall: (s: string) => stages.push(s) },
    } as object);
    try {
      await works(engine);
      expect(stages).toEqual(['init']);
      expect(started.map((s) => [s.kind, s.terminated])).toEqual([['silent', true], ['real', false]]);
    } finally {
      engine.dispose();
    }
  });

  it('two silent workers: SllmLoadError after the second, no third worker', async () => {
    const { started, start } = starter(['silent', 'silent', 'silent']);
    const stages: string[] = [];
    const t0 = performance.now();
    const error = await createWorkerEngine({
      backend: 'simd',
      [HOOKS]: { startWorker: start, firstInitTimeoutMs: 200, initTimeoutMs: 400, onStall: (s: string) => stages.push(s) },
    } as object).catch((e: unknown) => e);
    expect(performance.now() - t0).toBeGreaterThanOrEqual(590);
    expect(error).toBeInstanceOf(SllmLoadError);
    expect((error as Error).message).toMatch(/did not start within 0.4 s/);
    expect(stages).toEqual(['init', 'init']);
    expect(started.map((s) => [s.kind, s.terminated])).toEqual([['silent', true], ['silent', true]]);
  });

  it("the caller's own worker is not replaced", async () => {
    const { started, start } = starter(['stuck', 'stuck']);
    const worker = start();
    const error = await createWorkerEngine({
      backend: 'simd',
      worker,
      [HOOKS]: { startWorker: start, threadWorkerTimeoutMs: 300 },
    } as object).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(SllmLoadError);
    expect(started.map((s) => [s.kind, s.terminated])).toEqual([['stuck', true]]);
  });

  it("the threads build counts its thread Web Worker's constructor in the probe", async () => {
    const { started, start } = starter([]);
    const stages: string[] = [];
    const engine = await createWorkerEngine({
      backend: 'simd-threads',
      threads: 2,
      [HOOKS]: { startWorker: start, onStall: (s: string) => stages.push(s) },
    } as object);
    try {
      expect(engine).toMatchObject({ backend: 'simd-threads', threads: 2 });
      await works(engine);
      expect(Array.from(started[0].probe!)).toEqual([1, 1]);  // one pthread Web Worker: entered, returned
      expect(stages).toEqual([]);
    } finally {
      engine.dispose();
    }
  });
});
