// model-store.ts: openModelStore(), saved models in IndexedDB (through the `idb` wrapper),
// independent of the wasm engine. Two object stores: `models`, the catalog (one entry per
// name: its current version id, size and the facts list() shows), and `chunks`, the file's
// bytes in pieces of at most chunkBytes under the key [version id, index]. A save writes the
// new version's chunks, the catalog entry and the deletion of the previous version's chunks in
// one readwrite transaction over both stores, so it happens entirely or not at all: a quota
// error, a failed write or a closed tab rolls all of it back and the previous version stays.

import { openDB, type DBSchema, type IDBPDatabase, type IDBPTransaction } from 'idb';
import {
  SllmDisposedError,
  SllmError,
  SllmFormatError,
  SllmInvalidArgumentError,
  SllmNotFoundError,
  SllmQuotaError,
  SllmStorageError,
} from '../errors.js';
import { readSllmFile, type SavedModelArch } from './sllm-file.js';

export type { SavedModelArch } from './sllm-file.js';

/** Options of {@link openModelStore}. */
export interface ModelStoreOptions {
  /** IndexedDB database name (default `'sllm'`). Stores of different names are independent. */
  name?: string;
  /** Largest piece a file is stored in, in bytes (default 4 MiB). Affects new saves only. */
  chunkBytes?: number;
}

/** What the store knows about a saved model, without loading it. */
export interface SavedModelInfo {
  /** The name it is saved under. */
  name: string;
  /** Size of the .sllm file in bytes. */
  bytes: number;
  /** A model, or a training checkpoint (which {@link Engine.resumeTrainer} continues). */
  kind: 'model' | 'checkpoint';
  /** When it was saved (ISO 8601). */
  savedAt: string;
  /** Its architecture. */
  arch: SavedModelArch;
  /** The tokenizer type: `'char'`, `'bpe'` or `'word'`. */
  tokenizer: string;
  /** The dtype of most of its weight values (`'f32'`, `'f16'`, `'q8_0'`, `'q4_0'`). */
  dtype: string;
  /** Optimizer steps done, for checkpoints. */
  step?: number;
  /** The file's metadata, overlaid with the `metadata` given to {@link ModelStore.save}. */
  metadata: Record<string, string>;
}

/** Options of {@link ModelStore.save}. */
export interface ModelStoreSaveOptions {
  /**
   * Strings kept with the saved model (shown by info() and list(), over the file's own
   * metadata). The file's bytes are stored unchanged, so these are not part of exportBlob().
   */
  metadata?: Record<string, string>;
}

/** Saved models in the browser's IndexedDB (see {@link openModelStore}). */
export interface ModelStore {
  /**
   * Saves an SLLM file under name, replacing any model of that name. Atomic: if it fails
   * (SllmQuotaError, SllmStorageError, the tab closes) the previous version stays intact.
   * Throws SllmFormatError for bytes that are not a valid SLLM file.
   */
  save(name: string, bytes: Uint8Array, options?: ModelStoreSaveOptions): Promise<SavedModelInfo>;
  /** The saved file's bytes, checksum verified: SllmFormatError if corrupt, SllmNotFoundError if absent. */
  load(name: string): Promise<Uint8Array>;
  /** What is known about a saved model, or undefined when there is none of that name. */
  info(name: string): Promise<SavedModelInfo | undefined>;
  /** Every saved model, newest first. */
  list(): Promise<SavedModelInfo[]>;
  /** Deletes a saved model (nothing happens when there is none of that name). */
  delete(name: string): Promise<void>;
  /** Renames a saved model: SllmNotFoundError if `from` is absent, SllmInvalidArgumentError if `to` exists. */
  rename(from: string, to: string): Promise<void>;
  /** The saved .sllm file (checksum verified) as a Blob of type application/octet-stream, e.g. to download. */
  exportBlob(name: string): Promise<Blob>;
  /**
   * Saves a .sllm file (e.g. a File from an `<input type="file">`), validated before anything
   * is written (SllmFormatError). The name defaults to the file's `metadata.name`, else the
   * File's name without `.sllm`, else `'model'`.
   */
  importBlob(blob: Blob, name?: string): Promise<SavedModelInfo>;
  /** navigator.storage.estimate(): bytes used by this site and its quota (NaN where the browser cannot tell). */
  estimate(): Promise<{ usage: number; quota: number }>;
  /** Asks the browser to keep this site's storage under storage pressure (navigator.storage.persist()). */
  persist(): Promise<boolean>;
  /** True when the browser has granted persistent storage (navigator.storage.persisted()). */
  persisted(): Promise<boolean>;
  /** Closes the database connection; the store cannot be used afterwards. */
  close(): void;
}

