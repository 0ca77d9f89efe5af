// estimate.test.ts: the settings panel's parameter counts equal the package's (numbers from
// model.parameterCount for each preset with the story corpus's 60-character vocabulary) and
// its training-memory estimates are in the right range.
import { describe, expect, test } from 'vitest';
import { expectedVocab, parameterCount, trainingMemory } from './estimate.js';

const tiny = { contextLength: 64, dim: 64, layers: 2, heads: 2, ffnDim: 256, tieEmbeddings: true };
const small = { contextLength: 256, dim: 128, layers: 4, heads: 4, ffnDim: 512, tieEmbeddings: true };
const medium = { contextLength: 256, dim: 256, layers: 6, heads: 8, ffnDim: 1024, tieEmbeddings: true };

describe('estimate', () => {
  test('parameter counts match the package', () => {
    expect(parameterCount(tiny, 60)).toBe(108_032);
    expect(parameterCount(small, 60)).toBe(833_792);
    expect(parameterCount(medium, 60)).toBe(4_819_968);
  });

  test('an untied head adds a vocabulary-by-dim matrix', () => {
    expect(parameterCount({ ...tiny, tieEmbeddings: false }, 60) - parameterCount(tiny, 60)).toBe(60 * 64);
  });

  test('memory estimates are within 20% of the heap a training step used (16.7, 88.1, 739.9 MiB)', () => {
    const mib = (n: number) => n / 2 ** 20;
    expect(mib(trainingMemory(tiny, 60, 16, 64))).toBeCloseTo(16.7, -1);
    expect(Math.abs(mib(trainingMemory(small, 60, 12, 128)) / 88.1 - 1)).toBeLessThan(0.2);
    expect(Math.abs(mib(trainingMemory(medium, 60, 12, 256)) / 739.9 - 1)).toBeLessThan(0.2);
  });

  test('expected vocabulary', () => {
    expect(expectedVocab('char', 60, 1000)).toBe(60);
    expect(expectedVocab('bpe', 60, 1000)).toBe(1000);
    expect(expectedVocab('bpe', 60, 100)).toBe(256);
  });
});
