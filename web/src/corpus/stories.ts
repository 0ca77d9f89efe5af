// stories.ts: the demo's built-in training corpus: a small, fast, deterministic generator of
// simple English stories, so the page needs no download and no copyrighted text.
//
//   generateStories({ chars: 200_000, seed: 1 })  -> about 200,000 characters of stories
//   previewStories(3)                              -> the first three whole stories for seed 1
//   STORY_CORPUS_INFO                              -> template and word-list counts, the alphabet
//
// Every story has the same shape, which a small model can learn quickly: a title line, an
// opening paragraph ("Once upon a time..."), a problem, a paragraph of dialogue, a resolution,
// an ending, then "THE END". Paragraphs are separated by blank lines. The text is plain ASCII
// from a 60-symbol alphabet (CHARSET). Words and templates live in words.ts, templates-common.ts
// and plots-*.ts; the characters in characters.ts; the template language in render.ts; the PRNG
// in prng.ts.

import { Rng } from './prng.js';
import { compile, Entity, render, titleCase, type RenderContext, type Template } from './render.js';
import { makeHero, makeFriend, makeGrownUp } from './characters.js';
import * as W from './words.js';
import * as T from './templates-common.js';
import type { Beat, PlotDef } from './templates-common.js';
import { PLOTS, SKILLS } from './plots-b.js';

export interface StoryOptions {
  /** How many characters to produce. */
  chars: number;
  /** Seed of the generator; the same seed always gives the same text. Default 1. */
  seed?: number;
  /**
   * 'sentence' (default): stop at the last whole sentence that fits, so the result has at most
   * `chars` characters (fewer by less than one sentence) and ends with a newline.
   * 'story': finish the story that reaches `chars`, so the result ends with "THE END" and a blank
   * line and may run past `chars` by up to one story (about 1,500 characters).
   */
  end?: 'sentence' | 'story';
}

/** Every character the corpus can contain: letters, space, newline and . , ! ? " ' */
export const CHARSET =
  '\n !"\',.?ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz';

interface CompiledBeat {
  p: number;
  t: Template[];
}

interface CompiledPlot {
  def: PlotDef;
  title: Template[];
  sections: CompiledBeat[][];
  usesFriend: boolean;
}

const compileBeat = (b: Beat): CompiledBeat =>
  'p' in b ? { p: b.p, t: b.t.map(compile) } : { p: 1, t: (b as readonly string[]).map(compile) };

const allSources: string[] = [];
const track = (srcs: readonly string[]): Template[] => {
  allSources.push(...srcs);
  return srcs.map(compile);
};
const beatSources = (b: Beat): readonly string[] => ('p' in b ? b.t : (b as readonly string[]));

const OPENINGS = track(T.OPENINGS);
const TRAITS = track(T.TRAITS);
const LIKES_THING = track(T.LIKES_THING);
const FRIEND_INTROS = track(T.FRIEND_INTROS);
const GO_TO_PLACE = track(T.GO_TO_PLACE);
const CLOSINGS = track(T.CLOSINGS);
const SIGHTS = new Map(W.PLACES.map((p) => [p.id, track(p.sights)]));
const COMPILED_PLOTS: CompiledPlot[] = PLOTS.map((def) => {
  const sections = [def.problem, def.talk, def.fix, def.end];
  const srcs = [...def.title, ...sections.flat().flatMap(beatSources)];
  allSources.push(...srcs);
  return {
    def,
    title: def.title.map(compile),
    sections: sections.map((s) => s.map(compileBeat)),
    usesFriend: srcs.some((s) => s.includes('{F')),
  };
});

for (const src of allSources) {
  for (const ch of src.replace(/\{[^}]*\}|[[\]|]/g, '')) {
    if (!CHARSET.includes(ch)) throw new Error(`corpus template has a character outside CHARSET: ${JSON.stringify(ch)} in ${src}`);
  }
}

const LISTS: Record<string, readonly string[]> = {
  day: W.DAY_WORDS,
  time: W.DAY_TIMES,
  critter: W.CRITTERS,
  color: W.COLORS,
  food: W.FOODS.map((f) => f.one),
  foods: W.FOODS.map((f) => f.many),
  good: W.GOOD_FEELINGS,
  bad: W.BAD_FEELINGS,
};

function pickPlace(rng: Rng, plot: PlotDef, skill: readonly [string, string] | null): W.PlaceDef {
  let ids: readonly string[] = plot.places;
  if (skill) ids = skill[0] === 'swim' ? ['beach', 'lake'] : ['park', 'playground', 'backyard', 'meadow', 'hill', 'school'];
  if (ids.length === 0) return rng.pick(W.PLACES);
  const id = rng.pick(ids);
  return W.PLACES.find((p) => p.id === id) ?? rng.pick(W.PLACES);
}

function pickThing(rng: Rng, tag: PlotDef['thing']): Entity {
  const pool = tag ? W.THINGS.filter((t) => t.tags.includes(tag)) : W.THINGS;
  const t = rng.pick(pool);
  const adj = t.colored && rng.chance(0.7) ? rng.pick(W.COLORS) : rng.pick(t.adjs);
  return new Entity({ name: `${adj} ${t.noun}`, noun: t.noun });
}

