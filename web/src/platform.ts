// platform.ts: where the page gets its engine and its model store. Every other module imports
// them from here, so moving to the package's own createWorkerEngine() and openModelStore()
// is a change to this file only.
//
// STAND-IN until the package has them: the engine is the main-thread createEngine() and the
// store is a small IndexedDB store with the package's ModelStore interface (below).

import { createEngine, SllmError, SllmFormatError, type Engine } from 'sllm';

export interface SavedModelInfo {
  name: string;
  bytes: number;
  kind: 'model' | 'checkpoint';
  savedAt: string;
  arch: { arch: string; layers: number; dim: number; heads: number; vocabSize: number; contextLength: number };
  tokenizer: string;
  dtype: string;
  step?: number;
  metadata: Record<string, string>;
}

export interface ModelStore {
  save(name: string, bytes: Uint8Array, options?: { metadata?: Record<string, string> }): Promise<SavedModelInfo>;
  load(name: string): Promise<Uint8Array>;
  info(name: string): Promise<SavedModelInfo | undefined>;
  list(): Promise<SavedModelInfo[]>;
  delete(name: string): Promise<void>;
  rename(from: string, to: string): Promise<void>;
  exportBlob(name: string): Promise<Blob>;
  importBlob(blob: Blob, name?: string): Promise<SavedModelInfo>;
  estimate(): Promise<{ usage: number; quota: number }>;
  persist(): Promise<boolean>;
  close(): void;
}

export class SllmQuotaError extends SllmError {
  constructor(message: string, readonly needed: number, readonly available: number) {
    super('InvalidArgument', message);
    this.name = 'SllmQuotaError';
  }
}

export class SllmNotFoundError extends SllmError {
  constructor(message: string) {
    super('InvalidArgument', message);
    this.name = 'SllmNotFoundError';
  }
}

/** The engine the page trains and generates with. */
export function createAppEngine(): Promise<Engine> {
  return createEngine();
}

type Row = { info: SavedModelInfo; bytes: Uint8Array };

function describe(name: string, bytes: Uint8Array, metadata: Record<string, string>): SavedModelInfo {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const magic = bytes.length >= 16 ? String.fromCharCode(...bytes.subarray(0, 4)) : '';
  if (magic !== 'SLLM') throw new SllmFormatError('not an SLLM file: it does not start with "SLLM"');
  const headerBytes = view.getUint32(8, true);
  if (16 + headerBytes > bytes.length) throw new SllmFormatError('truncated SLLM file: the header runs past the end');
  let h: Record<string, any>;
  try {
    h = JSON.parse(new TextDecoder().decode(bytes.subarray(16, 16 + headerBytes)));
  } catch {
    throw new SllmFormatError('corrupt SLLM file: the header is not JSON');
  }
  const m = h.model ?? {};
  const matrix = (h.tensors ?? []).find((t: { name: string }) => t.name.endsWith('attn_q.weight'));
  return {
    name,
    bytes: bytes.length,
    kind: h.training ? 'checkpoint' : 'model',
    savedAt: new Date().toISOString(),
    arch: { arch: m.arch, layers: m.layers, dim: m.dim, heads: m.heads, vocabSize: m.vocab_size, contextLength: m.context_length },
    tokenizer: h.tokenizer?.type ?? '?',
    dtype: matrix?.dtype ?? 'f32',
    step: h.training?.step,
    metadata: { ...(h.metadata ?? {}), ...metadata },
  };
}

const req = <T>(r: IDBRequest<T>) =>
  new Promise<T>((resolve, reject) => ((r.onsuccess = () => resolve(r.result)), (r.onerror = () => reject(r.error))));

/** Opens the IndexedDB model store. */
export async function openModelStore(options: { name?: string } = {}): Promise<ModelStore> {
  const open = indexedDB.open(options.name ?? 'sllm-models', 1);
  open.onupgradeneeded = () => open.result.createObjectStore('models', { keyPath: 'info.name' });
  const db = await req(open);
  const tx = async <T>(mode: IDBTransactionMode, f: (s: IDBObjectStore) => IDBRequest<T>): Promise<T> => {
    const t = db.transaction('models', mode);
    const result = await req(f(t.objectStore('models')));
    await new Promise<void>((resolve, reject) => ((t.oncomplete = () => resolve()), (t.onerror = () => reject(t.error))));
    return result;
  };
  const get = async (name: string): Promise<Row> => {
    const row = (await tx('readonly', (s) => s.get(name))) as Row | undefined;
    if (!row) throw new SllmNotFoundError(`no saved model named "${name}"`);
    return row;
  };
  const estimate = async () => {
    const e = await navigator.storage.estimate();
    return { usage: e.usage ?? 0, quota: e.quota ?? 0 };
  };
  const store: ModelStore = {
    async save(name, bytes, opts = {}) {
      const info = describe(name, bytes, opts.metadata ?? {});
      const { usage, quota } = await estimate();
      if (usage + bytes.length > quota)
        throw new SllmQuotaError(`not enough storage for "${name}"`, bytes.length, Math.max(0, quota - usage));
      await tx('readwrite', (s) => s.put({ info, bytes: bytes.slice() }));
      return info;
    },
    load: async (name) => (await get(name)).bytes,
    info: async (name) => ((await tx('readonly', (s) => s.get(name))) as Row | undefined)?.info,
    list: async () => ((await tx('readonly', (s) => s.getAll())) as Row[]).map((r) => r.info),
    async delete(name) {
      await get(name);
      await tx('readwrite', (s) => s.delete(name));
    },
    async rename(from, to) {
      const row = await get(from);
      if (from === to) return;
      await tx('readwrite', (s) => s.put({ info: { ...row.info, name: to }, bytes: row.bytes }));
      await tx('readwrite', (s) => s.delete(from));
    },
    exportBlob: async (name) => new Blob([(await get(name)).bytes as BlobPart], { type: 'application/octet-stream' }),
    async importBlob(blob, name) {
      return store.save(name ?? 'imported', new Uint8Array(await blob.arrayBuffer()));
    },
    estimate,
    persist: () => navigator.storage.persist(),
    close: () => db.close(),
  };
  return store;
}
