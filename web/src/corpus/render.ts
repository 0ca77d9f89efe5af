// render.ts: the tiny template language of the story corpus, compiled once and rendered fast.
//
//   {H}          entity H's name (H hero, F friend, G grown-up, O thing, P place, S hiding spot, D food)
//   {H.his}      one of the entity's forms; a form written with a capital ({H.His}) is capitalised
//   {H.first}    the introduction ("a little fox named Pip") the first time, the name after that
//   {color}      a fresh random word from a word list ({Color} capitalised)
//   {a} / {A}    "a" or "an", chosen from the word that follows it
//   [x|y|z]      one of the alternatives, chosen at random; they may hold slots and nest
//
// After rendering, the first letter of every sentence (also inside quotes) is capitalised.

import { articleFor } from './words.js';
import type { Rng } from './prng.js';

type Node = string | { k: 'slot'; name: string; form: string } | { k: 'alt'; options: Node[][] } | { k: 'art'; cap: boolean };
export type Template = readonly Node[];

/** Parses a template. Throws on unbalanced brackets so mistakes show up at module load. */
export function compile(src: string): Template {
  let i = 0;
  const parseSeq = (inAlt: boolean): Node[] => {
    const out: Node[] = [];
    let lit = '';
    const flush = () => {
      if (lit) out.push(lit);
      lit = '';
    };
    while (i < src.length) {
      const c = src[i] as string;
      if (c === '{') {
        const end = src.indexOf('}', i);
        if (end < 0) throw new Error(`unclosed { in template: ${src}`);
        const body = src.slice(i + 1, end);
        flush();
        if (body === 'a' || body === 'A') out.push({ k: 'art', cap: body === 'A' });
        else {
          const dot = body.indexOf('.');
          out.push(dot < 0 ? { k: 'slot', name: body, form: '' } : { k: 'slot', name: body.slice(0, dot), form: body.slice(dot + 1) });
        }
        i = end + 1;
      } else if (c === '[') {
        flush();
        i++;
        const options: Node[][] = [];
        for (;;) {
          options.push(parseSeq(true));
          const stop = src[i];
          i++;
          if (stop === ']') break;
          if (stop !== '|') throw new Error(`unclosed [ in template: ${src}`);
        }
        out.push({ k: 'alt', options });
      } else if (inAlt && (c === '|' || c === ']')) {
        break;
      } else if (c === '}' || c === ']' || c === '|') {
        throw new Error(`stray ${c} in template: ${src}`);
      } else {
        lit += c;
        i++;
      }
    }
    flush();
    return out;
  };
  const nodes = parseSeq(false);
  if (i < src.length) throw new Error(`stray character at ${i} in template: ${src}`);
  return nodes;
}

export const compileAll = (srcs: readonly string[]): Template[] => srcs.map(compile);

export const capitalize = (s: string): string => (s.length === 0 ? s : s.charAt(0).toUpperCase() + s.slice(1));

const SMALL_WORDS = new Set(['a', 'an', 'the', 'and', 'of', 'in', 'on', 'at', 'to', 'for', 'by']);

/** "the lost red kite" -> "The Lost Red Kite". */
export function titleCase(s: string): string {
  return s
    .split(' ')
    .map((w, idx) => (idx > 0 && SMALL_WORDS.has(w) ? w : capitalize(w)))
    .join(' ');
}

/** Something a slot can name: a character, a thing, a place. */
export class Entity {
  introduced = false;
  constructor(readonly forms: Record<string, string>) {}

  get(form: string): string | undefined {
    if (form === 'first') {
      if (this.introduced) return this.forms.name;
      this.introduced = true;
      return this.forms.intro ?? this.forms.name;
    }
    if (form === 'First') {
      const v = this.get('first');
      return v === undefined ? v : capitalize(v);
    }
    if (form === 'intro') this.introduced = true;
    const v = this.forms[form === '' ? 'name' : form];
    if (v !== undefined) return v;
    const c = form.charAt(0);
    if (c !== c.toLowerCase()) {
      const w = this.forms[c.toLowerCase() + form.slice(1)];
      if (w !== undefined) return form === 'Title' ? titleCase(w) : capitalize(w);
    }
    return undefined;
  }
}

export interface RenderContext {
  rng: Rng;
  entities: Record<string, Entity | undefined>;
  lists: Record<string, readonly string[]>;
}

const ART = '\u0001';
const ART_CAP = '\u0002';

function renderNodes(nodes: readonly Node[], ctx: RenderContext, out: string[]): void {
  for (const n of nodes) {
    if (typeof n === 'string') out.push(n);
    else if (n.k === 'alt') renderNodes(ctx.rng.pick(n.options), ctx, out);
    else if (n.k === 'art') out.push(n.cap ? ART_CAP : ART);
    else {
      const e = ctx.entities[n.name];
      let v: string | undefined;
      if (e) v = e.get(n.form);
      else if (n.form === '') {
        const list = ctx.lists[n.name] ?? ctx.lists[n.name.toLowerCase()];
        if (list) {
          v = ctx.rng.pick(list);
          if (n.name.charAt(0) !== n.name.charAt(0).toLowerCase()) v = capitalize(v);
        }
      }
      if (v === undefined) throw new Error(`unknown slot {${n.name}${n.form ? '.' + n.form : ''}}`);
      out.push(v);
    }
  }
}

/** Capitalises the first letter of the text, after every . ! ? and after each opening quote. */
export function fixCaps(s: string): string {
  let capNext = true;
  let inQuote = false;
  let parts: string[] | null = null;
  let last = 0;
  for (let i = 0; i < s.length; i++) {
    const code = s.charCodeAt(i);
    if (code >= 97 && code <= 122) {
      if (capNext) {
        (parts ??= []).push(s.slice(last, i), String.fromCharCode(code - 32));
        last = i + 1;
      }
      capNext = false;
    } else if (code >= 65 && code <= 90) {
      capNext = false;
    } else if (code === 34) {
      inQuote = !inQuote;
      capNext = inQuote;
    } else if (code === 46 || code === 33 || code === 63) {
      capNext = true;
    }
  }
  if (!parts) return s;
  parts.push(s.slice(last));
  return parts.join('');
}

const ARTICLE_RE = /([\u0001\u0002]) (\S+)/g;

/** Renders one template to finished text: slots filled, articles chosen, capitals fixed. */
export function render(t: Template, ctx: RenderContext): string {
  const out: string[] = [];
  renderNodes(t, ctx, out);
  let s = out.join('');
  if (s.includes(ART) || s.includes(ART_CAP)) {
    s = s.replace(ARTICLE_RE, (_m, mark: string, word: string) => {
      const a = articleFor(word);
      return `${mark === ART_CAP ? capitalize(a) : a} ${word}`;
    });
  }
  return fixCaps(s);
}
