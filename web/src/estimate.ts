// estimate.ts: the vocabulary a tokenizer of the chosen kind will have for the user's text,
// before it is built, so the settings panel can ask the core (engine.estimateMemory) for the
// parameter counts and memory of each preset at that vocabulary.

/**
 * The vocabulary a tokenizer of this kind will have for this text: distinct characters for
 * `char`; the requested size for `bpe` and `word` (capped for char-poor texts), which is
 * what they learn up to.
 */
export function expectedVocab(type: 'char' | 'bpe' | 'word', distinctChars: number, vocabSize: number): number {
  if (type === 'char') return distinctChars;
  return Math.max(type === 'bpe' ? 256 : 2, vocabSize);
}
