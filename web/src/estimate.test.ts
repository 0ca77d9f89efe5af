// estimate.test.ts: the vocabulary the settings panel asks the core's estimates for. (The
// estimates themselves are the core's, tested against measured memory in
// wasm-tests/estimate.test.ts.)
import { describe, expect, test } from 'vitest';
import { expectedVocab } from './estimate.js';

describe('expectedVocab', () => {
  test('char: the distinct characters; bpe and word: the requested size, at least their base', () => {
    expect(expectedVocab('char', 60, 1000)).toBe(60);
    expect(expectedVocab('bpe', 60, 1000)).toBe(1000);
    expect(expectedVocab('bpe', 60, 100)).toBe(256);
    expect(expectedVocab('word', 60, 1)).toBe(2);
  });
});
