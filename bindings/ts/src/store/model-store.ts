// store/model-store.ts: openModelStore() and the ModelStore over IndexedDB, independent of the
// wasm engine. It checks the caller's arguments, reads what list() shows from the SLLM file
// itself (sllm-file.ts), keeps the database connection (reopened after another tab's upgrade
// or the browser closed it) and turns IndexedDB's failures into SllmErrors. The database
// layout and its transactions are in catalog.ts; the storage quota and persistence in quota.ts.

import { SllmDisposedError, SllmError, SllmFormatError, SllmInvalidArgumentError, SllmStorageError } from '../errors.js';
import { checkMetadata } from '../metadata.js';
import {
  corrupt,
  deleteModel,
  describeFailure,
  openCatalog,
  readAllInfo,
  readInfo,
  readVersion,
  renameModel,
  writeVersion,
  type Db,
} from './catalog.js';
import { persistStorage, storageEstimate, storagePersisted } from './quota.js';
import { readSllmFile } from './sllm-file.js';
import type { ModelStore, ModelStoreOptions, ModelStoreSaveOptions, SavedModelInfo } from './types.js';

const DEFAULT_CHUNK_BYTES = 4 << 20;

const copyInfo = (i: SavedModelInfo): SavedModelInfo => ({
  ...i,
  arch: { ...i.arch },
  metadata: { ...i.metadata },
  ...(i.adapter ? { adapter: { ...i.adapter } } : {}),
});

function checkName(name: unknown, what = 'name'): string {
  if (typeof name !== 'string' || name === '')
    throw new SllmInvalidArgumentError(`the model store needs a non-empty string as the ${what}, not ${String(name)}`);
  return name;
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
    if (!this.#db) this.#db = openCatalog(this.#name, () => (this.#db = undefined));
    return this.#db;
  }

  /** Runs an operation, turning IndexedDB failures into SllmErrors. */
  async #guard<T>(what: string, op: (db: Db) => Promise<T>): Promise<T> {
    const db = await this.open();
    try {
      return await op(db);
    } catch (e) {
      if (e instanceof SllmError) throw e;
      throw new SllmStorageError(`IndexedDB failed while ${what} (${describeFailure(e)})`, { cause: e });
    }
  }

  async save(name: string, bytes: Uint8Array, options: ModelStoreSaveOptions = {}): Promise<SavedModelInfo> {
    checkName(name);
    if (!(bytes instanceof Uint8Array))
      throw new SllmInvalidArgumentError('save needs the SLLM file as a Uint8Array (from model.save())');
    const extra = { ...checkMetadata(options?.metadata, 'save') };
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
      ...(facts.adapter ? { adapter: facts.adapter } : {}),
      metadata: { ...facts.metadata, ...extra },
    };
    await this.#guard(`saving "${name}"`, writeVersion(info, bytes, this.#chunkBytes));
    return copyInfo(info);
  }

  async load(name: string): Promise<Uint8Array> {
    checkName(name);
    const out = await this.#guard(`loading "${name}"`, (db) => readVersion(db, name));
    try {
      readSllmFile(out);
    } catch (e) {
      throw corrupt(name, (e as Error).message);
    }
    return out;
  }

  async info(name: string): Promise<SavedModelInfo | undefined> {
    checkName(name);
    const info = await this.#guard(`reading "${name}"`, (db) => readInfo(db, name));
    return info && copyInfo(info);
  }

  async list(): Promise<SavedModelInfo[]> {
    const all = await this.#guard('listing saved models', readAllInfo);
    return all.map(copyInfo);
  }

  async delete(name: string): Promise<void> {
    checkName(name);
    await this.#guard(`deleting "${name}"`, (db) => deleteModel(db, name));
  }

  async rename(from: string, to: string): Promise<void> {
    checkName(from, 'current name');
    checkName(to, 'new name');
    await this.#guard(`renaming "${from}"`, (db) => renameModel(db, from, to));
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

  persist(): Promise<boolean> {
    return persistStorage();
  }

  persisted(): Promise<boolean> {
    return storagePersisted();
  }

  close(): void {
    this.#closed = true;
    const db = this.#db;
    this.#db = undefined;
    void db?.then((d) => d.close(), () => {});
  }
}
