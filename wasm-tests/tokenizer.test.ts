// tokenizer.test.ts: char tokenizers through the package: vocabulary, special tokens,
// encode/decode, lookups, JSON round trip, and the errors for bad input.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  createEngine,
  SllmFormatError,
  SllmInvalidArgumentError,
  SllmTokenizerError,
  type Engine,
  type Tokenizer,
} from '../dist/index.js';
import { expectError } from './helpers.js';

let engine: Engine;
beforeAll(async () => {
  engine = await createEngine({ backend: 'scalar' });
});
afterAll(() => engine.dispose());

describe('char tokenizer', () => {
  let tok: Tokenizer;
  beforeAll(async () => {
    tok = await engine.createTokenizer({ type: 'char', text: 'hello wörld 😀' });
  });

  it('has one token per distinct character, sorted', async () => {
    expect(tok.type).toBe('char');
    expect(tok.vocabSize).toBe(10);  // ' ' d e h l o r w ö 😀
    expect(tok.specialTokens).toEqual({});
    expect(await tok.idToToken(0)).toBe(' ');
    expect(await tok.idToToken(9)).toBe('😀');
    expect(await tok.tokenToId('ö')).toBe(8);
    expect(await tok.tokenToId('x')).toBeUndefined();
  });

  it('encodes and decodes', async () => {
    const ids = await tok.encode('hello 😀');
    expect(ids).toBeInstanceOf(Int32Array);
    expect(Array.from(ids)).toEqual([3, 2, 4, 4, 5, 0, 9]);
    expect(await tok.decode(ids)).toBe('hello 😀');
    expect(await tok.decode([1, 5])).toBe('do');
    expect(await tok.encode('')).toHaveLength(0);
  });

  it('throws SllmTokenizerError for a character outside the vocabulary without [UNK]', async () => {
    const e = await expectError(tok.encode('hex'), SllmTokenizerError, /'x' \(U\+0078\).*\[UNK\]/);
    expect(e.name).toBe('SllmTokenizerError');
    expect((e as { code?: string }).code).toBe('Tokenizer');
  });

  it('throws SllmInvalidArgumentError for ids outside the vocabulary', async () => {
    await expectError(tok.decode([0, 10]), SllmInvalidArgumentError, /outside the vocabulary/);
    await expectError(tok.idToToken(-1), SllmInvalidArgumentError, /outside the vocabulary/);
    await expectError(tok.decode('abc' as unknown as number[]), SllmInvalidArgumentError, /token ids/);
  });

  it('serializes to JSON and loads back', async () => {
    const json = await tok.serialize();
    expect(json.type).toBe('char');
    const again = await engine.loadTokenizer(JSON.parse(JSON.stringify(json)));
    expect(again.vocabSize).toBe(tok.vocabSize);
    expect(Array.from(await again.encode('world'))).toEqual(Array.from(await tok.encode('world')));
    again.dispose();
    await expectError(engine.loadTokenizer({ type: 'char', tokens: ['a', 'a'] }), SllmFormatError, /twice/);
    await expectError(engine.loadTokenizer({ type: 'nope' }), SllmFormatError, /unknown tokenizer type/);
  });
});

describe('bpe and word tokenizers', () => {
  const text = 'the cat sat on the mat. the cat ate the rat. '.repeat(50);

  it('learn a byte-level BPE vocabulary that round-trips any text', async () => {
    const tok = await engine.createTokenizer({ type: 'bpe', text, vocabSize: 300, specials: ['eos'] });
    expect(tok.type).toBe('bpe');
    expect(tok.vocabSize).toBeLessThanOrEqual(300);
    expect(tok.vocabSize).toBeGreaterThan(257);
    expect(tok.specialTokens).toEqual({ eos: 0 });
    const ids = await tok.encode('the cat sat');
    expect(ids.length).toBeLessThan('the cat sat'.length);
    for (const s of ['the cat sat', 'unseen wörds 😀!']) expect(await tok.decode(await tok.encode(s))).toBe(s);
    const again = await engine.loadTokenizer(await tok.serialize());
    expect(Array.from(await again.encode(text.slice(0, 100)))).toEqual(Array.from(await tok.encode(text.slice(0, 100))));
    again.dispose();
    tok.dispose();
  });

  it('learn a word vocabulary with [UNK]', async () => {
    const tok = await engine.createTokenizer({ type: 'word', text, vocabSize: 50 });
    expect(tok.type).toBe('word');
    expect(tok.specialTokens.unk).toBe(0);
    expect(await tok.decode(await tok.encode('the cat'))).toBe('the cat');
    expect(await tok.decode(await tok.encode('the dog'))).toBe('the\uFFFD');
    tok.dispose();
  });

  it('train models too', async () => {
    const tok = await engine.createTokenizer({ type: 'bpe', text, vocabSize: 280 });
    const model = await engine.createModel({ tokenizer: tok, config: { contextLength: 16, dim: 16, layers: 1, heads: 2 } });
    expect(model.config.vocabSize).toBe(tok.vocabSize);
    const trainer = await engine.createTrainer(model, { text, batchSize: 2, sequenceLength: 16, maxSteps: 3,
      warmupSteps: 0, evalBatches: 1 });
    for await (const _ of trainer.run());
    expect(typeof (await model.generate('the', { maxTokens: 10 }))).toBe('string');
    trainer.dispose();
    model.dispose();
    tok.dispose();
  });
});

describe('special tokens', () => {
  it('come first and map [UNK] for unknown characters', async () => {
    const tok = await engine.createTokenizer({ type: 'char', text: 'abc', specials: ['pad', 'unk', 'bos', 'eos'] });
    expect(tok.specialTokens).toEqual({ pad: 0, unk: 1, bos: 2, eos: 3 });
    expect(tok.vocabSize).toBe(7);
    expect(await tok.idToToken(3)).toBe('[EOS]');
    expect(Array.from(await tok.encode('axb'))).toEqual([4, 1, 5]);
    expect(await tok.decode([4, 1, 5, 3])).toBe('a\uFFFDb');
    expect(Array.from(await tok.encode('a[EOS]', { allowSpecial: true }))).toEqual([4, 3]);
    expect(Array.from(await tok.encode('a[EOS]'))).toEqual([4, 1, 1, 1, 1, 1]);  // literal text: all [UNK]
    tok.dispose();
  });

  it('rejects unknown special names and tokenizer types', async () => {
    await expectError(
      engine.createTokenizer({ type: 'char', text: 'abc', specials: ['sep' as 'pad'] }),
      SllmInvalidArgumentError,
      /unknown special token "sep"/,
    );
    await expectError(engine.createTokenizer({ type: 'gpt' as 'char', text: 'abc' }), SllmInvalidArgumentError,
      /unknown tokenizer type "gpt"/);
    await expectError(engine.createTokenizer({ type: 'bpe', text: 'abc', vocabSize: 100 }), SllmInvalidArgumentError,
      /vocab/);
    await expectError(engine.createTokenizer({ type: 'char', text: 'abc', vocabSize: 10 } as { type: 'char'; text: string }),
      SllmInvalidArgumentError, /drop vocabSize/);
    await expectError(engine.createTokenizer({ type: 'char', text: 42 as unknown as string }), SllmInvalidArgumentError);
  });

  it('rejects empty training text', async () => {
    await expectError(engine.createTokenizer({ type: 'char', text: '' }), Error, /empty text/);
  });
});
