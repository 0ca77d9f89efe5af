// worker-engine.test.ts: createWorkerEngine() against the package's worker entry run in a Node
// worker thread (node-worker.ts): the same results as the main-thread engine (losses, text,
// saved bytes), streams and runs pulled through the worker with pause/resume/stop and aborts,
// buffers transferred rather than copied, errors arriving as the same classes, and disposal.
// The real Web Worker, its bundling and main-thread responsiveness are tested in Chromium.
import { afterEach, describe, expect, it, vi } from 'vitest';
import {
  AbortError,
  createEngine,
  createWorkerEngine,
  SllmConfigError,
  SllmDisposedError,
  SllmInvalidArgumentError,
  SllmLoadError,
  SllmTokenizerError,
  type Engine,
  type Trainer,
  type TrainingProgress,
} from '../dist/index.js';
import { expectError, QUICK, SMALL, TEXT } from './helpers.js';
import { nodeWorker } from './node-worker.js';

const engines: Engine[] = [];
async function workerEngine(options: Parameters<typeof createWorkerEngine>[0] = {}): Promise<Engine> {
  const engine = await createWorkerEngine({ worker: nodeWorker(), ...options });
  engines.push(engine);
  return engine;
}

afterEach(() => {
  for (const e of engines.splice(0)) e.dispose();
  vi.restoreAllMocks();
});

async function setup(engine: Engine, maxSteps = 6) {
  const tokenizer = await engine.createTokenizer({ type: 'char', text: TEXT, specials: ['eos'] });
  const model = await engine.createModel({ tokenizer, config: SMALL });
  const trainer = await engine.createTrainer(model, { text: TEXT, ...QUICK, maxSteps, evalInterval: 3 });
  return { tokenizer, model, trainer };
}

async function drain(trainer: Trainer): Promise<TrainingProgress[]> {
  const out: TrainingProgress[] = [];
  for await (const p of trainer.run()) out.push(p);
  return out;
}

