// model.ts (internal): the main-thread Model over a C++ ModelHandle: generation (streamed one
// token per wasm call, yielding to the event loop every few milliseconds), saving, and the
// conversation cache of the chat API (chat/session.ts), which it owns.

import { wellFormed } from './text.js';
import { joinPieces } from './engine-common.js';
import { SllmInvalidArgumentError, throwIfAborted } from './errors.js';
import type { ModelHandle, SessionHandle } from './glue.js';
import { WasmChatSession } from './chat/session.js';
import { modelChatTemplate } from './chat/template.js';
import { adapterInfo, adapterSaveJson, loadedAdapterInfo } from './adapter.js';
import { exportOptionsJson } from './huggingface.js';
import { checkMetadata } from './metadata.js';
import { generateOptionsToJson, modelConfigFromJson, trainConfigFromJson } from './options.js';
import { Resource, type Runtime } from './runtime.js';
import type { WasmTokenizer } from './tokenizer.js';
import type {
  AdapterInfo,
  AdapterSaveOptions,
  CheckpointInfo,
  GenerateOptions,
  HuggingFaceExportOptions,
  HuggingFaceFiles,
  KVCacheDType,
  LoadedAdapterInfo,
  Model,
  ModelConfig,
  ModelMemory,
  SaveOptions,
  WeightDType,
} from './types.js';
import { yieldToEventLoop } from './yield.js';

/** Longest stretch of generation (ms) between turns of the event loop. */
const GENERATION_SLICE_MS = 8;

const now = () => (typeof performance === 'object' ? performance.now() : Date.now());

class GenerationSession extends Resource<SessionHandle> {
  constructor(rt: Runtime, handle: SessionHandle) {
    super(rt, handle, 'generation session');
  }
  get finished(): boolean {
    const h = this.handle;
    return this.rt.invoke(() => h.done());
  }
  next(): string {
    const h = this.handle;
    return this.rt.invoke(() => h.next());
  }
}

export class WasmModel extends Resource<ModelHandle> implements Model {
  readonly config: Readonly<ModelConfig>;
  readonly parameterCount: number;
  readonly preset: string | undefined;
  readonly tokenizer: WasmTokenizer;
  readonly metadata: Readonly<Record<string, string>>;
  readonly checkpoint: CheckpointInfo | undefined;
  readonly chatTemplate: string | undefined;
  #chat: WasmChatSession | undefined;
  #generationStale = false;

  constructor(rt: Runtime, handle: ModelHandle, tokenizer: WasmTokenizer) {
    super(rt, handle, 'model');
    this.tokenizer = tokenizer;
    this.config = Object.freeze(modelConfigFromJson(rt.invoke(() => handle.configJson())));
    this.parameterCount = rt.invoke(() => handle.numParams());
    this.preset = rt.invoke(() => handle.preset()) || undefined;
    this.metadata = Object.freeze(JSON.parse(rt.invoke(() => handle.metadataJson())) as Record<string, string>);
    const cp = JSON.parse(rt.invoke(() => handle.checkpointJson())) as Record<string, unknown> | null;
    this.checkpoint = cp
      ? Object.freeze({
          step: cp.step as number,
          tokensSeen: cp.tokens_seen as number,
          bestValLoss: (cp.best_val_loss as number | null) ?? Infinity,  // JSON has no Infinity
          config: Object.freeze(trainConfigFromJson(cp.config as Record<string, unknown>)),
        })
      : undefined;
    this.chatTemplate = modelChatTemplate(this.metadata, rt.invoke(() => handle.chatTemplate()));
  }

  /** @internal */
  get wasmHandle(): ModelHandle {
    return this.handle;
  }

  async generate(prompt: string, options: GenerateOptions = {}): Promise<string> {
    return joinPieces(this.stream(prompt, options));
  }

  async *stream(prompt: string, options: GenerateOptions = {}): AsyncIterableIterator<string> {
    const signal = options.signal;
    throwIfAborted(signal, 'generation');
    const json = generateOptionsToJson(options);
    const h = this.handle;
    if (this.#generationStale) {
      // trained since the last generation: its cached keys and values are out of date
      this.rt.invoke((m) => m.clearGenerationCache(h));
      this.#generationStale = false;
    }
    const session = new GenerationSession(
      this.rt,
      this.rt.create((m) => m.createSession(h, wellFormed(prompt), json)),
    );
    try {
      let sliceStart = now();
      while (!session.finished) {
        const piece = session.next();
        if (piece) yield piece;
        if (now() - sliceStart >= GENERATION_SLICE_MS) {
          await yieldToEventLoop();
          sliceStart = now();
        }
        throwIfAborted(signal, 'generation');
      }
    } finally {
      session.dispose();
    }
  }

