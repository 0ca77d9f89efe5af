// text-panel.ts: step 1, the text to learn from: the built-in story corpus (size and seed),
// a .txt file (chosen or dropped) or pasted text. Shows its size, distinct characters and a
// preview, and hands it to the App as the corpus.

import type { App, Corpus } from './app.js';
import { generateStories } from './corpus/stories.js';
import { byId, dropTarget, formatBytes, formatInt } from './dom.js';
import { announce, showError } from './status.js';

const MAX_FILE_BYTES = 20 * 1024 * 1024;
const MIN_CHARS = 1000;
const PREVIEW_CHARS = 1500;

function distinctChars(text: string): number {
  return new Set(text).size;
}

function corpusOf(text: string, label: string, key: string): Corpus {
  return { text, label, key, distinct: distinctChars(text) };
}

/** The size and seed of the built-in corpus a key "stories:<chars>:<seed>" names, or undefined for other keys. */
export function parseStoriesKey(key: string): { chars: number; seed: number } | undefined {
  const m = /^stories:(\d+):(\d+)$/.exec(key);
  return m ? { chars: Number(m[1]), seed: Number(m[2]) } : undefined;
}

function storiesFromKey(key: string): Corpus | undefined {
  const k = parseStoriesKey(key);
  if (!k) return undefined;
  const { chars, seed } = k;
  return corpusOf(
    generateStories({ chars, seed }),
    `built-in stories (${formatInt(chars)} characters, seed ${seed})`,
    key,
  );
}

export class TextPanel {
  #sizeEl = byId<HTMLSelectElement>('stories-size');
  #seedEl = byId<HTMLInputElement>('stories-seed');
  #fileEl = byId<HTMLInputElement>('text-file');
  #pasteEl = byId<HTMLTextAreaElement>('paste-text');
  #fileCorpus: Corpus | undefined;
  #pasteCorpus: Corpus | undefined;

  constructor(private readonly app: App) {
    for (const r of this.#radios()) r.addEventListener('change', () => this.#sourceChanged());
    this.#sizeEl.addEventListener('change', () => this.#useStories());
    this.#seedEl.addEventListener('change', () => this.#useStories());
    this.#fileEl.addEventListener('change', () => {
      const f = this.#fileEl.files?.[0];
      if (f) void this.#useFile(f);
    });
    dropTarget(byId('dropzone'), (f) => void this.#useFile(f));
    byId('paste-use').addEventListener('click', () => this.#usePaste());
    app.addEventListener('change', () => this.#sync());
    this.#useStories();
  }

  #radios(): HTMLInputElement[] {
    return [...document.querySelectorAll<HTMLInputElement>('input[name="source"]')];
  }

  #source(): string {
    return this.#radios().find((r) => r.checked)?.value ?? 'stories';
  }

  /** Selects the built-in corpus with these settings (used when resuming a checkpoint). */
  selectStories(chars: number, seed: number): void {
    const radio = this.#radios().find((r) => r.value === 'stories');
    if (radio) radio.checked = true;
    if (![...this.#sizeEl.options].some((o) => o.value === String(chars)))
      this.#sizeEl.append(new Option(`${formatInt(chars)} characters`, String(chars)));
    this.#sizeEl.value = String(chars);
    this.#seedEl.value = String(seed);
    this.#sourceChanged();
  }

  #sourceChanged(): void {
    const s = this.#source();
    byId('source-stories').hidden = s !== 'stories';
    byId('source-file').hidden = s !== 'file';
    byId('source-paste').hidden = s !== 'paste';
    if (s === 'stories') this.#useStories();
    else this.#set(s === 'file' ? this.#fileCorpus : this.#pasteCorpus);
  }

  #useStories(): void {
    const chars = Number(this.#sizeEl.value);
    const seed = Math.max(1, Math.floor(this.#seedEl.valueAsNumber || 1));
    this.#set(storiesFromKey(`stories:${chars}:${seed}`));
  }

  async #useFile(f: File): Promise<void> {
    try {
      if (f.size > MAX_FILE_BYTES) throw new Error(`the file has ${formatBytes(f.size)}; the limit is ${formatBytes(MAX_FILE_BYTES)}`);
      const text = (await f.text()).replace(/\r\n?/g, '\n');
      if (text.includes('\u0000')) throw new Error('it looks like a binary file, not text');
      if (text.length < MIN_CHARS) throw new Error(`it has ${text.length} characters; at least ${formatInt(MIN_CHARS)} are needed`);
      this.#fileCorpus = corpusOf(text, `the file ${f.name}`, `file:${f.name}`);
      const radio = this.#radios().find((r) => r.value === 'file');
      if (radio && !radio.checked) {
        radio.checked = true;
        this.#sourceChanged();
      } else this.#set(this.#fileCorpus);
      announce(`Loaded ${f.name}: ${formatInt(text.length)} characters.`);
    } catch (e) {
      showError(e, `Reading ${f.name}`);
    }
  }

  #usePaste(): void {
    const text = this.#pasteEl.value.replace(/\r\n?/g, '\n');
    if (text.length < MIN_CHARS) {
      showError(new Error(`the text has ${text.length} characters; at least ${formatInt(MIN_CHARS)} are needed`), 'Using the pasted text');
      return;
    }
    this.#pasteCorpus = corpusOf(text, 'pasted text', 'paste');
    this.#set(this.#pasteCorpus);
    announce(`Using the pasted text: ${formatInt(text.length)} characters.`);
  }

  #set(c: Corpus | undefined): void {
    this.app.setCorpus(c);
    byId('corpus-stats').textContent = c
      ? `${formatInt(c.text.length)} characters, ${formatInt(c.distinct)} distinct: ${c.label}.`
      : 'No text chosen yet.';
    byId('corpus-preview').textContent = c ? c.text.slice(0, PREVIEW_CHARS) + (c.text.length > PREVIEW_CHARS ? '\n…' : '') : '';
  }

  /** Training uses the corpus, so its controls are locked while a run is going. */
  #sync(): void {
    const locked = this.app.activity === 'training' || this.app.activity === 'paused';
    const controls: (HTMLInputElement | HTMLSelectElement | HTMLTextAreaElement | HTMLButtonElement)[] = [
      ...this.#radios(), this.#sizeEl, this.#seedEl, this.#fileEl, this.#pasteEl, byId<HTMLButtonElement>('paste-use'),
    ];
    for (const c of controls) c.disabled = locked;
  }
}
