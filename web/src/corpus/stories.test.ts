// stories.test.ts: tests of the built-in story corpus: determinism, length, alphabet, variety,
// grammar invariants, story shape, and a second megabyte from another seed. (Its speed is not a
// test's business: the demo times it in use.)
import { describe, it, expect } from 'vitest';
import { generateStories, previewStories, STORY_CORPUS_INFO, CHARSET } from './stories.js';

const KB = 1024;
const MB = 1024 * 1024;

// Generated once and shared: 1 MB and 100 KB, both seed 1.
const BIG = generateStories({ chars: MB, seed: 1 });
const TEXT = generateStories({ chars: 100 * KB, seed: 1 });

/** Sentences of a text: split on . ! ? followed by a space or newline, and on newlines. */
function sentences(text: string): string[] {
  return text
    .split('\n')
    .flatMap((line) => line.split(/(?<=[.!?]"?) +(?=["A-Z])/))
    .filter((s) => s.length > 0);
}

describe('generateStories: determinism', () => {
  it('gives the same text for the same seed', () => {
    expect(generateStories({ chars: 100 * KB, seed: 1 })).toBe(TEXT);
    expect(generateStories({ chars: 20 * KB, seed: 42 })).toBe(generateStories({ chars: 20 * KB, seed: 42 }));
  });

  it('uses seed 1 by default', () => {
    expect(generateStories({ chars: 10 * KB })).toBe(generateStories({ chars: 10 * KB, seed: 1 }));
  });

  it('gives different text for different seeds', () => {
    const texts = [1, 2, 3, 1000, 123456789].map((seed) => generateStories({ chars: 10 * KB, seed }));
    expect(new Set(texts).size).toBe(texts.length);
    // Not just a different start: the first stories differ too.
    expect(previewStories(1, 1)[0]).not.toBe(previewStories(1, 2)[0]);
  });

  it('a shorter text is the start of a longer one for the same seed', () => {
    const short = generateStories({ chars: 10 * KB, seed: 7 });
    const long = generateStories({ chars: 50 * KB, seed: 7 });
    expect(long.startsWith(short.slice(0, -1))).toBe(true);
  });
});

