// engine.ts: createEngine() and the main-thread Engine: one WebAssembly module instance and
// the factory methods for tokenizers, models and trainers, loading SLLM files, and memory
// statistics. Every method is async so a Worker-backed engine can implement the same interface.

import { wellFormed } from './text.js';
import { disposeSymbol } from './disposable.js';
import { loadedModel } from './engine-common.js';
import { folderEntries, importOptionsJson } from './huggingface.js';
import { SllmInvalidArgumentError } from './errors.js';
import type { ModelHandle } from './glue.js';
import { loadModule } from './loader.js';
import { WasmModel } from './model.js';
import { modelConfigFromJson, modelConfigToJson, presetTrainingFromJson, trainOptionsToJson } from './options.js';
import { Runtime } from './runtime.js';
import { WasmTokenizer } from './tokenizer.js';
import { WasmTrainer } from './trainer.js';
import { CompletionsApi } from './chat/api.js';
import { localBackend } from './chat/local.js';
import { ModelRegistry } from './chat/registry.js';
import type {
  Backend,
  Chat,
  Completions,
  Engine,
  EstimateOptions,
  MemoryEstimate,
  EngineOptions,
  HuggingFaceFiles,
  ImportHuggingFaceOptions,
  LoadedModel,
  LoadModelOptions,
  MemoryStats,
  Model,
  ModelOptions,
  PresetInfo,
  Tokenizer,
  TokenizerJSON,
  TokenizerOptions,
  Trainer,
  TrainerOptions,
  TrainingData,
} from './types.js';

/**
 * Loads the sllm WebAssembly module and returns an engine. By default the threads build where
 * it can use threads (a cross-origin isolated Worker), else the SIMD build when the JavaScript
 * engine supports wasm SIMD, else the scalar build, each falling back to the next if it fails
 * to load; `options.backend` forces one and `options.threads` sets the thread count. On a
 * page's main thread the engine runs one thread. Rejects with SllmLoadError when no build can
 * be loaded.
 */
export async function createEngine(options: EngineOptions = {}): Promise<Engine> {
  const { module, backend, threads } = await loadModule(options);
  return new MainThreadEngine(new Runtime(module, backend, threads));
}

class MainThreadEngine implements Engine {
  readonly #rt: Runtime;
  readonly #models = new ModelRegistry<WasmModel>((m, what) => this.#model(m, what));
  readonly #api = new CompletionsApi(this.#models, localBackend);
  readonly chat: Chat = this.#api.chat;
  readonly completions: Completions = this.#api.completions;
  readonly registerModel = this.#api.registerModel;
  readonly unregisterModel = this.#api.unregisterModel;
  readonly registeredModels = this.#api.registeredModels;

  constructor(rt: Runtime) {
    this.#rt = rt;
  }

  async resetChat(model?: string | Model | boolean, modelId?: string): Promise<void> {
    await this.#models.resolveReset(model, modelId).model.resetChat();
  }

  get backend(): Backend {
    return this.#rt.backend;
  }

  get threads(): number {
    return this.#rt.threads;
  }

  get disposed(): boolean {
    return this.#rt.disposed;
  }

  /** @internal The runtime, for tests of the bindings themselves. */
  get runtime(): Runtime {
    return this.#rt;
  }

