// tokenizer-llama3.test.ts: the Llama 3 split rule through the package: js-tiktoken's
// cl100k_base ranks loaded as a tiktoken ranks file with pretokenizer "llama3" give exactly
// js-tiktoken's ids on all of tinyshakespeare and on the adversarial table
// (native-tests/data/tokenizer_cases.json, which the Catch2 tests run too); addBos puts the bos
// token first, once.
import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createEngine, type Engine, type Tokenizer } from '../dist/index.js';
import { cl100k, CL100K_PATTERN, CL100K_SPECIALS, cl100kRanksFile } from './cl100k.js';

const CORPUS = readFileSync(new URL('../../shared/data/tinyshakespeare.txt', import.meta.url), 'utf8');
interface Case {
  name: string;
  text: string;
  cl100k: number[];
  llama3_pieces: string[];
  allow_special?: boolean;
}
const CASES: Case[] = JSON.parse(
  readFileSync(new URL('../native-tests/data/tokenizer_cases.json', import.meta.url), 'utf8'),
).cases;

let engine: Engine;
let tok: Tokenizer;
let ranks: string;
beforeAll(async () => {
  engine = await createEngine();
  ranks = cl100kRanksFile();
  tok = await engine.createTokenizer({ type: 'tiktoken', ranks, specialTokens: CL100K_SPECIALS, pretokenizer: 'llama3' });
}, 60_000);
afterAll(() => engine.dispose());

describe('cl100k_base with the llama3 rule through the package equals js-tiktoken', () => {
  it('splits with the regex pretokenizer.h implements', () => {
    expect(CL100K_PATTERN).toBe(
      "('s|'S|'t|'T|'re|'rE|'Re|'RE|'ve|'vE|'Ve|'VE|'m|'M|'ll|'lL|'Ll|'LL|'d|'D)|[^\\r\\n\\p{L}\\p{N}]?\\p{L}+|" +
        '\\p{N}{1,3}| ?[^\\s\\p{L}\\p{N}]+[\\r\\n]*|\\s*[\\r\\n]+|\\s+(?!\\S)|\\s+',
    );
    for (const c of CASES) expect(c.text.match(new RegExp(CL100K_PATTERN, 'gu')) ?? [], c.name).toEqual(c.llama3_pieces);
  });

  it('loads 100277 ids with <|endoftext|> as eos', async () => {
    expect(tok.vocabSize).toBe(100277);
    expect(tok.specialTokens.eos).toBe(100257);
    expect((await tok.serialize()).pretokenizer).toBe('llama3');
  });

  it('every id of all of tinyshakespeare matches', async () => {
    const ours = await tok.encode(CORPUS);
    const theirs = cl100k.encode(CORPUS);
    let mismatches = 0;
    for (let i = 0; i < theirs.length; i++) if (ours[i] !== theirs[i]) mismatches++;
    expect({ mismatches, length: ours.length }).toEqual({ mismatches: 0, length: 301829 });
    expect(await tok.decode(ours)).toBe(CORPUS);
  });

  it('every id of every adversarial string matches', async () => {
    expect(CASES.length).toBeGreaterThan(70);
    for (const c of CASES) {
      const allow = c.allow_special ?? false;
      const ours = Array.from(await tok.encode(c.text, { allowSpecial: allow }));
      expect(ours, c.name).toEqual(cl100k.encode(c.text, allow ? 'all' : [], []));
      expect(ours, c.name).toEqual(c.cl100k);
    }
  });

  it('addBos starts every encoding with bos, and a text that brings its own keeps one', async () => {
    const withBos = await engine.createTokenizer({
      type: 'tiktoken',
      ranks,
      specialTokens: { ...CL100K_SPECIALS, '<|begin_of_text|>': 100277 },
      pretokenizer: 'llama3',
      bos: '<|begin_of_text|>',
      addBos: true,
    });
    expect(withBos.specialTokens.bos).toBe(100277);
    for (const c of CASES.slice(0, 20)) expect(Array.from(await withBos.encode(c.text)), c.name).toEqual([100277, ...c.cl100k]);
    expect(Array.from(await withBos.encode('<|begin_of_text|>Hi', { allowSpecial: true }))).toEqual([100277, 13347]);
    const again = await engine.loadTokenizer(await withBos.serialize());
    expect(Array.from(await again.encode('Hi'))).toEqual([100277, 13347]);
    withBos.dispose();
    again.dispose();
  });

  it('refuses an unknown rule and add_bos without a bos token, with the reason', async () => {
    await expect(
      engine.createTokenizer({ type: 'tiktoken', ranks, pretokenizer: 'llama-bpe' as 'llama3' }),
    ).rejects.toThrow(/"gpt2", "llama3"/);
    await expect(engine.createTokenizer({ type: 'tiktoken', ranks, addBos: true })).rejects.toThrow(/has none/);
  });
});
