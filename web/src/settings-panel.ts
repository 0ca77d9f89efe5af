// settings-panel.ts: step 2, the model and training settings: the package's presets (both
// architectures) with their parameter counts and training-memory estimates for the chosen
// tokenizer's vocabulary (from the core: engine.estimateMemory), the tokenizer (char, BPE or
// word with a vocabulary size), the number of steps, and an advanced panel with every trainer
// option the package has (TrainConfig), filled with the preset's resolved defaults.

import type { PresetInfo, TokenizerType, TrainConfig } from 'sllm';
import type { App } from './app.js';
import { byId, formatBytes, formatCount, h, numberValue } from './dom.js';
import { expectedVocab } from './estimate.js';

type Key = Exclude<keyof TrainConfig, 'maxSteps'>;
interface OptionSpec {
  key: Key;
  label: string;
  min?: number;
  max?: number;
  step?: number | 'any';
  choices?: string[];
  hint?: string;
}

/** Every training option but maxSteps (which sits in the main row), in the order shown. */
const OPTIONS: OptionSpec[] = [
  { key: 'batchSize', label: 'Batch size', min: 1, max: 512, step: 1 },
  { key: 'sequenceLength', label: 'Sequence length', min: 2, max: 4096, step: 1, hint: 'at most the context length' },
  { key: 'gradientAccumulation', label: 'Gradient accumulation', min: 1, max: 64, step: 1, hint: 'micro-batches a step' },
  { key: 'schedule', label: 'Learning-rate schedule', choices: ['cosine', 'linear', 'constant'] },
  { key: 'learningRate', label: 'Learning rate', min: 0, max: 1, step: 'any' },
  { key: 'minLearningRate', label: 'Minimum learning rate', min: 0, max: 1, step: 'any' },
  { key: 'warmupSteps', label: 'Warmup steps', min: 0, step: 1 },
  { key: 'decaySteps', label: 'Decay steps', min: 1, step: 1, hint: 'empty: the number of steps' },
  { key: 'beta1', label: 'AdamW β1', min: 0, max: 0.9999, step: 'any' },
  { key: 'beta2', label: 'AdamW β2', min: 0, max: 0.99999, step: 'any' },
  { key: 'epsilon', label: 'AdamW ε', min: 0, max: 1, step: 'any' },
  { key: 'weightDecay', label: 'Weight decay', min: 0, max: 10, step: 'any' },
  { key: 'gradientClip', label: 'Gradient clipping (norm)', min: 0, step: 'any', hint: '0: off' },
  { key: 'dropout', label: 'Dropout', min: 0, max: 0.99, step: 'any' },
  { key: 'validationSplit', label: 'Validation split', min: 0, max: 0.5, step: 'any', hint: 'share of the text held out' },
  { key: 'evalInterval', label: 'Evaluate every (steps)', min: 0, step: 1, hint: '0: only at the end' },
  { key: 'evalBatches', label: 'Evaluation batches', min: 1, max: 1000, step: 1 },
  { key: 'earlyStopPatience', label: 'Early-stopping patience', min: 0, step: 1, hint: 'evaluations; 0: never' },
  { key: 'earlyStopMinDelta', label: 'Early-stopping min. improvement', min: 0, step: 'any' },
  { key: 'seed', label: 'Seed', min: 0, step: 1 },
];

/** What the demo changes from the presets' defaults: more frequent evaluations for the chart, and tiny's run length. */
const DEMO_DEFAULTS: Record<string, Partial<TrainConfig>> = {
  '*': { evalInterval: 100, evalBatches: 10 },
  tiny: { maxSteps: 3000 },
};

export interface Settings {
  preset: PresetInfo;
  tokenizer: { type: TokenizerType; vocabSize?: number };
  trainer: Partial<TrainConfig>;
}

export class SettingsPanel {
  #presets: PresetInfo[];
  #base: TrainConfig;
  #inputs = new Map<Key, HTMLInputElement | HTMLSelectElement>();
  #steps = byId<HTMLInputElement>('opt-maxSteps');
  #tokType = byId<HTMLSelectElement>('tok-type');
  #tokVocab = byId<HTMLInputElement>('tok-vocab');

