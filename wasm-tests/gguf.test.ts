// gguf.test.ts: the package's GGUF surface on both engines (main thread, and the Worker engine in
// a Node worker thread): model.toGguf() in each dtype, engine.loadModel() of GGUF bytes (the same
// model back: config, greedy text, and the same SLLM file when saved again), the header that
// describes a GGUF file, and the errors: a word tokenizer cannot be exported, a damaged or
// unsupported file is an SllmFormatError naming what is wrong; the model store keeps SLLM files
// (a GGUF model is stored as model.save()'s bytes).
import 'fake-indexeddb/auto';
import { afterEach, describe, expect, it } from 'vitest';
import {
  createEngine,
  createWorkerEngine,
  openModelStore,
  SllmFormatError,
  SllmInvalidArgumentError,
  type Engine,
} from '../dist/index.js';
import { expectError, SMALL, TEXT } from './helpers.js';
import { nodeWorker } from './node-worker.js';

const engines: Engine[] = [];
afterEach(() => {
  for (const e of engines.splice(0)) e.dispose();
});

const makers: [string, () => Promise<Engine>][] = [
  ['main thread', () => createEngine()],
  ['Worker engine', () => createWorkerEngine({ worker: nodeWorker() })],
];

describe.each(makers)('GGUF in the package (%s)', (_, make) => {
  async function engine(): Promise<Engine> {
    const e = await make();
    engines.push(e);
    return e;
  }

  it('writes each dtype as GGUF and loads it back as the same model', async () => {
    const e = await engine();
    const tokenizer = await e.createTokenizer({ type: 'char', text: TEXT, specials: ['eos'] });
    for (const arch of ['gpt', 'llama'] as const) {
      const model = await e.createModel({ tokenizer, config: { ...SMALL, arch } });
      const text = await model.generate('Ada', { temperature: 0, maxTokens: 20 });
      for (const dtype of ['f32', 'f16', 'q8_0', 'q4_0'] as const) {
        const gguf = await model.toGguf({ dtype, metadata: { name: 'tiny', description: 'a test' } });
        expect(new TextDecoder().decode(gguf.subarray(0, 4))).toBe('GGUF');
        const loaded = await e.loadModel(gguf);
        expect(loaded.header).toMatchObject({ format: 'gguf', version: 3, architecture: arch === 'gpt' ? 'gpt2' : 'llama' });
        expect(loaded.metadata).toEqual({ name: 'tiny', description: 'a test' });
        expect(loaded.model.config).toEqual(model.config);
        expect(loaded.tokenizer.vocabSize).toBe(tokenizer.vocabSize);
        if (dtype === 'f32') {
          expect(await loaded.model.generate('Ada', { temperature: 0, maxTokens: 20 })).toBe(text);
          // GGUF -> SLLM is the same file as the original model's
          expect(await loaded.model.save()).toEqual(await model.save());
        } else {
          // the SLLM file of the same dtype has the same blocks: the same bytes
          expect(await loaded.model.save({ dtype })).toEqual(await model.save({ dtype }));
        }
        loaded.model.dispose();
        loaded.tokenizer.dispose();
      }
      model.dispose();
    }
  });

  it('refuses what GGUF cannot express and files it cannot read, naming why', async () => {
    const e = await engine();
    const word = await e.createTokenizer({ type: 'word', text: TEXT, vocabSize: 40 });
    const model = await e.createModel({ tokenizer: word, config: SMALL });
    await expectError(model.toGguf(), SllmInvalidArgumentError, /word-level tokenizer cannot be written to GGUF/);
    const chars = await e.createTokenizer({ type: 'char', text: TEXT });
    const good = await (await e.createModel({ tokenizer: chars, config: SMALL })).toGguf();
    await expectError(e.loadModel(good.slice(0, good.length - 100)), SllmFormatError, /invalid GGUF file: .*truncated/);
    const wrongArch = good.slice();
    const at = Buffer.from(wrongArch).indexOf('gpt2');
    wrongArch.set(new TextEncoder().encode('bert'), at);
    await expectError(e.loadModel(wrongArch), SllmFormatError, /the architecture is "bert".*llama-quantize/);
    await expectError(model.toGguf({ dtype: 'q2_k' as never }), SllmInvalidArgumentError, /dtype/);
  });
});

describe('the model store and GGUF', () => {
  it('keeps an imported GGUF model as an SLLM file, and says so when given GGUF bytes', async () => {
    const e = await createEngine();
    engines.push(e);
    const tokenizer = await e.createTokenizer({ type: 'char', text: TEXT, specials: ['eos'] });
    const gguf = await (await e.createModel({ tokenizer, config: SMALL })).toGguf({ dtype: 'q8_0' });
    const store = await openModelStore({ name: `gguf-test-${Math.random()}` });
    await expectError(store.save('raw', gguf), SllmFormatError, /GGUF file; the store keeps SLLM files: .*model\.save\(\)/);
    const { model } = await e.loadModel(gguf);
    const info = await store.save('imported', await model.save({ dtype: 'q8_0' }));
    expect(info).toMatchObject({ kind: 'model', dtype: 'q8_0', arch: { arch: 'gpt' } });
    const again = await e.loadModel(await store.load('imported'));
    expect(await again.model.toGguf({ dtype: 'q8_0' })).toEqual(gguf);
    store.close();
  });
});
