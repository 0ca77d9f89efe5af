// resources.test.ts: disposal and memory: dispose()/Symbol.dispose, use after dispose,
// engine-wide disposal, garbage-collected objects freed by the FinalizationRegistry, no heap
// growth over 1,000 create/dispose cycles or 1,000 failing calls, and the mapping of every
// C++ exception kind to its Error subclass.
import { describe, expect, it } from 'vitest';
import {
  createEngine,
  SllmAdapterFileError,
  SllmConfigError,
  SllmDataError,
  SllmDisposedError,
  SllmError,
  SllmFormatError,
  SllmInternalError,
  SllmInvalidArgumentError,
  SllmOutOfMemoryError,
  SllmTokenizerError,
  SllmTrainingError,
  type Engine,
} from '../dist/index.js';
import { collectGarbage, expectError, QUICK, rawModule, runtime, SMALL, TEXT } from './helpers.js';

const heap = async (engine: Engine) => (await engine.memoryStats()).heapBytesInUse;

async function everything(engine: Engine) {
  const tokenizer = await engine.createTokenizer({ type: 'char', text: TEXT, specials: ['unk', 'eos'] });
  const model = await engine.createModel({ tokenizer, config: SMALL });
  const trainer = await engine.createTrainer(model, { text: TEXT, ...QUICK, maxSteps: 10 });
  return { tokenizer, model, trainer };
}

describe('dispose', () => {
  it('frees objects, is idempotent, and makes later use throw SllmDisposedError', async () => {
    const engine = await createEngine({ backend: 'scalar' });
    const warm = await everything(engine);  // the GEMM keeps its packing scratch after first use
    await warm.trainer.step();
    for (const o of [warm.trainer, warm.model, warm.tokenizer]) o.dispose();
    const start = await heap(engine);
    const { tokenizer, model, trainer } = await everything(engine);
    await trainer.step();
    expect(await heap(engine)).toBeGreaterThan(start);
    for (const o of [trainer, model, tokenizer]) {
      expect(o.disposed).toBe(false);
      o.dispose();
      o.dispose();
      expect(o.disposed).toBe(true);
    }
    expect(await heap(engine)).toBe(start);
    const disposed = /has been disposed and can no longer be used/;
    await expectError(tokenizer.encode('Ada'), SllmDisposedError, disposed);
    await expectError(tokenizer.decode([1]), SllmDisposedError, disposed);
    await expectError(model.generate('Ada'), SllmDisposedError, /this model has been disposed/);
    await expectError(model.save(), SllmDisposedError, disposed);
    await expectError(trainer.step(), SllmDisposedError, /this trainer has been disposed/);
    await expectError(trainer.run().next(), SllmDisposedError, disposed);
    await expectError(engine.createModel({ tokenizer, config: SMALL }), SllmDisposedError, disposed);
    await expectError(engine.createTrainer(model, { text: TEXT }), SllmDisposedError, disposed);
    const e = await expectError(tokenizer.encode('x'), SllmError);
    expect((e as SllmError).code).toBe('Disposed');
    engine.dispose();
  });

  it('supports Symbol.dispose (using declarations)', async () => {
    const engine = await createEngine({ backend: 'scalar' });
    const tokenizer = await engine.createTokenizer({ type: 'char', text: 'abc' });
    expect(typeof tokenizer[Symbol.dispose]).toBe('function');
    tokenizer[Symbol.dispose]();
    expect(tokenizer.disposed).toBe(true);
    engine[Symbol.dispose]();
    expect(engine.disposed).toBe(true);
  });

  it('disposing the engine frees everything it made', async () => {
    const engine = await createEngine({ backend: 'scalar' });
    const { tokenizer, model, trainer } = await everything(engine);
    const stream = model.stream('Ada', { maxTokens: 1000 });
    await stream.next();
    expect(runtime(engine).liveHandles).toBe(4);
    engine.dispose();
    expect(runtime(engine).liveHandles).toBe(0);
    for (const o of [tokenizer, model, trainer]) expect(o.disposed).toBe(true);
    await expectError(stream.next(), SllmDisposedError, /engine has been disposed; create a new one/);
    await expectError(engine.listPresets(), SllmDisposedError);
    await expectError(engine.memoryStats(), SllmDisposedError);
  });

  it('ends a run quietly when the trainer is disposed during it', async () => {
    const engine = await createEngine({ backend: 'scalar' });
    const { trainer } = await everything(engine);
    let n = 0;
    for await (const _ of trainer.run()) if (++n === 2) trainer.dispose();
    expect(n).toBe(2);
    engine.dispose();
  });
});

