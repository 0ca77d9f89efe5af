// characters.ts: the people and animals of a story, as template entities: the hero {H} (one
// child or animal, or a pair who are "they"), the friend {F} and the grown-up {G}, each with
// the pronoun and verb forms the templates use ({H.he}, {H.his}, {H.was}, {H.We}, {H.Im}...).

import type { Rng } from './prng.js';
import { Entity, titleCase, capitalize } from './render.js';
import * as W from './words.js';
import { articleFor } from './words.js';

const SINGLE: Record<'he' | 'she', Record<string, string>> = {
  he: { he: 'he', him: 'him', his: 'his', self: 'himself' },
  she: { he: 'she', him: 'her', his: 'her', self: 'herself' },
};
const SINGULAR_VERBS = { s: 's', was: 'was', is: 'is', has: 'has', does: 'does', we: 'I', us: 'me', our: 'my', am: 'am', im: "I'm", mine: 'mine' };
const PAIR = {
  he: 'they', him: 'them', his: 'their', self: 'themselves', s: '',
  was: 'were', is: 'are', has: 'have', does: 'do', we: 'we', us: 'us', our: 'our', am: 'are', im: "we're", mine: 'ours',
};

const withArticle = (phrase: string): string => `${articleFor(phrase)} ${phrase}`;

function person(name: string, intro: string, kind: string, pron: 'he' | 'she'): Entity {
  return new Entity({ name, call: name, intro, kind, ...SINGLE[pron], ...SINGULAR_VERBS });
}

const gender = (rng: Rng): 'he' | 'she' => (rng.chance(0.5) ? 'he' : 'she');

function humanName(rng: Rng, g: 'he' | 'she', avoid: string[]): string {
  return rng.pickOther(g === 'he' ? W.BOY_NAMES : W.GIRL_NAMES, avoid);
}

/** The hero {H}: a child, an animal, or a pair of either (then "they"). */
export function makeHero(rng: Rng, single: boolean, used: string[]): { h: Entity; animal: W.AnimalDef | null } {
  const r = rng.next();
  const adj = (): string => (rng.chance(0.85) ? rng.pick(W.INTRO_ADJS) + ' ' : '');
  if (single || r < 0.85) {
    const g = gender(rng);
    if (r < 0.55) {
      const name = humanName(rng, g, used);
      used.push(name);
      const kind = g === 'he' ? 'boy' : 'girl';
      return { h: person(name, `${withArticle(adj() + kind)} named ${name}`, kind, g), animal: null };
    }
    const a = rng.pick(W.ANIMALS);
    const name = rng.pickOther(W.PET_NAMES, used);
    used.push(name);
    return { h: person(name, `${withArticle(adj() + a.one)} named ${name}`, a.one, g), animal: a };
  }
  let names: [string, string];
  let intro: string;
  let kind: string;
  let animal: W.AnimalDef | null = null;
  if (rng.chance(0.5)) {
    const a = rng.pick(W.ANIMALS);
    animal = a;
    names = [rng.pick(W.PET_NAMES), ''];
    names[1] = rng.pickOther(W.PET_NAMES, [names[0]]);
    kind = a.many;
    intro = `two ${rng.pick(['little', 'small', 'young', 'happy', 'playful'])} ${a.many}`;
  } else {
    const g1 = gender(rng);
    const g2 = gender(rng);
    names = [humanName(rng, g1, used), ''];
    names[1] = humanName(rng, g2, [...used, names[0]]);
    if (g1 !== g2 && rng.chance(0.5)) {
      kind = 'brother and sister';
      if (g1 === 'she') names.reverse();
    } else kind = rng.pick(['friends', 'best friends', 'twins', 'cousins']);
    intro = kind === 'brother and sister' ? 'a brother and sister' : kind === 'twins' ? 'twins' : `two ${kind}`;
  }
  used.push(...names);
  const name = `${names[0]} and ${names[1]}`;
  return { h: new Entity({ name, call: name, intro: `${intro} named ${name}`, kind, ...PAIR }), animal };
}

/** The friend {F}: a child or an animal, never with the hero's name. */
export function makeFriend(rng: Rng, heroIsAnimal: boolean, used: string[]): Entity {
  const g = gender(rng);
  const adj = rng.pick(['kind', 'friendly', 'little', 'cheerful', 'quiet', 'funny', 'clever', 'helpful']);
  if (!heroIsAnimal && rng.chance(0.75)) {
    const name = humanName(rng, g, used);
    const kind = g === 'he' ? 'boy' : 'girl';
    return person(name, `${withArticle(adj + ' ' + kind)} named ${name}`, kind, g);
  }
  const a = rng.pick(W.ANIMALS);
  const name = rng.pickOther(W.PET_NAMES, used);
  return person(name, `${withArticle(adj + ' ' + a.one)} named ${name}`, a.one, g);
}

/** The grown-up {G}: family for a child, "Mama Fox" or a wise old animal for an animal. */
export function makeGrownUp(rng: Rng, animal: W.AnimalDef | null, family: boolean): Entity {
  let name: string;
  let call: string;
  let pron: 'he' | 'she';
  if (animal === null) {
    [name, pron] = rng.pick(family ? W.HUMAN_HELPERS.slice(0, 6) : W.HUMAN_HELPERS);
    call = name;
  } else if (family || rng.chance(0.7)) {
    const [title, p] = rng.pick(W.ANIMAL_HELPER_TITLES);
    name = `${title} ${capitalize(animal.one)}`;
    call = name;
    pron = p;
  } else {
    [name, pron] = rng.pick(W.WISE_HELPERS);
    call = titleCase(name.replace(/^the /, ''));
  }
  return new Entity({ name, call, intro: name, kind: 'grown-up', ...SINGLE[pron] });
}
