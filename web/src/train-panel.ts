// train-panel.ts: step 3, training, live. Builds the tokenizer, model and trainer from the
// settings (or resumes a loaded checkpoint), runs the trainer's async iterator (also LoRA
// fine-tuning's, finetune-panel.ts) and shows each step: progress bar, step / ETA / tokens per
// second / the wasm memory's measured peak, the loss chart and a generated sample refreshed
// every few hundred steps. Pause, resume and stop go straight to the trainer.

import type { Model, Trainer, TrainingProgress } from 'sllm';
import type { App } from './app.js';
import { byId, formatBytes, formatCount, formatDuration, formatInt } from './dom.js';
import { LossChart } from './loss-chart.js';
import type { SettingsPanel } from './settings-panel.js';
import { announce, clearError, setModelStatus, showError } from './status.js';
import { parseStoriesKey, type TextPanel } from './text-panel.js';

const SAMPLE_TOKENS = 200;

export class TrainPanel {
  readonly chart = new LossChart(byId('loss-chart'));
  #start = byId<HTMLButtonElement>('train-start');
  #resumeCp = byId<HTMLButtonElement>('train-resume-cp');
  #pause = byId<HTMLButtonElement>('train-pause');
  #continue = byId<HTMLButtonElement>('train-continue');
  #stop = byId<HTMLButtonElement>('train-stop');
  #progress = byId<HTMLProgressElement>('train-progress');
  #numbers = byId('train-numbers');
  #sampleEvery = byId<HTMLSelectElement>('sample-every');
  /** Samples shown so far (the end-to-end test checks they update). */
  samples = 0;

  constructor(
    private readonly app: App,
    private readonly settings: SettingsPanel,
    private readonly text: TextPanel,
  ) {
    this.#start.addEventListener('click', () => void this.#trainNew());
    this.#resumeCp.addEventListener('click', () => void this.#resumeCheckpoint());
    this.#pause.addEventListener('click', () => this.#pauseRun());
    this.#continue.addEventListener('click', () => this.#continueRun());
    this.#stop.addEventListener('click', () => this.#trainer()?.stop());
    app.addEventListener('change', () => this.#sync());
    this.#sync();
  }

  #trainer(): Trainer | undefined {
    return this.app.current?.trainer;
  }

