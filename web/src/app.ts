// app.ts: the page's shared state: the engine and model store, the chosen corpus, the model
// in use, and what is running (training, generation). Panels read it and listen for its
// 'change' event to enable or disable their controls; they change it only through the setters.

import type { AdapterInfo, Engine, Model, Trainer } from 'sllm';
import type { ModelStore } from './platform.js';

/** The text to train on. */
export interface Corpus {
  text: string;
  /** Where it came from, for people: "built-in stories (300,000 characters, seed 1)". */
  label: string;
  /** Where it came from, for the page: "stories:300000:1", "file:name.txt" or "paste". */
  key: string;
  /** Number of distinct characters. */
  distinct: number;
}

/** The model the page trains, samples from and saves. */
export interface Current {
  model: Model;
  /** The name it was saved or loaded under, if any. */
  name?: string;
  /** A loaded checkpoint that has not been resumed yet (resumeTrainer takes it once). */
  resumable: boolean;
  /** The trainer of this model, once training started (kept for pause/resume and checkpoints). */
  trainer?: Trainer;
  /** The LoRA adapter the model carries (fine-tuned here or loaded onto it), if any. */
  adapter?: AdapterInfo;
  /** The step a loaded LoRA run's checkpoint resumes at (a model's checkpoint says it itself). */
  resumeStep?: number;
}

/** What training is doing: nothing, running, or paused inside a run. */
export type Activity = 'idle' | 'training' | 'paused';

export class App extends EventTarget {
  corpus: Corpus | undefined;
  current: Current | undefined;
  activity: Activity = 'idle';
  /** Text is being generated (Talk panel). */
  generating = false;
  /** A short operation is running (saving, loading, creating a model): what it is. */
  busy: string | undefined;
  /** The chat view's template for the current model when it is not the default (saved with the model). */
  chatTemplate: string | undefined;

  constructor(
    readonly engine: Engine,
    readonly store: ModelStore | undefined,
  ) {
    super();
  }

  #changed(): void {
    this.dispatchEvent(new Event('change'));
  }

  setCorpus(c: Corpus | undefined): void {
    this.corpus = c;
    this.#changed();
  }

  /** Makes `next` the current model, freeing the previous one's memory. */
  setCurrent(next: Current | undefined): void {
    const prev = this.current;
    this.current = next;
    if (prev && prev.model !== next?.model) {
      prev.trainer?.dispose();
      prev.model.tokenizer.dispose();
      prev.model.dispose();
    }
    this.#changed();
  }

  /** Records the adapter the current model carries now (after fine-tuning, loading, merging). */
  setAdapter(info: AdapterInfo | undefined): void {
    if (!this.current) return;
    this.current.adapter = info;
    this.#changed();
  }

  setActivity(a: Activity): void {
    this.activity = a;
    this.#changed();
  }

  setGenerating(g: boolean): void {
    this.generating = g;
    this.#changed();
  }

  setBusy(what: string | undefined): void {
    this.busy = what;
    this.#changed();
  }

  /** True when nothing runs, so an operation that replaces or reads the model may start. */
  get idle(): boolean {
    return this.activity === 'idle' && !this.generating && this.busy === undefined;
  }

  /** The model can be read (sampled, saved) now: not while a training step could run. */
  get modelQuiet(): boolean {
    return this.current !== undefined && this.activity !== 'training' && !this.generating && this.busy === undefined;
  }
}