describe('createWorkerEngine', () => {
  it('computes exactly what the main-thread engine computes', async () => {
    const main = await createEngine();
    const worker = await workerEngine();
    expect(worker.backend).toBe(main.backend);
    const a = await setup(main);
    const b = await setup(worker);
    expect(b.tokenizer.vocabSize).toBe(a.tokenizer.vocabSize);
    expect(b.tokenizer.specialTokens).toEqual(a.tokenizer.specialTokens);
    expect(b.model.config).toEqual(a.model.config);
    expect(b.model.parameterCount).toBe(a.model.parameterCount);
    expect(b.trainer.config).toEqual(a.trainer.config);
    expect([b.trainer.trainTokens, b.trainer.valTokens]).toEqual([a.trainer.trainTokens, a.trainer.valTokens]);

    const pa = await drain(a.trainer);
    const pb = await drain(b.trainer);
    const strip = (p: TrainingProgress) => ({ ...p, tokensPerSecond: 0, elapsedMs: 0, etaMs: 0 });
    expect(pb.map(strip)).toEqual(pa.map(strip));
    expect(pb.at(-1)).toMatchObject({ step: 6, done: true });
    expect(b.trainer.state).toBe('done');

    const opts = { maxTokens: 40, temperature: 0 };
    expect(await b.model.generate('Ada ', opts)).toBe(await a.model.generate('Ada ', opts));
    expect(await b.model.save({ dtype: 'q8_0' })).toEqual(await a.model.save({ dtype: 'q8_0' }));
    expect(await b.tokenizer.encode('Bo sees Cy.')).toEqual(await a.tokenizer.encode('Bo sees Cy.'));
    expect(await b.tokenizer.decode([1, 2, 3])).toBe(await a.tokenizer.decode([1, 2, 3]));
    expect(await b.tokenizer.idToToken(0)).toBe(await a.tokenizer.idToToken(0));
    expect(await b.tokenizer.tokenToId('[EOS]')).toBe(await a.tokenizer.tokenToId('[EOS]'));
    expect(await b.tokenizer.serialize()).toEqual(await a.tokenizer.serialize());
    expect(await b.trainer.evaluate()).toEqual(await a.trainer.evaluate());
    expect((await worker.listPresets()).map((p) => p.name)).toEqual((await main.listPresets()).map((p) => p.name));
    expect((await worker.memoryStats()).wasmMemoryBytes).toBeGreaterThan(0);
    const restored = await worker.loadTokenizer(await a.tokenizer.serialize());
    expect(restored.vocabSize).toBe(a.tokenizer.vocabSize);
    main.dispose();
  });

  it('loads the build the main thread chose', async () => {
    expect((await workerEngine({ backend: 'scalar' })).backend).toBe('scalar');
    await expectError(
      workerEngine({ backend: 'simd', wasmBaseUrl: new URL('./no-such-dir/', import.meta.url) }),
      SllmLoadError,
      /simd build/,
    );
    await expectError(createWorkerEngine({ backend: 'x' as never }), SllmInvalidArgumentError);
  });

  it('takes the scalar build when this thread lacks SIMD, though the worker has it', async () => {
    vi.spyOn(WebAssembly, 'validate').mockReturnValue(false); // this thread only
    expect((await workerEngine()).backend).toBe('scalar');
    await expectError(createWorkerEngine({ backend: 'simd' }), SllmLoadError, /does not support WebAssembly SIMD/);
  });

  it('finds the .wasm files where the options say, resolved on this thread', async () => {
    const seen: string[] = [];
    const dist = new URL('../dist/wasm/', import.meta.url);
    const engine = await workerEngine({
      locateWasm: (file) => {
        seen.push(file);
        return new URL(file, dist);
      },
    });
    expect(engine.backend).toBe('simd');
    expect(seen.sort()).toEqual([
      'sllm-simd-threads.mjs',
      'sllm-simd-threads.wasm',
      'sllm-simd-threads.worker.js',
      'sllm-simd.wasm',
      'sllm.wasm',
    ]);
    expect((await workerEngine({ wasmBaseUrl: dist, backend: 'scalar' })).backend).toBe('scalar');
  });

  it('reports a worker that cannot start', async () => {
    await expectError(
      createWorkerEngine({ worker: nodeWorker('throw new Error("module failed to evaluate");') }),
      SllmLoadError,
      /could not start \(module failed to evaluate\)/,
    );
  });

  it('streams generated text and stops when the loop ends or the signal aborts', async () => {
    const engine = await workerEngine();
    const { model } = await setup(engine);
    const whole = await model.generate('', { maxTokens: 60, seed: 3 });
    let streamed = '';
    for await (const piece of model.stream('', { maxTokens: 60, seed: 3 })) streamed += piece;
    expect(streamed).toBe(whole);
    let n = 0;
    for await (const _ of model.stream('', { maxTokens: 500, stopAtEos: false })) if (++n === 3) break;
    expect(n).toBe(3);
    const abort = new AbortController();
    const reason = new Error('user pressed stop');
    const e = await expectError(async () => {
      for await (const _ of model.stream('', { maxTokens: 100_000, stopAtEos: false, signal: abort.signal })) abort.abort(reason);
    }, AbortError);
    expect(e.cause).toBe(reason);
    await expectError(model.generate('x', { signal: abort.signal }), AbortError);
    expect(await model.generate('Ada', { maxTokens: 5, temperature: 0 })).toHaveLength(5);
  });

  it('pauses, resumes, stops and aborts a run in progress', async () => {
    const engine = await workerEngine();
    const { trainer } = await setup(engine, 40);
    expect(trainer.state).toBe('idle');
    const seen: number[] = [];
    let resumedAt = 0;
    for await (const p of trainer.run()) {
      seen.push(p.step);
      expect(trainer.state).toBe('running');
      if (p.step === 2) {
        trainer.pause();
        expect(trainer.state).toBe('paused');
        setTimeout(() => {
          resumedAt = performance.now();
          trainer.resume();
        }, 150);
      }
      if (p.step === 3) expect(performance.now()).toBeGreaterThanOrEqual(resumedAt);
      if (p.step === 5) trainer.stop();
    }
    expect(resumedAt).toBeGreaterThan(0);
    // stop() takes effect after the step in progress: the loop ends normally
    expect(seen).toEqual([1, 2, 3, 4, 5]);
    expect(trainer.state).toBe('idle');
    // a second run continues; an abort ends it with AbortError
    const abort = new AbortController();
    const e = await expectError(async () => {
      for await (const p of trainer.run({ signal: abort.signal })) if (p.step === 7) abort.abort('enough');
    }, AbortError);
    expect(e.cause).toBe('enough');
    const p = await trainer.step();
    expect(p.step).toBe(8);
    // breaking out of the loop, then running again
    for await (const q of trainer.run()) if (q.step === 9) break;
    expect((await trainer.step()).step).toBe(10);
    const again = trainer.run();
    const first = await again.next();
    expect(first.value?.step).toBe(11);
    await expectError(trainer.run().next(), SllmInvalidArgumentError, /already running/);
    await expectError(trainer.step(), SllmInvalidArgumentError, /inside run/);
    await again.return!(undefined);
  });

  it('continues a checkpoint exactly, through the worker', async () => {
    const engine = await workerEngine();
    const { model, trainer } = await setup(engine, 8);
    for await (const p of trainer.run()) if (p.step === 4) break;
    const checkpoint = await trainer.saveCheckpoint({ metadata: { note: 'half way' } });
    const rest = (await drain(trainer)).map((p) => p.loss);
    const loaded = await engine.loadModel(checkpoint);
    expect(loaded).toMatchObject({ isCheckpoint: true, metadata: { note: 'half way' } });
    expect(loaded.checkpoint?.step).toBe(4);
    expect(loaded.model.checkpoint?.config.maxSteps).toBe(8);
    expect((loaded.header.training as { step: number }).step).toBe(4);
    const resumed = await engine.resumeTrainer(loaded.model, { text: TEXT });
    expect((await drain(resumed)).map((p) => p.loss)).toEqual(rest);
    expect(await loaded.model.generate('Di', { maxTokens: 20, temperature: 0 })).toBe(
      await model.generate('Di', { maxTokens: 20, temperature: 0 }),
    );
  });

  it('transfers bytes instead of copying them', async () => {
    const engine = await workerEngine();
    const { model } = await setup(engine);
    const bytes = await model.save();
    // the worker gave its buffer away: the array is the whole buffer, not a view into another
    expect(bytes.byteOffset).toBe(0);
    expect(bytes.buffer.byteLength).toBe(bytes.length);
    const ids = await model.tokenizer.encode('Ada sees Bo.');
    expect(ids.buffer.byteLength).toBe(ids.byteLength);
    // loadModel copies unless asked to transfer
    const kept = await engine.loadModel(bytes);
    expect(bytes.length).toBeGreaterThan(0);
    const copy = bytes.slice();
    const moved = await engine.loadModel(copy, { transfer: true });
    expect(copy.length).toBe(0); // detached: handed to the worker
    expect(await moved.model.save()).toEqual(bytes);
    expect(await kept.model.save()).toEqual(bytes);
    // a view into a larger buffer is copied even when transfer is asked for
    const big = new Uint8Array(bytes.length + 8);
    big.set(bytes, 8);
    await engine.loadModel(big.subarray(8), { transfer: true });
    expect(big.buffer.byteLength).toBe(bytes.length + 8);
  });

  it('throws the same error classes as the main-thread engine', async () => {
    const engine = await workerEngine();
    const { tokenizer, model } = await setup(engine);
    const e = await expectError(engine.createModel({ tokenizer, config: { ...SMALL, heads: 3 } }), SllmConfigError);
    expect((e as SllmConfigError).code).toBe('Config');
    await expectError(tokenizer.encode('Ada 😀'), SllmTokenizerError);
    await expectError(engine.loadModel(new Uint8Array(4)), Error, /SLLM|20 bytes/);
    await expectError(engine.createTrainer(model, { text: 'ab', ...QUICK }), Error, /corpus|tokens|small/i);
    await expectError(
      engine.createTokenizer({ type: 'char', text: 'x', fn: () => 1 } as never),
      SllmInvalidArgumentError,
      /cannot be sent to the sllm worker/,
    );
    const other = await workerEngine();
    await expectError(other.createTrainer(model, { text: TEXT }), SllmInvalidArgumentError, /another engine/);
    const main = await createEngine();
    const mainTok = await main.createTokenizer({ type: 'char', text: TEXT });
    await expectError(engine.createModel({ tokenizer: mainTok }), SllmInvalidArgumentError, /from this engine/);
    main.dispose();
  });

  it('disposes objects in the worker, and the worker with the engine', async () => {
    const engine = await workerEngine();
    const { tokenizer, model, trainer } = await setup(engine, 1000);
    const before = await engine.memoryStats();
    trainer.dispose();
    expect(trainer.disposed).toBe(true);
    await expectError(trainer.step(), SllmDisposedError, /trainer has been disposed/);
    await expectError(trainer.run().next(), SllmDisposedError);
    // the model keeps working: the trainer's memory is freed in the worker
    expect(await model.generate('', { maxTokens: 3 })).toBeTypeOf('string');
    expect((await engine.memoryStats()).heapBytesInUse).toBeLessThan(before.heapBytesInUse);
    model.dispose();
    await expectError(model.save(), SllmDisposedError);
    expect(tokenizer.disposed).toBe(false);
    // a call in flight when the engine is disposed rejects instead of hanging
    const t2 = await engine.createTrainer(
      await engine.createModel({ tokenizer, config: SMALL }),
      { text: TEXT, ...QUICK, maxSteps: 1000 },
    );
    const running = (async () => {
      for await (const _ of t2.run());
    })();
    await new Promise((r) => setTimeout(r, 50));
    engine.dispose();
    await expectError(running, SllmDisposedError);
    expect(engine.disposed && tokenizer.disposed && t2.disposed).toBe(true);
    await expectError(tokenizer.encode('a'), SllmDisposedError, /engine has been disposed/);
    await expectError(engine.createTokenizer({ type: 'char', text: 'a' }), SllmDisposedError);
    engine.dispose(); // idempotent
  });
});

describe('tokenizer options that cross to the worker', () => {
  it('a BPE training progress callback is called from the worker', async () => {
    const engine = await workerEngine();
    {
      const seen: number[] = [];
      const tok = await engine.createTokenizer({
        type: 'bpe', text: TEXT.repeat(4), vocabSize: 300, onProgress: (done) => seen.push(done),
      });
      expect(tok.vocabSize).toBeLessThanOrEqual(300);
      await new Promise((r) => setTimeout(r, 50));  // progress messages arrive asynchronously
      expect(seen.length).toBeGreaterThan(0);
      const ids = await tok.encode('Ada sees Bo.');
      expect(await tok.decode(ids)).toBe('Ada sees Bo.');
    }
  });
});
