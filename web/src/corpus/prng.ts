// prng.ts: the corpus generator's own small deterministic random number generator (mulberry32),
// so a seed always gives the same stories in every browser and in Node. Never Math.random.

/** A seeded 32-bit PRNG (mulberry32) with the few helpers the story generator needs. */
export class Rng {
  private state: number;

  constructor(seed: number) {
    // Mix the seed once so that nearby seeds (1, 2, 3...) start far apart.
    let s = (Math.trunc(seed) ^ 0x9e3779b9) >>> 0;
    s = Math.imul(s ^ (s >>> 16), 0x85ebca6b) >>> 0;
    s = Math.imul(s ^ (s >>> 13), 0xc2b2ae35) >>> 0;
    this.state = (s ^ (s >>> 16)) >>> 0;
  }

  /** Next 32-bit unsigned integer. */
  nextU32(): number {
    this.state = (this.state + 0x6d2b79f5) >>> 0;
    let t = this.state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return (t ^ (t >>> 14)) >>> 0;
  }

  /** Uniform float in [0, 1). */
  next(): number {
    return this.nextU32() / 4294967296;
  }

  /** Uniform integer in [0, n). */
  int(n: number): number {
    return Math.floor(this.next() * n);
  }

  /** True with probability p. */
  chance(p: number): boolean {
    return this.next() < p;
  }

  /** A uniformly chosen element of a non-empty array. */
  pick<T>(items: readonly T[]): T {
    if (items.length === 0) throw new Error('Rng.pick: empty list');
    return items[this.int(items.length)] as T;
  }

  /** A uniformly chosen element that is not `avoid` (falls back to any if none differs). */
  pickOther<T>(items: readonly T[], avoid: readonly T[]): T {
    for (let i = 0; i < 16; i++) {
      const x = this.pick(items);
      if (!avoid.includes(x)) return x;
    }
    const rest = items.filter((x) => !avoid.includes(x));
    return rest.length > 0 ? this.pick(rest) : this.pick(items);
  }
}
