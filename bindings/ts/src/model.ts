// model.ts (internal): the main-thread Model over a C++ ModelHandle: generation (streamed one
// token per wasm call, yielding to the event loop every few milliseconds) and saving.

import { wellFormed } from './text.js';
import { joinPieces } from './engine-common.js';
import { SllmInvalidArgumentError, throwIfAborted } from './errors.js';
import type { ModelHandle, SessionHandle } from './glue.js';
import { checkMetadata } from './metadata.js';
import { generateOptionsToJson, modelConfigFromJson, trainConfigFromJson } from './options.js';
import { Resource, type Runtime } from './runtime.js';
import type { WasmTokenizer } from './tokenizer.js';
import type { CheckpointInfo, GenerateOptions, KVCacheDType, Model, ModelConfig, ModelMemory, SaveOptions } from './types.js';
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
      weights: number; packed: boolean; kv_cache: number; scratch: number;
    };
    return { weights: m.weights, packed: m.packed, kvCache: m.kv_cache, scratch: m.scratch,
             total: m.weights + m.kv_cache + m.scratch };
  }

  async save(options: SaveOptions = {}): Promise<Uint8Array> {
    const { dtype, metadata, ...rest } = options;
    const unknown = Object.keys(rest);
    if (unknown.length) throw new SllmInvalidArgumentError(`unknown save option "${unknown[0]}"; use dtype, metadata`);
    const json = JSON.stringify({ dtype, metadata: checkMetadata(metadata, 'save') });
    const h = this.handle;
    return this.rt.invoke(() => h.save(json)) as Uint8Array;
  }
}
