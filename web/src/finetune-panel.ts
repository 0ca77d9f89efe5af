// finetune-panel.ts: step 3's LoRA fine-tuning of the current model (trained here, loaded,
// opened or imported): rank, layers, steps, learning rate and the memory-saving passes, the
// core's memory estimate for that setup beside full training's, then a run through the
// training panel (its chart, numbers and samples), and the fine-tuned model's sample side by
// side with the base's (the adapter switched off), from the same prompt and seed. Keeping the
// adapter or the merged model is step 6's (library-panel.ts).

import type { Model, TrainConfig } from 'sllm';
import type { App } from './app.js';
import { byId, formatBytes, formatCount, formatInt, numberValue } from './dom.js';
import type { SettingsPanel } from './settings-panel.js';
import { announce, clearError, setModelStatus, showError } from './status.js';
import type { TrainPanel } from './train-panel.js';

const COMPARE_TOKENS = 160;

export class FinetunePanel {
  #rank = byId<HTMLInputElement>('ft-rank');
  #targets = byId<HTMLSelectElement>('ft-targets');
  #steps = byId<HTMLInputElement>('ft-steps');
  #lr = byId<HTMLInputElement>('ft-lr');
  #recompute = byId<HTMLInputElement>('ft-recompute');
  #start = byId<HTMLButtonElement>('ft-start');
  #compare = byId<HTMLButtonElement>('ft-compare');
  /** Comparisons shown so far (the end-to-end test waits for one). */
  comparisons = 0;