  async memory(options: { kvCache?: KVCacheDType } = {}): Promise<ModelMemory> {
    const kv = options.kvCache ?? 'f32';
    if (kv !== 'f32' && kv !== 'f16')
      throw new SllmInvalidArgumentError(`kvCache must be "f32" or "f16", not ${JSON.stringify(kv)}`);
    const h = this.handle;
    const m = JSON.parse(this.rt.invoke(() => h.memoryJson(kv))) as {
      weights: number; packed: boolean; dtype: WeightDType; kv_cache: number; scratch: number;
    };
    return { weights: m.weights, packed: m.packed, dtype: m.dtype, kvCache: m.kv_cache, scratch: m.scratch,
             total: m.weights + m.kv_cache + m.scratch };
  }

  /** @internal The model's conversation cache for the chat API, made on first use. */
  chatSession(): WasmChatSession {
    if (!this.#chat || this.#chat.disposed) {
      const h = this.handle;
      this.#chat = new WasmChatSession(this.rt, this.rt.create((m) => m.createChatSession(h)));
    }
    return this.#chat;
  }

  /** @internal Forgets the cached conversation (after the request in progress, if any). */
  async resetChat(): Promise<void> {
    const session = this.#chat;
    if (!session || session.disposed) return;
    const release = await session.acquire();
    try {
      if (!session.disposed) session.clear();
    } finally {
      release();
    }
  }

  /** @internal The weights changed (a training step): cached conversations are out of date. */
  weightsChanged(): void {
    this.#chat?.markStale();
    this.#generationStale = true;
  }

  /** @internal Positions the generation cache computed so far (a prompt extending the last text reuses it). */
  get generationPositions(): number {
    const h = this.handle;
    return this.rt.invoke((m) => m.generationPositions(h));
  }

  override dispose(): void {
    this.#chat?.dispose();
    this.#chat = undefined;
    super.dispose();
  }

  async toHuggingFace(options: HuggingFaceExportOptions = {}): Promise<HuggingFaceFiles> {
    const json = exportOptionsJson(options);
    const h = this.handle;
    return this.rt.invoke((m) => m.modelToHuggingFace(h, json)) as HuggingFaceFiles;
  }

  async save(options: SaveOptions = {}): Promise<Uint8Array> {
    const json = saveOptionsJson(options, 'save');
    const h = this.handle;
    return this.rt.invoke(() => h.save(json)) as Uint8Array;
  }

  async toGguf(options: SaveOptions = {}): Promise<Uint8Array> {
    const json = saveOptionsJson(options, 'toGguf');
    const h = this.handle;
    return this.rt.invoke(() => h.toGguf(json)) as Uint8Array;
  }

  async adapterInfo(): Promise<AdapterInfo | undefined> {
    const h = this.handle;
    return adapterInfo(this.rt.invoke(() => h.adapterJson()));
  }

  async loadAdapter(bytes: Uint8Array): Promise<LoadedAdapterInfo> {
    if (!(bytes instanceof Uint8Array)) throw new SllmInvalidArgumentError('loadAdapter needs the file as a Uint8Array');
    const h = this.handle;
    const info = loadedAdapterInfo(this.rt.invoke(() => h.loadAdapter(bytes)));
    this.weightsChanged();
    return info;
  }

  async saveAdapter(options?: AdapterSaveOptions): Promise<Uint8Array> {
    const json = adapterSaveJson(options);
    const h = this.handle;
    return this.rt.invoke(() => h.saveAdapter(json)) as Uint8Array;
  }

  async mergeAdapter(): Promise<void> {
    const h = this.handle;
    this.rt.invoke(() => h.mergeAdapter());
    this.weightsChanged();
  }

  async removeAdapter(): Promise<void> {
    const h = this.handle;
    this.rt.invoke(() => h.removeAdapter());
    this.weightsChanged();
  }

  async setAdapterEnabled(enabled: boolean): Promise<void> {
    const h = this.handle;
    this.rt.invoke(() => h.setAdapterEnabled(enabled === true));
    this.weightsChanged();
  }
}

/** The checked options of save() and toGguf() as the core reads them. */
function saveOptionsJson(options: SaveOptions, what: string): string {
  const { dtype, metadata, ...rest } = options;
  const unknown = Object.keys(rest);
  if (unknown.length) throw new SllmInvalidArgumentError(`unknown ${what} option "${unknown[0]}"; use dtype, metadata`);
  return JSON.stringify({ dtype, metadata: checkMetadata(metadata, what) });
}