interface CatalogEntry {
  name: string;
  /** Id of this version's chunks. */
  version: string;
  bytes: number;
  chunkCount: number;
  /** High-resolution save time, to sort saves of the same millisecond. */
  time: number;
  info: SavedModelInfo;
}

interface StoreSchema extends DBSchema {
  models: { key: string; value: CatalogEntry };
  chunks: { key: [string, number]; value: Uint8Array };
}

type Db = IDBPDatabase<StoreSchema>;

const DEFAULT_CHUNK_BYTES = 4 << 20;
const MB = (n: number) => `${(n / 1e6).toFixed(1)} MB`;

const chunkRange = (version: string) => IDBKeyRange.bound([version, 0], [version, Infinity]);

const copyInfo = (i: SavedModelInfo): SavedModelInfo => ({ ...i, arch: { ...i.arch }, metadata: { ...i.metadata } });

function newVersionId(): string {
  const r = new Uint32Array(2);
  globalThis.crypto.getRandomValues(r);
  return `${Date.now().toString(36)}-${r[0].toString(36)}${r[1].toString(36)}`;
}

function hiresNow(): number {
  const p = globalThis.performance;
  return p && typeof p.timeOrigin === 'number' ? p.timeOrigin + p.now() : Date.now();
}

function checkName(name: unknown, what = 'name'): string {
  if (typeof name !== 'string' || name === '')
    throw new SllmInvalidArgumentError(`the model store needs a non-empty string as the ${what}, not ${String(name)}`);
  return name;
}

function checkMetadata(metadata: unknown): Record<string, string> {
  if (metadata === undefined) return {};
  if (typeof metadata !== 'object' || metadata === null || Array.isArray(metadata))
    throw new SllmInvalidArgumentError('save metadata must be an object of strings');
  for (const [k, v] of Object.entries(metadata))
    if (typeof v !== 'string') throw new SllmInvalidArgumentError(`metadata "${k}" must be a string`);
  return { ...(metadata as Record<string, string>) };
}

const errorName = (e: unknown) => (typeof e === 'object' && e !== null ? (e as { name?: unknown }).name : undefined);

/** Storage estimate, NaN where unsupported (Node, insecure contexts). */
async function storageEstimate(): Promise<{ usage: number; quota: number }> {
  const storage = (globalThis as { navigator?: { storage?: StorageManager } }).navigator?.storage;
  if (typeof storage?.estimate !== 'function') return { usage: NaN, quota: NaN };
  const { usage, quota } = await storage.estimate();
  return { usage: usage ?? NaN, quota: quota ?? NaN };
}

async function quotaError(what: string, needed: number, cause: unknown): Promise<SllmQuotaError> {
  let usage = NaN;
  let quota = NaN;
  try {
    ({ usage, quota } = await storageEstimate());
  } catch {
    // leave them unknown
  }
  const available = Math.max(0, quota - usage);
  const site = `(${MB(usage)} used of its ${MB(quota)} quota)`;
  const room = Number.isNaN(available)
    ? 'but the browser refused to store it and does not say how much room there is'
    : available < needed
      ? `but only ${MB(available)} is available to this site ${site}`
      : `and the browser reports ${MB(available)} available to this site ${site} but refused to store it: ` +
        'its storage or the disk is full';
  return new SllmQuotaError(
    `not enough storage for ${what}: it needs ${MB(needed)} ${room}. Delete saved models you no longer ` +
      'need (ModelStore.delete), save a smaller file (model.save({ dtype: "q8_0" }) or "q4_0"), or free disk ' +
      'space; ModelStore.persist() asks the browser not to evict what is stored',
    needed,
    available,
    { cause },
  );
}

/**
 * Opens (creating it if needed) the IndexedDB database of saved models. Needs no engine: it
 * reads what it shows of SLLM files itself. Rejects with SllmStorageError where IndexedDB is
 * unavailable (e.g. some private browsing modes, opaque origins).
 */
export async function openModelStore(options: ModelStoreOptions = {}): Promise<ModelStore> {
  if (typeof options !== 'object' || options === null)
    throw new SllmInvalidArgumentError('openModelStore options must be an object: { name?, chunkBytes? }');
  const name = options.name === undefined ? 'sllm' : checkName(options.name, 'database name');
  const chunkBytes = options.chunkBytes ?? DEFAULT_CHUNK_BYTES;
  if (!Number.isSafeInteger(chunkBytes) || chunkBytes < 1 || chunkBytes > 256 << 20)
    throw new SllmInvalidArgumentError(`chunkBytes must be a whole number of bytes from 1 to 256 MiB, not ${chunkBytes}`);
  const store = new IdbModelStore(name, chunkBytes);
  await store.open();
  return store;
}

class IdbModelStore implements ModelStore {
  readonly #name: string;
  readonly #chunkBytes: number;
  #db: Promise<Db> | undefined;
  #closed = false;