  constructor(
    private readonly app: App,
    private readonly settings: SettingsPanel,
    private readonly train: TrainPanel,
  ) {
    this.#start.addEventListener('click', () => void this.#fineTune());
    this.#compare.addEventListener('click', () => void this.compare());
    for (const el of [this.#rank, this.#steps, this.#lr]) el.addEventListener('input', () => void this.#estimate());
    for (const el of [this.#targets, this.#recompute]) el.addEventListener('change', () => void this.#estimate());
    let model: Model | undefined;
    app.addEventListener('change', () => {
      if (app.current?.model !== model) {
        model = app.current?.model;
        byId('ft-compare-box').hidden = true;
        void this.refreshAdapter();
        void this.#estimate();
      }
      this.#sync();
    });
    this.#sync();
  }

  #sync(): void {
    const a = this.app;
    this.#start.disabled = !a.idle || !a.current || !a.corpus;
    this.#compare.disabled = !a.modelQuiet || !a.current?.adapter;
    const locked = a.activity !== 'idle';
    for (const el of [this.#rank, this.#targets, this.#steps, this.#lr, this.#recompute]) el.disabled = locked;
  }

  /** Re-reads whether the current model carries an adapter (after loading one, merging, ...). */
  async refreshAdapter(): Promise<void> {
    const model = this.app.current?.model;
    const info = model && !model.disposed ? await model.adapterInfo().catch(() => undefined) : undefined;
    if (model === this.app.current?.model) this.app.setAdapter(info);
  }

  /** The LoRA training options from the fields, over step 2's settings, for this model. */
  #options(model: Model): Partial<TrainConfig> {
    const { trainer } = this.settings.get();
    const { decaySteps: _unused, ...rest } = trainer;
    const steps = Math.max(1, Math.round(numberValue(this.#steps, 300)));
    const lr = numberValue(this.#lr, 0.003);
    const memory = this.#recompute.checked;
    return {
      ...rest,
      maxSteps: steps,
      learningRate: lr,
      minLearningRate: lr / 10,
      warmupSteps: Math.min(rest.warmupSteps ?? 0, Math.floor(steps / 10)),
      evalInterval: Math.min(rest.evalInterval ?? 100, Math.max(1, Math.floor(steps / 5))),
      sequenceLength: Math.min(rest.sequenceLength ?? model.config.contextLength, model.config.contextLength),
      loraRank: Math.max(1, Math.round(numberValue(this.#rank, 8))),
      loraAlpha: 2 * Math.max(1, Math.round(numberValue(this.#rank, 8))),
      loraTargets: this.#targets.value,
      recompute: memory,
      chunked: memory,
    };
  }

  #estimates = 0;

  /** The core's memory estimate of this fine-tuning beside full training's (the latest call wins). */
  async #estimate(): Promise<void> {
    const call = ++this.#estimates;
    const el = byId('ft-estimate');
    const model = this.app.current?.model;
    if (!model) {
      el.textContent = 'Train, load or open a model first (steps 3 and 6); fine-tuning adapts it to the text of step 1.';
      return;
    }
    try {
      const o = this.#options(model);
      const config = { ...model.config };
      const { batchSize, sequenceLength } = o;
      // A LoRA run keeps a loaded base as it is held (packed in its file's dtype until full training).
      const baseDtype = (await model.memory()).dtype;
      const [lora, full] = await Promise.all([
        this.app.engine.estimateMemory({ config, training: o, baseDtype }),
        this.app.engine.estimateMemory({ config, training: { batchSize, sequenceLength } }),
      ]);
      if (call !== this.#estimates) return;
      el.textContent =
        `${formatCount(lora.trainableParameters)} of ${formatCount(lora.parameters)} parameters train; ` +
        `≈ ${formatBytes(lora.training.total)} of memory to fine-tune, the base held in ${baseDtype} ` +
        `(full training: ≈ ${formatBytes(full.training.total)}).`;
    } catch (e) {
      if (call === this.#estimates) el.textContent = `No estimate: ${(e as Error)?.message ?? String(e)}`;
    }
  }

  /** Takes the base's sample, makes a LoRA trainer on the current model and runs it. */
  async #fineTune(): Promise<void> {
    const cur = this.app.current;
    const corpus = this.app.corpus;
    if (!cur || !corpus || !this.app.idle) return;
    clearError();
    const model = cur.model;
    const options = this.#options(model);
    this.app.setBusy('starting LoRA fine-tuning');
    try {
      const trainer = await this.app.engine.createTrainer(model, { text: corpus.text, ...options });
      cur.trainer?.dispose();
      cur.trainer = trainer;
      cur.resumable = false;
      this.train.chart.reset();
    } catch (e) {
      showError(e, 'Starting LoRA fine-tuning');
      return;
    } finally {
      this.app.setBusy(undefined);
    }
    await this.refreshAdapter();
    const info = this.app.current?.adapter;
    setModelStatus(
      `${cur.name ? `"${cur.name}"` : 'the model'} + LoRA adapter (rank ${info?.rank}, ${info?.targets.join(', ')}; ` +
        `${formatCount(info?.parameterCount ?? 0)} of ${formatCount(model.parameterCount)} parameters train)`,
      model,
    );
    await this.train.run(`LoRA fine-tuning started: ${formatInt(options.maxSteps!)} steps.`);
    await this.compare();
  }

  /** The fine-tuned model's sample and the base's (adapter off), same prompt and seed, side by side. */
  async compare(): Promise<void> {
    const model = this.app.current?.model;
    if (!model || !this.app.current?.adapter || !this.app.modelQuiet) return;
    const prompt = this.train.prompt();
    const options = { maxTokens: COMPARE_TOKENS, temperature: 0.8, topK: 40, seed: 7 };
    this.app.setGenerating(true);
    try {
      const tuned = prompt + (await model.generate(prompt, options));
      await model.setAdapterEnabled(false);
      let base: string;
      try {
        base = prompt + (await model.generate(prompt, options));
      } finally {
        await model.setAdapterEnabled(true);
      }
      byId('ft-base').textContent = base;
      byId('ft-tuned').textContent = tuned;
      byId('ft-compare-box').hidden = false;
      this.comparisons++;
      byId('ft-compare-box').dataset.comparisons = String(this.comparisons);
      announce('The fine-tuned model\'s sample is shown beside the base model\'s.');
    } catch (e) {
      showError(e, 'Comparing with the base model');
    } finally {
      this.app.setGenerating(false);
    }
  }
}