  /** `base`: the package's resolved training settings for a tiny model, the values no preset sets. */
  constructor(private readonly app: App, presets: PresetInfo[], base: TrainConfig) {
    // Smallest first (by the weights of the blocks), gpt before llama at equal size.
    const size = (p: PresetInfo) => p.model.layers * p.model.dim * p.model.dim + (p.model.arch === 'gpt' ? 0 : 1);
    this.#presets = [...presets].sort((a, b) => size(a) - size(b));
    this.#base = base;
    this.#buildPresets();
    this.#buildAdvanced();
    this.#fillDefaults();
    this.#tokType.addEventListener('change', () => {
      byId('vocab-field').hidden = this.#tokType.value === 'char';
      this.#tokVocab.value = this.#tokType.value === 'word' ? '2000' : '1000';
      this.#update();
    });
    for (const el of [this.#tokVocab, this.#steps]) el.addEventListener('input', () => this.#update());
    byId('advanced-reset').addEventListener('click', () => this.#fillDefaults());
    app.addEventListener('change', () => this.#update());
  }

  #buildPresets(): void {
    const box = byId('presets');
    for (const p of this.#presets) {
      const input = h('input', { type: 'radio', name: 'preset', value: p.name, checked: p.name === 'tiny', id: `preset-${p.name}` });
      input.addEventListener('change', () => this.#fillDefaults());
      const c = p.model;
      box.append(
        h('label', { className: 'preset', for: `preset-${p.name}` },
          input,
          h('span', { className: 'preset-name' }, p.name),
          h('span', { className: 'preset-arch' },
            `${c.arch}: ${c.layers} layers, dim ${c.dim}, ${c.heads} heads` +
            `${c.kvHeads !== c.heads ? ` (${c.kvHeads} key/value)` : ''}, context ${c.contextLength}`),
          h('span', { className: 'preset-est', id: `preset-est-${p.name}` }, '')),
      );
    }
  }

  #buildAdvanced(): void {
    const box = byId('advanced-fields');
    for (const o of OPTIONS) {
      const id = `opt-${o.key}`;
      let input: HTMLInputElement | HTMLSelectElement;
      if (o.choices) {
        input = h('select', { id }, ...o.choices.map((c) => new Option(c, c)));
      } else {
        input = h('input', { id, type: 'number', min: o.min, max: o.max, step: String(o.step ?? 'any'), inputMode: o.step === 1 ? 'numeric' : 'decimal' });
        if (o.hint) input.setAttribute('aria-describedby', `${id}-hint`);
        input.addEventListener('input', () => this.#update());
      }
      box.append(h('div', { className: 'field' }, h('label', { for: id }, o.label), input,
        ...(o.hint ? [h('span', { className: 'hint', id: `${id}-hint` }, o.hint)] : [])));
      this.#inputs.set(o.key, input);
    }
  }

  /** The chosen preset. */
  get preset(): PresetInfo {
    const name = document.querySelector<HTMLInputElement>('input[name="preset"]:checked')?.value ?? 'tiny';
    return this.#presets.find((p) => p.name === name) ?? this.#presets[0];
  }

  #defaults(p: PresetInfo): TrainConfig {
    return { ...this.#base, dropout: p.model.dropout, ...p.training, ...DEMO_DEFAULTS['*'], ...DEMO_DEFAULTS[p.name] } as TrainConfig;
  }

  #fillDefaults(): void {
    const d = this.#defaults(this.preset);
    this.#steps.value = String(d.maxSteps);
    for (const [key, input] of this.#inputs) input.value = key === 'decaySteps' ? '' : String(d[key]);
    const seq = this.#inputs.get('sequenceLength') as HTMLInputElement;
    seq.max = String(this.preset.model.contextLength);
    this.#update();
  }

  /** The settings as the package's option objects. */
  get(): Settings {
    const p = this.preset;
    const d = this.#defaults(p);
    const trainer: Partial<TrainConfig> = { maxSteps: Math.round(numberValue(this.#steps, d.maxSteps)) };
    for (const o of OPTIONS) {
      const input = this.#inputs.get(o.key)!;
      if (o.choices) (trainer as Record<string, unknown>)[o.key] = input.value;
      else if (o.key === 'decaySteps' && input.value === '') continue;
      else {
        const v = numberValue(input as HTMLInputElement, d[o.key] as number);
        (trainer as Record<string, unknown>)[o.key] = o.step === 1 ? Math.round(v) : v;
      }
    }
    const type = this.#tokType.value as TokenizerType;
    const tokenizer = type === 'char' ? { type } : { type, vocabSize: Math.round(numberValue(this.#tokVocab, 1000)) };
    return { preset: p, tokenizer, trainer };
  }

  #estimates = 0;

  /** Parameter counts and training memory of every preset, from the core (the latest call wins). */
  async #estimate(): Promise<void> {
    const call = ++this.#estimates;
    const { trainer } = this.get();
    const vocab = this.#vocab();
    const results = await Promise.all(this.#presets.map(async (p) => {
      const d = p === this.preset ? trainer : this.#defaults(p);
      try {
        return await this.app.engine.estimateMemory({
          preset: p.name,
          config: { vocabSize: vocab },
          training: { batchSize: d.batchSize, sequenceLength: Math.min(d.sequenceLength!, p.model.contextLength) },
        });
      } catch {
        return undefined;  // settings being typed (a batch of 0, ...): no estimate until they are valid
      }
    }));
    if (call !== this.#estimates) return;
    this.#presets.forEach((p, i) => {
      const e = results[i];
      byId(`preset-est-${p.name}`).textContent = e
        ? `${formatCount(e.parameters)} parameters, ≈ ${formatBytes(e.training.total)} to train` : '';
    });
    const p = this.preset;
    const e = results[this.#presets.indexOf(p)];
    const tokens = trainer.batchSize! * trainer.sequenceLength! * trainer.gradientAccumulation! * trainer.maxSteps!;
    byId('model-estimate').textContent =
      `${p.name}: ${p.description}. With a vocabulary of about ${vocab} tokens: ` +
      `${e ? formatCount(e.parameters) : '?'} parameters; ${trainer.maxSteps} steps see ${formatCount(tokens)} tokens.`;
  }

  #vocab(): number {
    const t = this.get().tokenizer;
    return expectedVocab(t.type, this.app.corpus?.distinct ?? 60, t.vocabSize ?? 0);
  }

  #update(): void {
    void this.#estimate();
    const locked = this.app.activity === 'training' || this.app.activity === 'paused';
    for (const el of document.querySelectorAll<HTMLInputElement | HTMLSelectElement | HTMLButtonElement>(
      '#model input, #model select, #model button')) el.disabled = locked;
  }
}