  constructor(name: string, chunkBytes: number) {
    this.#name = name;
    this.#chunkBytes = chunkBytes;
  }

  /** @internal Opens the connection (again, after another tab's upgrade or the browser closed it). */
  async open(): Promise<Db> {
    if (this.#closed) throw new SllmDisposedError('this model store has been closed; open it again with openModelStore()');
    if (!this.#db) {
      const idb = (globalThis as { indexedDB?: IDBFactory }).indexedDB;
      if (!idb) throw new SllmStorageError('IndexedDB is not available here, so models cannot be saved in this browser');
      const forget = (db: Db | undefined) => {
        db?.close();
        this.#db = undefined;
      };
      const opening: Promise<Db> = openDB<StoreSchema>(this.#name, 1, {
        upgrade(db) {
          db.createObjectStore('models', { keyPath: 'name' });
          db.createObjectStore('chunks');
        },
        // another tab wants a newer version: let it, and reopen on our next operation
        blocking: () => void opening.then(forget),
        terminated: () => forget(undefined),
      }).catch((e: unknown) => {
        this.#db = undefined;
        throw new SllmStorageError(
          `IndexedDB database "${this.#name}" cannot be opened (${String(errorName(e))}: ${(e as Error)?.message}); ` +
            'saving models needs IndexedDB, which some private browsing modes and sandboxed pages lack',
          { cause: e },
        );
      });
      this.#db = opening;
    }
    return this.#db;
  }