/** One story as a list of pieces; each ends with ' ' (more in the paragraph) or '\n\n'. */
function makeStory(rng: Rng): string[] {
  const plot = rng.pick(COMPILED_PLOTS);
  const def = plot.def;
  const used: string[] = [];
  const { h, animal } = makeHero(rng, def.single === true, used);
  const skill = def.extra === 'skill' ? rng.pick(SKILLS) : null;
  const place = pickPlace(rng, def, skill);
  const spots = place.indoor ? W.INDOOR_SPOTS : W.OUTDOOR_SPOTS;
  const spot = rng.pick(spots);
  const food = rng.pick(W.FOODS);
  const ctx: RenderContext = {
    rng,
    entities: {
      H: h,
      F: makeFriend(rng, animal !== null, used),
      G: makeGrownUp(rng, animal, def.family === true),
      O: pickThing(rng, def.thing),
      P: new Entity({ name: place.the, in: place.in, title: place.title }),
      S: new Entity({ name: spot }),
      D: new Entity({ name: food.one, many: food.many }),
      K: new Entity(skill ? { name: skill[0], fail: skill[1] } : { name: 'hop', fail: 'fell over' }),
      cake: new Entity({ name: rng.pick(['chocolate', 'lemon', 'carrot', 'strawberry', 'honey', 'apple', 'orange']) }),
    },
    lists: { ...LISTS, spot: spots.filter((s) => s !== spot) },
  };
  const out: string[] = [];
  const r = (t: Template) => render(t, ctx);
  out.push(titleCase(r(rng.pick(plot.title))) + '\n\n');
  const paragraph = (sentences: string[]) => {
    sentences.forEach((s, i) => out.push(s + (i === sentences.length - 1 ? '\n\n' : ' ')));
  };
  const opening = [r(rng.pick(OPENINGS))];
  opening.push(r(rng.pick(def.thing ? LIKES_THING : TRAITS)));
  if (plot.usesFriend && rng.chance(0.3)) opening.push(r(rng.pick(FRIEND_INTROS)));
  opening.push(r(rng.pick(GO_TO_PLACE)));
  if (rng.chance(0.6)) opening.push(r(rng.pick(SIGHTS.get(place.id) ?? [])));
  paragraph(opening);
  plot.sections.forEach((beats, idx) => {
    const sentences: string[] = [];
    for (const b of beats) if (b.p >= 1 || rng.chance(b.p)) sentences.push(r(rng.pick(b.t)));
    if (idx === 3) sentences.push(r(rng.pick(CLOSINGS)));
    if (sentences.length > 0) paragraph(sentences);
  });
  out.push(T.STORY_END + '\n\n');
  return out;
}

/** Generates about `chars` characters of stories (see StoryOptions.end for the exact rule). */
export function generateStories(options: StoryOptions): string {
  const chars = Math.floor(options.chars);
  if (!(chars > 0)) return '';
  const rng = new Rng(options.seed ?? 1);
  const mode = options.end ?? 'sentence';
  const parts: string[] = [];
  let len = 0;
  for (;;) {
    const story = makeStory(rng);
    let storyLen = 0;
    for (const p of story) storyLen += p.length;
    if (len + storyLen <= chars || mode === 'story') {
      parts.push(...story);
      len += storyLen;
      if (len >= chars) break;
      continue;
    }
    for (const p of story) {
      if (len + p.length > chars) break;
      parts.push(p);
      len += p.length;
    }
    // Not even the first title fits: give a plain prefix of it.
    if (len === 0) return (story[0] ?? '').slice(0, chars);
    break;
  }
  const text = parts.join('');
  return text.endsWith(' ') ? text.slice(0, -1) + '\n' : text;
}

/** The first `n` whole stories for a seed, each without its trailing blank line. */
export function previewStories(n: number, seed = 1): string[] {
  const rng = new Rng(seed);
  const stories: string[] = [];
  for (let i = 0; i < n; i++) stories.push(makeStory(rng).join('').trimEnd());
  return stories;
}

const countWords = (lists: Record<string, readonly unknown[]>) =>
  Object.fromEntries(Object.entries(lists).map(([k, v]) => [k, v.length]));

const WORD_LISTS = countWords({
  girlNames: W.GIRL_NAMES, boyNames: W.BOY_NAMES, petNames: W.PET_NAMES, animals: W.ANIMALS,
  critters: W.CRITTERS, introAdjectives: W.INTRO_ADJS, places: W.PLACES, things: W.THINGS,
  colors: W.COLORS, foods: W.FOODS, goodFeelings: W.GOOD_FEELINGS, badFeelings: W.BAD_FEELINGS,
  dayWords: W.DAY_WORDS, dayTimes: W.DAY_TIMES, indoorSpots: W.INDOOR_SPOTS, outdoorSpots: W.OUTDOOR_SPOTS,
  helpers: [...W.HUMAN_HELPERS, ...W.ANIMAL_HELPER_TITLES, ...W.WISE_HELPERS], skills: SKILLS,
});

/** What the corpus is made of. */
export const STORY_CORPUS_INFO = {
  /** Sentence templates (each may hold [a|b] alternatives). */
  templates: allSources.length,
  plots: PLOTS.map((p) => p.id),
  /** Size of each word list. */
  wordLists: WORD_LISTS,
  /** Total entries in all word lists. */
  words: Object.values(WORD_LISTS).reduce((a, b) => a + b, 0),
  /** Every character the text can contain. */
  charset: CHARSET,
  storyEnd: T.STORY_END,
} as const;