  #tokenizer(t: Tokenizer, what: string): WasmTokenizer {
    if (!(t instanceof WasmTokenizer)) throw new SllmInvalidArgumentError(`${what} needs a tokenizer from this engine`);
    this.#own(t, what);
    return t;
  }

  #model(m: Model, what: string): WasmModel {
    if (!(m instanceof WasmModel)) throw new SllmInvalidArgumentError(`${what} needs a model from this engine`);
    this.#own(m, what);
    return m;
  }

  #own(o: WasmTokenizer | WasmModel, what: string): void {
    if (!o.belongsTo(this.#rt))
      throw new SllmInvalidArgumentError(`${what}: the object belongs to another engine`);
  }

  async listPresets(): Promise<PresetInfo[]> {
    const all = JSON.parse(this.#rt.invoke((m) => m.presetsJson())) as Record<string, unknown>[];
    return all.map((p) => ({
      name: p.name as string,
      description: (p.description as string) ?? '',
      model: modelConfigFromJson(JSON.stringify(p.model)),
      training: presetTrainingFromJson((p.training as Record<string, unknown>) ?? {}),
    }));
  }

  async estimateMemory(options: EstimateOptions): Promise<MemoryEstimate> {
    if (typeof options !== 'object' || options === null || typeof options.config !== 'object')
      throw new SllmInvalidArgumentError('estimateMemory needs { preset?, config: { vocabSize, ... }, training? }');
    const { preset, config, training, baseDtype, threads } = options;
    const extras = JSON.stringify({ baseDtype, threads });
    const json = this.#rt.invoke((m) =>
      m.estimateMemoryJson(preset ?? '', modelConfigToJson(config), trainOptionsToJson(training ?? {}), extras),
    );
    const r = JSON.parse(json) as MemoryEstimate & { config: Record<string, unknown> };
    return { ...r, config: modelConfigFromJson(JSON.stringify(r.config)) };
  }

  async createTokenizer(options: TokenizerOptions): Promise<Tokenizer> {
    if (typeof options !== 'object' || options === null)
      throw new SllmInvalidArgumentError('createTokenizer needs options: { type: "char", text }');
    if (options.type === 'gpt2') {
      const { encoderJson, vocabBpe } = options;
      if (typeof encoderJson !== 'string' || typeof vocabBpe !== 'string')
        throw new SllmInvalidArgumentError('a gpt2 tokenizer needs the contents of encoder.json and vocab.bpe as strings');
      return new WasmTokenizer(this.#rt, this.#rt.create((m) => m.loadGpt2Tokenizer(wellFormed(encoderJson), wellFormed(vocabBpe))));
    }
    if (options.type === 'tiktoken') {
      const { ranks, specialTokens, pretokenizer, eos, bos, addBos } = options;
      if (typeof ranks !== 'string') throw new SllmInvalidArgumentError('a tiktoken tokenizer needs the ranks file as a string');
      const json = JSON.stringify({ specials: specialTokens ?? {}, pretokenizer, eos, bos, add_bos: addBos });
      return new WasmTokenizer(this.#rt, this.#rt.create((m) => m.loadTiktokenTokenizer(wellFormed(ranks), json)));
    }
    if (options.type === 'huggingface') {
      const { tokenizerJson, tokenizerConfig } = options;
      if (typeof tokenizerJson !== 'string' || (tokenizerConfig !== undefined && typeof tokenizerConfig !== 'string'))
        throw new SllmInvalidArgumentError('a huggingface tokenizer needs tokenizer.json (and tokenizer_config.json) as strings');
      const cfg = wellFormed(tokenizerConfig ?? '');
      return new WasmTokenizer(this.#rt, this.#rt.create((m) => m.loadHfTokenizer(wellFormed(tokenizerJson), cfg)));
    }
    const { type, text, specials } = options;
    if (typeof text !== 'string') throw new SllmInvalidArgumentError('createTokenizer needs the training text as a string');
    const vocabSize = 'vocabSize' in options ? options.vocabSize : undefined;
    if (vocabSize !== undefined && !Number.isInteger(vocabSize))
      throw new SllmInvalidArgumentError(`vocabSize must be an integer, not ${String(vocabSize)}`);
    const extraSpecials = options.type === 'bpe' ? options.extraSpecials : undefined;
    const onProgress = options.type === 'bpe' ? options.onProgress : undefined;
    if (onProgress !== undefined && typeof onProgress !== 'function')
      throw new SllmInvalidArgumentError('onProgress must be a function');
    const json = JSON.stringify({
      specials: specials ?? [],
      ...(vocabSize !== undefined ? { vocab_size: vocabSize } : {}),
      ...(extraSpecials !== undefined ? { extra_specials: extraSpecials } : {}),
    });
    const h = this.#rt.create((m) => m.createTokenizer(String(type), wellFormed(text), json, onProgress));
    return new WasmTokenizer(this.#rt, h);
  }

  async loadTokenizer(json: TokenizerJSON): Promise<Tokenizer> {
    const text = JSON.stringify(json);
    if (typeof text !== 'string') throw new SllmInvalidArgumentError('loadTokenizer needs a tokenizer JSON object');
    return new WasmTokenizer(this.#rt, this.#rt.create((m) => m.tokenizerFromJson(text)));
  }

  async createModel(options: ModelOptions): Promise<Model> {
    if (typeof options !== 'object' || options === null)
      throw new SllmInvalidArgumentError('createModel needs options: { tokenizer, preset?, config? }');
    const tok = this.#tokenizer(options.tokenizer, 'createModel');
    const preset = options.preset ?? '';
    if (typeof preset !== 'string') throw new SllmInvalidArgumentError('preset must be a preset name');
    const json = modelConfigToJson(options.config);
    const th = tok.wasmHandle;
    const h = this.#rt.create((m) => m.createModel(th, preset, json));
    return new WasmModel(this.#rt, h, tok);
  }

  async createTrainer(model: Model, options: TrainerOptions): Promise<Trainer> {
    const mod = this.#model(model, 'createTrainer');
    const { text, tokens } = this.#data(options, 'createTrainer');
    const json = trainOptionsToJson(options);
    const mh = mod.wasmHandle;
    const h = this.#rt.create((m) => m.createTrainer(mh, json, wellFormed(text), tokens));
    return new WasmTrainer(this.#rt, h, mod);
  }

  async resumeTrainer(model: Model, data: TrainingData): Promise<Trainer> {
    const mod = this.#model(model, 'resumeTrainer');
    const { text, tokens } = this.#data(data, 'resumeTrainer');
    const mh = mod.wasmHandle;
    const h = this.#rt.create((m) => m.resumeTrainer(mh, wellFormed(text), tokens));
    return new WasmTrainer(this.#rt, h, mod);
  }

  #data(d: TrainingData, what: string): { text: string; tokens: ArrayLike<number> | undefined } {
    if (typeof d !== 'object' || d === null) throw new SllmInvalidArgumentError(`${what} needs { text } or { tokens }`);
    if (d.tokens !== undefined) {
      if (d.text !== undefined) throw new SllmInvalidArgumentError(`${what}: give either text or tokens, not both`);
      if (typeof d.tokens !== 'object' || typeof d.tokens.length !== 'number')
        throw new SllmInvalidArgumentError(`${what}: tokens must be an Int32Array or an array of token ids`);
      return { text: '', tokens: d.tokens };
    }
    if (typeof d.text !== 'string') throw new SllmInvalidArgumentError(`${what} needs the corpus as { text } or { tokens }`);
    return { text: d.text, tokens: undefined };
  }

  async loadModel(bytes: Uint8Array, _options?: LoadModelOptions): Promise<LoadedModel> {
    if (!(bytes instanceof Uint8Array))
      throw new SllmInvalidArgumentError('loadModel needs the file as a Uint8Array (e.g. new Uint8Array(await file.arrayBuffer()))');
    return this.#loaded(this.#rt.create((m) => m.loadFile(bytes)));
  }

  async importHuggingFace(files: HuggingFaceFiles, options: ImportHuggingFaceOptions = {}): Promise<LoadedModel> {
    const entries = folderEntries(files);
    const json = importOptionsJson(options);
    return this.#loaded(this.#rt.create((m) => m.importHuggingFace(entries, json)));
  }

  /** The LoadedModel of a handle loadFile or importHuggingFace made (which this takes over). */
  #loaded(h: ModelHandle): LoadedModel {
    let tokenizer: WasmTokenizer;
    try {
      tokenizer = new WasmTokenizer(this.#rt, this.#rt.create(() => h.tokenizer()));
    } catch (e) {
      h.delete();
      throw e;
    }
    const header = JSON.parse(this.#rt.invoke(() => h.headerJson())) as Record<string, unknown>;
    const model = new WasmModel(this.#rt, h, tokenizer);
    return loadedModel(model, tokenizer, header);
  }

  async memoryStats(): Promise<MemoryStats> {
    return this.#rt.invoke((m) => m.memoryStats());
  }

  dispose(): void {
    this.#rt.dispose();
  }

  [disposeSymbol](): void {
    this.dispose();
  }
}