describe('generateStories: length', () => {
  // No sentence piece is longer than this, so a sentence cut is never further below `chars`.
  const MARGIN = 400;

  for (const chars of [KB, 10 * KB, 100 * KB, MB]) {
    it(`stops at a whole sentence just below ${chars} characters`, () => {
      const text = chars === MB ? BIG : generateStories({ chars, seed: 3 });
      expect(text.length).toBeLessThanOrEqual(chars);
      expect(text.length).toBeGreaterThan(chars - MARGIN);
      expect(text.endsWith('\n')).toBe(true);
      expect(text.trimEnd()).toMatch(/([.!?]"?|THE END|[A-Za-z?!])$/);
    });

    it(`with end: 'story', finishes the story that reaches ${chars} characters`, () => {
      const text = generateStories({ chars, seed: 3, end: 'story' });
      expect(text.length).toBeGreaterThanOrEqual(chars);
      expect(text.length).toBeLessThan(chars + 3000);
      expect(text.endsWith('\nTHE END\n\n')).toBe(true);
    });
  }

  it('handles tiny and empty requests', () => {
    expect(generateStories({ chars: 0 })).toBe('');
    expect(generateStories({ chars: -5 })).toBe('');
    for (const chars of [1, 5, 30, 100, 300]) expect(generateStories({ chars }).length).toBeLessThanOrEqual(chars);
  });
});

describe('generateStories: alphabet', () => {
  it('is ASCII from the 60-symbol CHARSET, and uses all of it', () => {
    expect(CHARSET.length).toBe(60);
    expect(STORY_CORPUS_INFO.charset).toBe(CHARSET);
    const seen = new Set(BIG);
    for (const ch of seen) {
      expect(ch.charCodeAt(0)).toBeLessThan(128);
      expect(CHARSET.includes(ch), `unexpected ${JSON.stringify(ch)}`).toBe(true);
    }
    expect(seen.size).toBe(CHARSET.length);
  });

  it('has no digits, tabs, double spaces or stray whitespace', () => {
    expect(BIG).not.toMatch(/[0-9\t\r]/);
    expect(BIG).not.toMatch(/ {2}/);
    expect(BIG).not.toMatch(/ \n|\n /);
    expect(BIG).not.toMatch(/ [.,!?]/);
    expect(BIG).not.toMatch(/\n{3}/);
  });
});

describe('generateStories: variety', () => {
  const sents = sentences(TEXT);

  it('has many distinct sentences and none dominates', () => {
    const counts = new Map<string, number>();
    for (const s of sents) counts.set(s, (counts.get(s) ?? 0) + 1);
    counts.delete('THE END');
    const total = sents.length;
    const [topSentence, top] = [...counts].sort((a, b) => b[1] - a[1])[0] ?? ['', 0];
    console.log(`100 KB: ${total} sentences, ${counts.size} distinct; most common: ${JSON.stringify(topSentence)} x${top}`);
    expect(counts.size / total).toBeGreaterThan(0.5);
    expect(top / total).toBeLessThan(0.02);
  });

  it('has many distinct word 5-grams', () => {
    const words = TEXT.split(/\s+/).filter((w) => w.length > 0);
    const grams = new Set<string>();
    for (let i = 0; i + 5 <= words.length; i++) grams.add(words.slice(i, i + 5).join(' '));
    const ratio = grams.size / (words.length - 4);
    console.log(`100 KB: ${words.length} words, ${grams.size} distinct 5-grams (${(ratio * 100).toFixed(1)}%)`);
    expect(ratio).toBeGreaterThan(0.4);
  });

  it('uses many names, places and plots', () => {
    const titles = new Set(BIG.split('THE END\n\n').map((s) => s.split('\n')[0]));
    expect(titles.size).toBeGreaterThan(200);
    for (const word of ['Once upon a time', 'One day', 'fox', 'kite', 'park', 'beach', 'rainbow', 'baby bird', 'cake', 'birthday', 'practice', 'shadow', 'broken', 'share', 'lost', 'new here']) {
      expect(BIG.includes(word), word).toBe(true);
    }
  });
});

describe('generateStories: grammar', () => {
  const lines = BIG.split('\n');

  it('closes every quote on the line that opens it', () => {
    for (const line of lines) expect((line.match(/"/g) ?? []).length % 2, line).toBe(0);
  });

  it('starts lines, sentences and quotations with a capital letter', () => {
    for (const line of lines) if (line.length > 0) expect(line, line).toMatch(/^"?[A-Z]/);
    // After . ! ? and a space (not after a closing quote, where "said Tom" may follow).
    expect(BIG.match(/[.!?] +[^A-Z"]/g) ?? []).toEqual([]);
    // An opening quote (at the start or after a space) is followed by a capital.
    expect(BIG.match(/(^|[ ])"[^A-Z]/gm) ?? []).toEqual([]);
  });

  it('uses apostrophes only inside words', () => {
    expect(BIG.match(/(^|[^A-Za-z])'|'($|[^a-z])/gm) ?? []).toEqual([]);
  });

  it('puts "a" before consonant sounds and "an" before vowel sounds', () => {
    const takesA = (w: string) => (/^[aeiou]/.test(w) ? /^(uni|use|one|eu)/.test(w) : !/^(hour|honest)/.test(w));
    let n = 0;
    for (const m of BIG.matchAll(/\b(a|an|A|An) ([A-Za-z]+)/g)) {
      const art = (m[1] ?? '').toLowerCase();
      const word = (m[2] ?? '').toLowerCase();
      expect(`${art} ${word}`).toBe(`${takesA(word) ? 'a' : 'an'} ${word}`);
      n++;
    }
    expect(n).toBeGreaterThan(1000);
    // The exceptions do come up.
    expect(BIG).toMatch(/\ba unicorn\b/);
    expect(BIG).toMatch(/\ban (owl|otter|elephant|orange|umbrella|apple|egg)\b/);
  });

  it('keeps verbs plural after a pair hero ("Tom and Ben were")', () => {
    expect(BIG.match(/\b[A-Z][a-z]+ and [A-Z][a-z]+ (was|is|has|learns|helps)\b/g) ?? []).toEqual([]);
    expect(BIG).toMatch(/\b[A-Z][a-z]+ and [A-Z][a-z]+ were\b/);
    expect(BIG).toMatch(/\bthey were\b/i);
  });

  it('has reflexive pronouns for he, she and they', () => {
    expect(BIG).toMatch(/\bhimself\b/);
    expect(BIG).toMatch(/\bherself\b/);
    expect(BIG).toMatch(/\bthemselves\b/);
  });
});

describe('story shape', () => {
  const stories = BIG.split('THE END\n\n').slice(0, -1);

  it('has a title, an opening, several paragraphs and THE END', () => {
    expect(stories.length).toBeGreaterThan(500);
    for (const story of stories) {
      const paras = story.trimEnd().split('\n\n');
      const title = paras[0] ?? '';
      expect(title, story).toMatch(/^[A-Z][A-Za-z ,'?]*$/);
      expect(title.length).toBeLessThan(60);
      expect(paras.length, story).toBe(6);
      expect(paras[1], story).toMatch(/^(Once|One|Long ago|In a|There once|This is|Not long ago)/);
      expect(story, story).toMatch(/"/);
    }
  });

  it('previewStories gives whole stories', () => {
    const three = previewStories(3);
    expect(three).toHaveLength(3);
    for (const s of three) {
      expect(s.endsWith('\n\nTHE END')).toBe(true);
      expect(BIG.includes(s)).toBe(true);
    }
    expect(previewStories(5).slice(0, 3)).toEqual(three);
  });

  it('reports what it is made of', () => {
    const info = STORY_CORPUS_INFO;
    console.log(`corpus: ${info.templates} templates, ${info.plots.length} plots, ${info.words} words in word lists`);
    expect(info.templates).toBeGreaterThanOrEqual(300);
    expect(info.plots.length).toBeGreaterThanOrEqual(10);
    expect(info.words).toBeGreaterThanOrEqual(250);
    expect(info.storyEnd).toBe('THE END');
  });
});

describe('another seed', () => {
  it('gives another megabyte of the requested length, as varied', () => {
    const again = generateStories({ chars: MB, seed: 2 });
    expect(again.length).toBeGreaterThan(MB - 400);
    expect(again.length).toBeLessThanOrEqual(MB);
    expect(again.slice(0, 2000)).not.toBe(BIG.slice(0, 2000));
    const distinct = (t: string) => new Set(t.split('\n')).size;
    expect(distinct(again) / distinct(BIG)).toBeGreaterThan(0.8);
  });
});