describe('memory', () => {
  it('1,000 create/dispose cycles leave the wasm heap where it started', async () => {
    const engine = await createEngine({ backend: 'scalar' });
    const warm = await everything(engine);  // first-use allocations (static buffers, option tables) happen here
    await warm.trainer.step();
    await warm.model.generate('Ada', { maxTokens: 5 });
    for (const o of [warm.trainer, warm.model, warm.tokenizer]) o.dispose();
    const start = await heap(engine);
    const wasmBytes = (await engine.memoryStats()).wasmMemoryBytes;
    const text = TEXT.slice(0, 2000);
    for (let i = 0; i < 1000; i++) {
      const tokenizer = await engine.createTokenizer({ type: 'char', text, specials: ['eos'] });
      const model = await engine.createModel({ tokenizer, config: { contextLength: 16, dim: 8, layers: 1, heads: 1 } });
      if (i % 10 === 0) {
        const trainer = await engine.createTrainer(model, { text, batchSize: 2, sequenceLength: 16, maxSteps: 5,
          warmupSteps: 1 });
        await trainer.step();
        await trainer.evaluate();
        trainer.dispose();
        await model.generate('Ada', { maxTokens: 5 });
      }
      model.dispose();
      tokenizer.dispose();
    }
    expect(await heap(engine)).toBe(start);
    expect((await engine.memoryStats()).wasmMemoryBytes).toBe(wasmBytes);
    engine.dispose();
  });

  it('1,000 failing calls leak nothing', async () => {
    const engine = await createEngine({ backend: 'scalar' });
    const tokenizer = await engine.createTokenizer({ type: 'char', text: 'abc' });
    const fail = async () => {
      await expectError(tokenizer.encode('abcd'.repeat(10)), SllmTokenizerError);
      await expectError(engine.createModel({ tokenizer, preset: 'nope' }), SllmConfigError);
      await expectError(engine.createModel({ tokenizer, config: { ...SMALL, dim: 33 } }), SllmConfigError);
      await expectError(engine.loadTokenizer({ type: 'char', tokens: [] }), SllmFormatError);
    };
    await fail();
    const start = await heap(engine);
    for (let i = 0; i < 250; i++) await fail();
    expect(await heap(engine)).toBe(start);
    engine.dispose();
  });

  it('frees objects that were never disposed once they are garbage-collected', async () => {
    const engine = await createEngine({ backend: 'scalar' });
    {
      // First-use allocations (the option tables) happen here.
      const tokenizer = await engine.createTokenizer({ type: 'char', text: 'abc' });
      (await engine.createModel({ tokenizer, config: SMALL })).dispose();
      tokenizer.dispose();
    }
    const start = await heap(engine);
    await (async () => {
      for (let i = 0; i < 20; i++) {
        const tokenizer = await engine.createTokenizer({ type: 'char', text: TEXT });
        await engine.createModel({ tokenizer, config: SMALL });  // dropped without dispose()
      }
    })();
    expect(await heap(engine)).toBeGreaterThan(start + 20 * 4 * 10_000);
    for (let i = 0; i < 20 && (await heap(engine)) !== start; i++) await collectGarbage();
    expect(await heap(engine)).toBe(start);
    expect(runtime(engine).liveHandles).toBe(0);
    engine.dispose();
  });
});

describe('errors from C++', () => {
  it('map each core error code to its subclass, with name, code and message', async () => {
    const engine = await createEngine({ backend: 'scalar' });
    const M = rawModule(engine);
    const cases: [string, Function, string][] = [
      ['InvalidArgument', SllmInvalidArgumentError, 'InvalidArgument'],
      ['Config', SllmConfigError, 'Config'],
      ['Tokenizer', SllmTokenizerError, 'Tokenizer'],
      ['Data', SllmDataError, 'Data'],
      ['Format', SllmFormatError, 'Format'],
      ['AdapterFile', SllmAdapterFileError, 'Format'],
      ['Training', SllmTrainingError, 'Training'],
      ['OutOfMemory', SllmOutOfMemoryError, 'OutOfMemory'],
      ['Internal', SllmInternalError, 'Internal'],
      ['bad_alloc', SllmOutOfMemoryError, 'OutOfMemory'],
      ['length_error', SllmOutOfMemoryError, 'OutOfMemory'],
      ['std', SllmInternalError, 'Internal'],
    ];
    const start = await heap(engine);
    for (const [kind, Cls, code] of cases) {
      const e = await expectError(() => runtime(engine).invoke(() => M.debugThrow(kind)), Cls);
      expect(e).toBeInstanceOf(SllmError);
      expect(e).toBeInstanceOf(Error);
      expect(e.name).toBe(Cls.name);
      expect((e as SllmError).code).toBe(code);
      expect(e.message.length).toBeGreaterThan(10);
      expect(e.stack).toContain('resources.test');
    }
    expect(M.sllmPendingError).toBeUndefined();
    expect(await heap(engine)).toBe(start);
    // the module still works after all of that
    const t = await engine.createTokenizer({ type: 'char', text: 'ab' });
    expect(Array.from(await t.encode('ba'))).toEqual([1, 0]);
    engine.dispose();
  });

  it('objects of one engine cannot be used with another', async () => {
    const a = await createEngine({ backend: 'scalar' });
    const b = await createEngine({ backend: 'scalar' });
    const tokenizer = await a.createTokenizer({ type: 'char', text: 'abc' });
    await expectError(b.createModel({ tokenizer, config: SMALL }), SllmInvalidArgumentError, /another engine/);
    a.dispose();
    b.dispose();
  });
});
