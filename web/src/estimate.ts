// estimate.ts: parameter counts and memory estimates for a preset before any model exists,
// so the settings panel can show them as the user picks a size and a tokenizer. The count
// follows the core's tensor layout (src/model/gpt.cpp) exactly; the memory is an estimate.

/** The architecture fields the estimates need (a subset of the package's ModelConfig). */
export interface ArchLike {
  contextLength: number;
  dim: number;
  layers: number;
  heads: number;
  ffnDim: number;
  tieEmbeddings: boolean;
}

/** Trainable parameters of a GPT with this architecture and vocabulary. */
export function parameterCount(a: ArchLike, vocabSize: number): number {
  const C = a.dim;
  const F = a.ffnDim;
  const perLayer = 4 * C * C + 2 * F * C + 9 * C + F; // qkv + output, MLP, norms and biases
  return vocabSize * C + a.contextLength * C + a.layers * perLayer + 2 * C + (a.tieEmbeddings ? 0 : vocabSize * C);
}

/**
 * Bytes of WebAssembly memory training needs, roughly: weights, gradients and AdamW's two
 * moments (4 × 4 bytes a parameter) plus the activations a step keeps for the backward pass.
 */
export function trainingMemory(a: ArchLike, vocabSize: number, batchSize: number, sequenceLength: number): number {
  const tokens = batchSize * sequenceLength;
  const perTokenPerLayer = 12 * a.dim + 2 * a.ffnDim + 2 * a.heads * sequenceLength;
  const activations = tokens * (a.layers * perTokenPerLayer + 3 * vocabSize + 4 * a.dim);
  return 16 * parameterCount(a, vocabSize) + 4 * activations;
}

/**
 * The vocabulary a tokenizer of this kind will have for this text: distinct characters for
 * `char`; the requested size for `bpe` and `word` (capped for char-poor texts), which is
 * what they learn up to.
 */
export function expectedVocab(type: 'char' | 'bpe' | 'word', distinctChars: number, vocabSize: number): number {
  if (type === 'char') return distinctChars;
  return Math.max(type === 'bpe' ? 256 : 2, vocabSize);
}
