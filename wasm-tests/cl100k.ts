// cl100k.ts: js-tiktoken's cl100k_base (the reference for the Llama 3 split rule) for the tests:
// its ranks rewritten as a tiktoken ranks file ("base64 rank" lines, what users hold as
// cl100k_base.tiktoken or Llama 3's tokenizer.model) and the js-tiktoken encoder itself.
import { Tiktoken } from 'js-tiktoken/lite';
import cl100kBase from 'js-tiktoken/ranks/cl100k_base';

/** js-tiktoken's own cl100k_base encoder. */
export const cl100k = new Tiktoken(cl100kBase);

/** cl100k_base's split regex as js-tiktoken writes it. */
export const CL100K_PATTERN: string = cl100kBase.pat_str;

/** cl100k_base's special tokens (string -> id). */
export const CL100K_SPECIALS: Record<string, number> = cl100kBase.special_tokens;

/** [base64 of the token's bytes, rank] for every ordinary token, in rank order. */
export function cl100kRanks(): [string, number][] {
  const out: [string, number][] = [];
  for (const line of cl100kBase.bpe_ranks.split('\n')) {
    const [, first, ...tokens] = line.split(' ');
    if (first === undefined) continue;
    tokens.forEach((t, i) => out.push([t, Number(first) + i]));
  }
  return out;
}

/** The ranks as a tiktoken ranks file. */
export function cl100kRanksFile(): string {
  return cl100kRanks().map(([t, r]) => `${t} ${r}\n`).join('');
}
