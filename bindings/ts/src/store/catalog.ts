// store/catalog.ts (internal): the model store's IndexedDB database (through the `idb`
// wrapper) and the transactions over it. Two object stores: `models`, the catalog (one entry
// per name: its current version id, size and the facts list() shows), and `chunks`, the file's
// bytes in pieces of at most chunkBytes under the key [version id, index]. A save writes the
// new version's chunks, the catalog entry and the deletion of the previous version's chunks in
// one readwrite transaction over both stores, so it happens entirely or not at all: a quota
// error, a failed write or a closed tab rolls all of it back and the previous version stays.

import { openDB, type DBSchema, type IDBPDatabase, type IDBPTransaction } from 'idb';
import { SllmFormatError, SllmInvalidArgumentError, SllmNotFoundError, SllmStorageError } from '../errors.js';
import { quotaError } from './quota.js';
import type { SavedModelInfo } from './types.js';

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

/** An open database of saved models. */
export type Db = IDBPDatabase<StoreSchema>;

const chunkRange = (version: string) => IDBKeyRange.bound([version, 0], [version, Infinity]);

function newVersionId(): string {
  const r = new Uint32Array(2);
  globalThis.crypto.getRandomValues(r);
  return `${Date.now().toString(36)}-${r[0].toString(36)}${r[1].toString(36)}`;
}

function hiresNow(): number {
  const p = globalThis.performance;
  return p && typeof p.timeOrigin === 'number' ? p.timeOrigin + p.now() : Date.now();
}

const errorName = (e: unknown) => (typeof e === 'object' && e !== null ? (e as { name?: unknown }).name : undefined);

/** What an IndexedDB failure says of itself (`QuotaExceededError: ...`), for messages. */
export const describeFailure = (e: unknown) => `${String(errorName(e))}: ${(e as Error)?.message}`;

export const notFound = (name: string) =>
  new SllmNotFoundError(`no saved model is named "${name}"; ModelStore.list() shows the saved ones`);

export const corrupt = (name: string, why: string) =>
  new SllmFormatError(`the saved model "${name}" is corrupt (${why}); delete it and save it again`);

/**
 * Opens (creating it if needed) the database `name`. `lost` is called when the connection
 * cannot be used (it failed to open, the browser closed it, or another tab's upgrade needs it
 * closed): the next operation opens it again.
 */
export function openCatalog(name: string, lost: () => void): Promise<Db> {
  const idb = (globalThis as { indexedDB?: IDBFactory }).indexedDB;
  if (!idb) throw new SllmStorageError('IndexedDB is not available here, so models cannot be saved in this browser');
  const forget = (db: Db | undefined) => {
    db?.close();
    lost();
  };
  const opening: Promise<Db> = openDB<StoreSchema>(name, 1, {
    upgrade(db) {
      db.createObjectStore('models', { keyPath: 'name' });
      db.createObjectStore('chunks');
    },
    // another tab wants a newer version: let it, and reopen on our next operation
    blocking: () => void opening.then(forget),
    terminated: () => forget(undefined),
  }).catch((e: unknown) => {
    lost();
    throw new SllmStorageError(
      `IndexedDB database "${name}" cannot be opened (${describeFailure(e)}); ` +
        'saving models needs IndexedDB, which some private browsing modes and sandboxed pages lack',
      { cause: e },
    );
  });
  return opening;
}

/**
 * The save of `bytes` as `info.name`'s new version (its id and catalog entry made now): one
 * transaction that stores the chunks and the entry and deletes the previous version's chunks.
 * A refused write becomes SllmQuotaError.
 */
export function writeVersion(info: SavedModelInfo, bytes: Uint8Array, chunkBytes: number): (db: Db) => Promise<void> {
  const name = info.name;
  const version = newVersionId();
  const size = chunkBytes;
  const chunkCount = Math.max(1, Math.ceil(bytes.length / size));
  const entry: CatalogEntry = { name, version, bytes: bytes.length, chunkCount, time: hiresNow(), info };
  return async (db) => {
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
  };
}

/** The stored bytes of `name`'s current version: SllmNotFoundError if absent, SllmFormatError if pieces are missing. */
export async function readVersion(db: Db, name: string): Promise<Uint8Array> {
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
}

/** The catalog's facts of `name`, or undefined. */
export async function readInfo(db: Db, name: string): Promise<SavedModelInfo | undefined> {
  return (await db.get('models', name))?.info;
}

/** The catalog's facts of every saved model, newest first. */
export async function readAllInfo(db: Db): Promise<SavedModelInfo[]> {
  const all = await db.getAll('models');
  return all.sort((a, b) => b.time - a.time || (a.name < b.name ? -1 : 1)).map((e) => e.info);
}

/** Deletes `name`'s entry and chunks in one transaction (nothing when there is none). */
export async function deleteModel(db: Db, name: string): Promise<void> {
  const tx = db.transaction(['models', 'chunks'], 'readwrite');
  const entry = await tx.objectStore('models').get(name);
  await Promise.all([
    entry && tx.objectStore('models').delete(name),
    entry && tx.objectStore('chunks').delete(chunkRange(entry.version)),
    tx.done,
  ]);
}

/** Moves the entry of `from` to `to` (its chunks stay): SllmNotFoundError, or SllmInvalidArgumentError if `to` exists. */
export async function renameModel(db: Db, from: string, to: string): Promise<void> {
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
}

function abortQuietly(tx: IDBPTransaction<StoreSchema, ('models' | 'chunks')[], 'readwrite'>): void {
  try {
    tx.abort();
  } catch {
    // already finished or aborted
  }
}