  #sync(): void {
    const a = this.app;
    const t = this.#trainer();
    this.#start.disabled = !a.idle || !a.corpus;
    this.#resumeCp.hidden = !a.current?.resumable;
    this.#resumeCp.disabled = !a.idle || !a.corpus;
    this.#pause.disabled = a.activity !== 'training';
    // Resume: a paused run, or a run that was stopped before its last step.
    this.#continue.disabled = !(a.activity === 'paused' || (a.idle && t !== undefined && t.state !== 'done' && !t.disposed));
    this.#stop.disabled = a.activity === 'idle';
  }

  async #trainNew(): Promise<void> {
    const corpus = this.app.corpus;
    if (!corpus || !this.app.idle) return;
    clearError();
    const { preset, tokenizer: tok, trainer: options } = this.settings.get();
    const engine = this.app.engine;
    this.app.setBusy('creating the model');
    this.#numbers.textContent = 'Building the tokenizer and the model…';
    try {
      const tokenizer = await engine.createTokenizer({ ...tok, text: corpus.text });
      const model = await engine.createModel({ tokenizer, preset: preset.name }).catch((e: unknown) => {
        tokenizer.dispose();
        throw e;
      });
      const trainer = await engine.createTrainer(model, { text: corpus.text, ...options }).catch((e: unknown) => {
        model.dispose();
        tokenizer.dispose();
        throw e;
      });
      this.app.setCurrent({ model, resumable: false, trainer });
      setModelStatus(`new ${preset.name} model, ${formatCount(model.parameterCount)} parameters, ${tokenizer.type} tokens (${model.config.vocabSize})`, model);
      this.chart.reset();
      this.#setSample('', 'Generated text appears here as the model learns.');
    } catch (e) {
      this.#numbers.textContent = 'Not started.';
      showError(e, 'Creating the model');
      return;
    } finally {
      this.app.setBusy(undefined);
    }
    await this.run(`Training started: ${formatInt(this.#trainer()!.config.maxSteps)} steps.`);
  }

  async #resumeCheckpoint(): Promise<void> {
    const cur = this.app.current;
    if (!cur?.resumable || !this.app.idle) return;
    clearError();
    // The checkpoint continues on the text it was trained on: pick it again when it is built in.
    const key = cur.model.metadata.corpus;
    if (key && key !== this.app.corpus?.key) {
      const stories = parseStoriesKey(key);
      if (stories) this.text.selectStories(stories.chars, stories.seed);
      else announce(`This checkpoint was trained on ${cur.model.metadata.corpusLabel ?? 'other text'}; continuing on the current text.`);
    }
    this.app.setBusy('resuming the checkpoint');
    try {
      cur.trainer = await this.app.engine.resumeTrainer(cur.model, { text: this.app.corpus!.text });
      cur.resumable = false;
      this.chart.reset();
    } catch (e) {
      showError(e, 'Resuming the checkpoint');
      return;
    } finally {
      this.app.setBusy(undefined);
    }
    await this.run(`Training resumed at step ${formatInt(cur.model.checkpoint?.step ?? cur.resumeStep ?? 0)}.`);
  }

  #pauseRun(): void {
    const t = this.#trainer();
    if (!t || this.app.activity !== 'training') return;
    t.pause(); // takes effect after the step in progress
    this.app.setActivity('paused');
    announce('Training paused. You can talk to the model or save a checkpoint now.');
  }

  #continueRun(): void {
    const t = this.#trainer();
    if (!t) return;
    if (this.app.activity === 'paused') {
      t.resume();
      this.app.setActivity('training');
      announce('Training resumed.');
    } else if (this.app.idle) void this.run('Training continues.');
  }

  /** Runs the current trainer to its end (or a stop), showing each step; also LoRA fine-tuning's. */
  async run(message: string): Promise<void> {
    const trainer = this.#trainer()!;
    const model = trainer.model;
    const every = () => Number(this.#sampleEvery.value);
    const prompt = this.prompt();
    this.app.setActivity('training');
    announce(message);
    let last: TrainingProgress | undefined;
    try {
      for await (const p of trainer.run()) {
        last = p;
        this.chart.push(p.step, p.loss, p.valLoss);
        this.#show(p);
        if (p.step % every() === 0 || p.done) {
          await this.#sample(model, prompt, p);
        }
      }
      this.chart.flush();
      const how = last?.earlyStopped ? 'stopped early: the validation loss stopped improving' : trainer.state === 'done' ? 'finished' : 'stopped';
      this.#numbers.textContent += ` Training ${how}.`;
      announce(`Training ${how} at step ${last?.step ?? 0}.`);
    } catch (e) {
      showError(e, 'Training');
      this.#numbers.textContent += ' Training failed.';
    } finally {
      this.app.setActivity('idle');
    }
  }

  /** Samples start from a story opening for the built-in corpus, else from the text's first word. */
  prompt(): string {
    const corpus = this.app.corpus;
    return corpus?.key.startsWith('stories:') ? 'Once upon a time' : (/\S{1,20}/.exec(corpus?.text ?? '')?.[0] ?? 'The');
  }

  #show(p: TrainingProgress): void {
    this.#progress.max = p.maxSteps;
    this.#progress.value = p.step;
    const parts = [
      `Step ${formatInt(p.step)} of ${formatInt(p.maxSteps)}`,
      `loss ${p.loss.toFixed(3)}`,
      ...(p.valLoss !== undefined ? [`validation ${p.valLoss.toFixed(3)}`] : []),
      `${formatInt(p.tokensPerSecond)} tokens/s`,
      `memory peak ${formatBytes(p.peakMemoryBytes)}`,
      p.done ? 'done' : `${formatDuration(p.etaMs)} left`,
    ];
    this.#numbers.textContent = parts.join(' · ');
    this.#numbers.dataset.step = String(p.step);
    this.#numbers.dataset.loss = String(p.loss);
  }

  /** Shows a generated sample; a failure to sample is shown there and does not end training. */
  async #sample(model: Model, prompt: string, p: TrainingProgress): Promise<void> {
    try {
      const text = prompt + (await model.generate(prompt, { maxTokens: SAMPLE_TOKENS, temperature: 0.8, topK: 40, seed: p.step }));
      this.#setSample(text, `At step ${formatInt(p.step)} (loss ${p.loss.toFixed(2)}):`);
    } catch (e) {
      this.#setSample('', `No sample at step ${formatInt(p.step)}: ${(e as Error)?.message ?? String(e)}`);
    }
  }

  #setSample(text: string, caption: string): void {
    byId('sample-step').textContent = caption;
    byId('sample-text').textContent = text;
    if (text) this.samples++;
    byId('sample-text').dataset.samples = String(this.samples);
  }
}