  /** Runs an operation, turning IndexedDB failures into SllmErrors. */
  async #guard<T>(what: string, op: (db: Db) => Promise<T>): Promise<T> {
    const db = await this.open();
    try {
      return await op(db);
    } catch (e) {
      if (e instanceof SllmError) throw e;
      throw new SllmStorageError(`IndexedDB failed while ${what} (${String(errorName(e))}: ${(e as Error)?.message})`, {
        cause: e,
      });
    }
  }

  async save(name: string, bytes: Uint8Array, options: ModelStoreSaveOptions = {}): Promise<SavedModelInfo> {
    checkName(name);
    if (!(bytes instanceof Uint8Array))
      throw new SllmInvalidArgumentError('save needs the SLLM file as a Uint8Array (from model.save())');
    const extra = checkMetadata(options?.metadata);
    return this.#write(name, bytes, extra);
  }

  async #write(name: string, bytes: Uint8Array, extra: Record<string, string>): Promise<SavedModelInfo> {
    const facts = readSllmFile(bytes);
    const info: SavedModelInfo = {
      name,
      bytes: bytes.length,
      kind: facts.kind,
      savedAt: new Date().toISOString(),
      arch: facts.arch,
      tokenizer: facts.tokenizer,
      dtype: facts.dtype,
      ...(facts.step !== undefined ? { step: facts.step } : {}),
      metadata: { ...facts.metadata, ...extra },
    };
    const version = newVersionId();
    const size = this.#chunkBytes;
    const chunkCount = Math.max(1, Math.ceil(bytes.length / size));
    const entry: CatalogEntry = { name, version, bytes: bytes.length, chunkCount, time: hiresNow(), info };
    await this.#guard(`saving "${name}"`, async (db) => {
      const tx = db.transaction(['models', 'chunks'], 'readwrite');
      const models = tx.objectStore('models');
      const chunks = tx.objectStore('chunks');
      const pending: Promise<unknown>[] = [];
      const track = <T>(p: Promise<T>): Promise<T> => {
        p.catch(() => {}); // failures are seen through Promise.all (and tx.done) below
        pending.push(p);
        return p;
      };
      try {
        track(tx.done);
        const previous = track(models.get(name));
        // slice(): each chunk its own buffer (cloning a subarray would clone the whole buffer)
        for (let i = 0; i < chunkCount; i++) track(chunks.put(bytes.slice(i * size, (i + 1) * size), [version, i]));
        track(models.put(entry));
        track(previous.then((old) => (old ? chunks.delete(chunkRange(old.version)) : undefined)));
        await Promise.all(pending);
      } catch (e) {
        abortQuietly(tx);
        if (errorName(e) === 'QuotaExceededError' || errorName(tx.error) === 'QuotaExceededError')
          throw await quotaError(`saving "${name}"`, bytes.length, tx.error ?? e);
        throw e;
      }
    });
    return copyInfo(info);
  }

  async load(name: string): Promise<Uint8Array> {
    checkName(name);
    const out = await this.#guard(`loading "${name}"`, async (db) => {
      const tx = db.transaction(['models', 'chunks'], 'readonly');
      const entry = await tx.objectStore('models').get(name);
      if (!entry) throw notFound(name);
      const bytes = new Uint8Array(entry.bytes);
      let at = 0;
      let count = 0;
      let cursor = await tx.objectStore('chunks').openCursor(chunkRange(entry.version));
      while (cursor) {
        const chunk = cursor.value;
        if (!(chunk instanceof Uint8Array) || chunk.length > bytes.length - at) throw corrupt(name, 'its pieces do not add up');
        bytes.set(chunk, at);
        at += chunk.length;
        count++;
        cursor = await cursor.continue();
      }
      if (count !== entry.chunkCount || at !== entry.bytes)
        throw corrupt(name, `${count} of its ${entry.chunkCount} pieces are stored`);
      return bytes;
    });
    try {
      readSllmFile(out);
    } catch (e) {
      throw corrupt(name, (e as Error).message);
    }
    return out;
  }

  async info(name: string): Promise<SavedModelInfo | undefined> {
    checkName(name);
    const entry = await this.#guard(`reading "${name}"`, (db) => db.get('models', name));
    return entry && copyInfo(entry.info);
  }

  async list(): Promise<SavedModelInfo[]> {
    const all = await this.#guard('listing saved models', (db) => db.getAll('models'));
    return all.sort((a, b) => b.time - a.time || (a.name < b.name ? -1 : 1)).map((e) => copyInfo(e.info));
  }

  async delete(name: string): Promise<void> {
    checkName(name);
    await this.#guard(`deleting "${name}"`, async (db) => {
      const tx = db.transaction(['models', 'chunks'], 'readwrite');
      const entry = await tx.objectStore('models').get(name);
      await Promise.all([
        entry && tx.objectStore('models').delete(name),
        entry && tx.objectStore('chunks').delete(chunkRange(entry.version)),
        tx.done,
      ]);
    });
  }

  async rename(from: string, to: string): Promise<void> {
    checkName(from, 'current name');
    checkName(to, 'new name');
    await this.#guard(`renaming "${from}"`, async (db) => {
      const tx = db.transaction('models', 'readwrite');
      const models = tx.objectStore('models');
      const [src, dst] = await Promise.all([models.get(from), models.get(to)]);
      if (!src) throw notFound(from);
      if (from === to) return;
      if (dst)
        throw new SllmInvalidArgumentError(
          `cannot rename "${from}" to "${to}": a saved model of that name exists; delete or rename it first`,
        );
      await Promise.all([models.delete(from), models.put({ ...src, name: to, info: { ...src.info, name: to } }), tx.done]);
    });
  }

  async exportBlob(name: string): Promise<Blob> {
    return new Blob([(await this.load(name)) as Uint8Array<ArrayBuffer>], { type: 'application/octet-stream' });
  }

  async importBlob(blob: Blob, name?: string): Promise<SavedModelInfo> {
    if (typeof Blob !== 'function' || !(blob instanceof Blob))
      throw new SllmInvalidArgumentError('importBlob needs a Blob or File (e.g. from <input type="file">)');
    if (name !== undefined) checkName(name);
    const bytes = new Uint8Array(await blob.arrayBuffer());
    const fileName = (blob as { name?: unknown }).name;
    const label = typeof fileName === 'string' && fileName ? `"${fileName}"` : 'the imported file';
    let fileMetaName: string | undefined;
    try {
      fileMetaName = readSllmFile(bytes).metadata.name;
    } catch (e) {
      throw new SllmFormatError(`${label} is not a valid model: ${(e as Error).message}`, { cause: e });
    }
    const fromFile = typeof fileName === 'string' ? fileName.replace(/\.sllm$/i, '') : '';
    return this.#write(name ?? (fileMetaName || fromFile || 'model'), bytes, {});
  }

  estimate(): Promise<{ usage: number; quota: number }> {
    return storageEstimate();
  }

  async persist(): Promise<boolean> {
    const storage = (globalThis as { navigator?: { storage?: StorageManager } }).navigator?.storage;
    return typeof storage?.persist === 'function' ? storage.persist() : false;
  }

  async persisted(): Promise<boolean> {
    const storage = (globalThis as { navigator?: { storage?: StorageManager } }).navigator?.storage;
    return typeof storage?.persisted === 'function' ? storage.persisted() : false;
  }

  close(): void {
    this.#closed = true;
    const db = this.#db;
    this.#db = undefined;
    void db?.then((d) => d.close(), () => {});
  }
}

function abortQuietly(tx: IDBPTransaction<StoreSchema, ('models' | 'chunks')[], 'readwrite'>): void {
  try {
    tx.abort();
  } catch {
    // already finished or aborted
  }
}

const notFound = (name: string) =>
  new SllmNotFoundError(`no saved model is named "${name}"; ModelStore.list() shows the saved ones`);

const corrupt = (name: string, why: string) =>
  new SllmFormatError(`the saved model "${name}" is corrupt (${why}); delete it and save it again`);
