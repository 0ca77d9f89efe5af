// talk-panel.ts: step 4, talking to the model: a prompt, the sampling controls (temperature,
// top-k, top-p, length, seed), and generation streamed piece by piece into the output, with a
// Stop button that aborts it through an AbortSignal. Works whenever training is not stepping
// (before, after, or while paused).

import type { App } from './app.js';
import { byId, numberValue } from './dom.js';
import { announce, clearError, showError } from './status.js';

export class TalkPanel {
  #go = byId<HTMLButtonElement>('gen-start');
  #stop = byId<HTMLButtonElement>('gen-stop');
  #out = byId<HTMLPreElement>('gen-output');
  #abort: AbortController | undefined;

  constructor(private readonly app: App) {
    this.#go.addEventListener('click', () => void this.generate());
    this.#stop.addEventListener('click', () => this.#abort?.abort());
    byId('prompt').addEventListener('keydown', (e) => {
      // Ctrl/Cmd+Enter generates; plain Enter stays a newline.
      if (e.key === 'Enter' && (e.ctrlKey || e.metaKey) && !this.#go.disabled) {
        e.preventDefault();
        void this.generate();
      }
    });
    app.addEventListener('change', () => this.#sync());
    this.#sync();
  }

  #sync(): void {
    this.#go.disabled = !this.app.modelQuiet;
    this.#stop.disabled = !this.app.generating;
  }

  #num(id: string, fallback: number): number {
    return numberValue(byId<HTMLInputElement>(id), fallback);
  }

  /** Streams a continuation of the prompt into the output. */
  async generate(): Promise<void> {
    const model = this.app.current?.model;
    if (!model || !this.app.modelQuiet) return;
    clearError();
    const prompt = byId<HTMLTextAreaElement>('prompt').value;
    this.#abort = new AbortController();
    this.app.setGenerating(true);
    this.#out.setAttribute('aria-busy', 'true');
    this.#out.textContent = '';
    const promptEl = document.createElement('strong');
    promptEl.textContent = prompt;
    const gen = document.createTextNode('');
    this.#out.append(promptEl, gen);
    let pieces = 0;
    try {
      const stream = model.stream(prompt, {
        maxTokens: Math.round(this.#num('gen-length', 300)),
        temperature: this.#num('gen-temperature', 0.8),
        topK: Math.round(this.#num('gen-topk', 40)),
        topP: this.#num('gen-topp', 0.95),
        seed: Math.round(this.#num('gen-seed', 1)),
        signal: this.#abort.signal,
      });
      for await (const piece of stream) {
        gen.appendData(piece);
        pieces++;
      }
      announce(`Generated ${pieces} pieces of text.`);
    } catch (e) {
      if ((e as Error)?.name === 'AbortError') announce('Generation stopped.');
      else showError(e, 'Generating');
    } finally {
      this.#out.setAttribute('aria-busy', 'false');
      this.#out.dataset.done = String(Date.now());
      this.#abort = undefined;
      this.app.setGenerating(false);
    }
  }
}
