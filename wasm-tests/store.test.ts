// store.test.ts: the IndexedDB model store against fake-indexeddb: round trip, catalog
// operations, export/import, corruption caught on import and on load, atomic saves (a quota
// error or an abort in the middle of a save leaves the previous version), chunking, concurrent
// saves of one name, and the TypeScript SLLM reader (CRC-32 against zlib, the spec's checks).
import 'fake-indexeddb/auto';
import { crc32 as zlibCrc32 } from 'node:zlib';
import { afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import {
  createEngine,
  openModelStore,
  SllmDisposedError,
  SllmFormatError,
  SllmInvalidArgumentError,
  SllmNotFoundError,
  SllmQuotaError,
  SllmStorageError,
  type ModelStore,
} from '../dist/index.js';
import { crc32 } from '../dist/store/crc32.js';
import { readSllmFile } from '../dist/store/sllm-file.js';
import { expectError, QUICK, smallModel, TEXT } from './helpers.js';

let f32: Uint8Array;
let q4: Uint8Array;
let checkpoint: Uint8Array;
let other: Uint8Array; // a different f32 model of the same architecture

beforeAll(async () => {
  const engine = await createEngine();
  const { model } = await smallModel(engine);
  f32 = await model.save({ metadata: { name: 'tiny story model', author: 'test' } });
  q4 = await model.save({ dtype: 'q4_0' });
  const trainer = await engine.createTrainer(model, { text: TEXT, ...QUICK, maxSteps: 3 });
  for await (const _ of trainer.run());
  checkpoint = await trainer.saveCheckpoint();
  other = await model.save();
  engine.dispose();
});

let dbCount = 0;
const stores: ModelStore[] = [];
async function freshStore(chunkBytes?: number, name = `test-${++dbCount}`): Promise<ModelStore> {
  const store = await openModelStore({ name, chunkBytes });
  stores.push(store);
  return store;
}

afterEach(() => {
  for (const s of stores.splice(0)) s.close();
  vi.restoreAllMocks();
  vi.unstubAllGlobals();
});

/** The raw chunk records of database `name` (key [version, index] and value). */
async function rawChunks(name: string): Promise<{ key: [string, number]; value: Uint8Array }[]> {
  const db = await new Promise<IDBDatabase>((resolve, reject) => {
    const r = indexedDB.open(name);
    r.onsuccess = () => resolve(r.result);
    r.onerror = () => reject(r.error);
  });
  const out: { key: [string, number]; value: Uint8Array }[] = [];
  await new Promise<void>((resolve, reject) => {
    const c = db.transaction('chunks').objectStore('chunks').openCursor();
    c.onsuccess = () => {
      const cursor = c.result;
      if (!cursor) return resolve();
      out.push({ key: cursor.key as [string, number], value: cursor.value as Uint8Array });
      cursor.continue();
    };
    c.onerror = () => reject(c.error);
  });
  db.close();
  return out;
}

/** Replaces one stored chunk (as a bit flip on disk would). */
async function tamper(name: string, index: number, edit: (chunk: Uint8Array) => Uint8Array | undefined) {
  const chunks = await rawChunks(name);
  const db = await new Promise<IDBDatabase>((resolve) => {
    const r = indexedDB.open(name);
    r.onsuccess = () => resolve(r.result);
  });
  const tx = db.transaction('chunks', 'readwrite');
  const { key, value } = chunks[index];
  const edited = edit(value.slice());
  if (edited) tx.objectStore('chunks').put(edited, key);
  else tx.objectStore('chunks').delete(key);
  await new Promise((resolve) => (tx.oncomplete = resolve));
  db.close();
}

/**
 * Makes the nth put (0-based) into the chunks store fail the way a full disk does in a
 * browser: the request fails with QuotaExceededError and the transaction aborts with it.
 */
function failChunkPut(n: number, errorName = 'QuotaExceededError') {
  const original = IDBObjectStore.prototype.put; // fake-indexeddb's FDBObjectStore
  let count = 0;
  return vi.spyOn(IDBObjectStore.prototype, 'put').mockImplementation(function (this: IDBObjectStore, ...args) {
    if (this.name === 'chunks' && count++ === n) {
      const tx = this.transaction as unknown as {
        _execRequestAsync(r: { operation: () => unknown; source: unknown }): IDBRequest;
      };
      return tx._execRequestAsync({
        operation: () => {
          throw new DOMException('the disk is full', errorName);
        },
        source: this,
      }) as never;
    }
    return original.apply(this, args as never);
  });
}

describe('the SLLM reader in TypeScript', () => {
  it('computes zlib\'s CRC-32', () => {
    const data = new Uint8Array(10_007).map((_, i) => (i * 7919 + (i >> 3)) & 0xff);
    for (const n of [0, 1, 7, 8, 9, 63, 64, 1000, 10_007]) {
      expect(crc32(data.subarray(0, n))).toBe(zlibCrc32(data.subarray(0, n)));
      // incremental: the CRC of a prefix continues
      expect(crc32(data.subarray(n), crc32(data.subarray(0, n)))).toBe(zlibCrc32(data));
    }
  });

  it('reads what the catalog shows', () => {
    expect(readSllmFile(f32)).toEqual({
      kind: 'model',
      arch: { arch: 'gpt', layers: 2, dim: 32, heads: 2, vocabSize: expect.any(Number), contextLength: 32 },
      tokenizer: 'char',
      dtype: 'f32',
      metadata: { name: 'tiny story model', author: 'test' },
    });
    expect(readSllmFile(q4).dtype).toBe('q4_0');
    expect(readSllmFile(checkpoint)).toMatchObject({ kind: 'checkpoint', step: 3, dtype: 'f32' });
  });

  it('applies the spec\'s checks with the C++ reader\'s messages', () => {
    const edit = (f: (b: Uint8Array, v: DataView) => void, fixCrc = true) => {
      const b = f32.slice();
      const v = new DataView(b.buffer);
      f(b, v);
      if (fixCrc) v.setUint32(b.length - 4, crc32(b.subarray(0, b.length - 4)), true);
      return b;
    };
    const cases: [Uint8Array, RegExp][] = [
      [f32.subarray(0, 19), /at least 20 \(truncated\?\)/],
      [edit((b) => (b[0] = 0x58)), /bad magic/],
      [edit((_, v) => v.setUint32(4, 2, true)), /unsupported SLLM version 2; this build reads 1/],
      [edit((_, v) => v.setUint32(12, 48, true)), /alignment 48/],
      [edit((_, v) => v.setUint32(8, 1 << 30, true)), /exceeds 64 MiB/],
      [edit((b) => (b[b.length - 10] ^= 1), false), /checksum mismatch/],
      [f32.subarray(0, f32.length - 1), /checksum mismatch|runs past/],
      [edit((b) => (b[16] = 0x5b)), /not valid UTF-8 JSON|not a JSON object/],
    ];
    for (const [bytes, re] of cases) expect(() => readSllmFile(bytes)).toThrow(re);
    for (const [bytes] of cases) expect(() => readSllmFile(bytes)).toThrow(SllmFormatError);
    // a tensor entry whose nbytes disagrees with its shape (the header rewritten, CRC fixed)
    const headerBytes = new DataView(f32.buffer, f32.byteOffset).getUint32(8, true);
    const json = new TextDecoder().decode(f32.subarray(16, 16 + headerBytes));
    const bad = edit((b) => b.set(new TextEncoder().encode(json.replace(/"dtype":"f32"/, '"dtype":"f64"')), 16));
    expect(() => readSllmFile(bad)).toThrow(/unknown dtype "f64"/);
  });
});

describe('openModelStore', () => {
  it('saves, loads, lists, renames and deletes', async () => {
    const store = await freshStore();
    expect(await store.list()).toEqual([]);
    const info = await store.save('a', f32, { metadata: { note: 'first' } });
    expect(info).toMatchObject({
      name: 'a',
      bytes: f32.length,
      kind: 'model',
      dtype: 'f32',
      tokenizer: 'char',
      arch: { arch: 'gpt', layers: 2, dim: 32, heads: 2, contextLength: 32 },
      metadata: { name: 'tiny story model', author: 'test', note: 'first' },
    });
    expect(new Date(info.savedAt).toISOString()).toBe(info.savedAt);
    expect(await store.load('a')).toEqual(f32);
    await store.save('b', q4);
    await store.save('c', checkpoint);
    expect((await store.list()).map((i) => i.name)).toEqual(['c', 'b', 'a']);
    expect(await store.info('c')).toMatchObject({ kind: 'checkpoint', step: 3 });
    expect(await store.info('b')).toMatchObject({ dtype: 'q4_0', bytes: q4.length });
    expect(await store.info('nope')).toBeUndefined();

    await store.rename('a', 'a2');
    expect(await store.info('a')).toBeUndefined();
    expect(await store.info('a2')).toMatchObject({ name: 'a2', savedAt: info.savedAt });
    expect(await store.load('a2')).toEqual(f32);
    await expectError(store.rename('a2', 'b'), SllmInvalidArgumentError, /"b".*exists/);
    await expectError(store.rename('zz', 'yy'), SllmNotFoundError, /no saved model is named "zz"/);

    await store.delete('b');
    await store.delete('b'); // nothing to delete: no error
    expect((await store.list()).map((i) => i.name)).toEqual(['c', 'a2']);
    await expectError(store.load('b'), SllmNotFoundError);
    // replacing a model keeps one entry and the new bytes
    await store.save('a2', q4);
    expect(await store.load('a2')).toEqual(q4);
    expect((await store.list()).map((i) => i.name)).toEqual(['a2', 'c']);
  });

  it('survives a new connection (another page load)', async () => {
    const first = await freshStore(undefined, 'persist-test');
    await first.save('kept', f32);
    first.close();
    await expectError(first.list(), SllmDisposedError);
    const second = await freshStore(undefined, 'persist-test');
    expect(await second.load('kept')).toEqual(f32);
  });

  it('exports and imports files', async () => {
    const store = await freshStore();
    await store.save('m', f32);
    const blob = await store.exportBlob('m');
    expect(blob.type).toBe('application/octet-stream');
    expect(new Uint8Array(await blob.arrayBuffer())).toEqual(f32);
    // the name comes from the argument, the file's metadata.name, or the File's name
    expect((await store.importBlob(blob, 'copy')).name).toBe('copy');
    expect((await store.importBlob(blob)).name).toBe('tiny story model');
    expect((await store.importBlob(new File([q4 as Uint8Array<ArrayBuffer>], 'shakespeare.sllm'))).name).toBe('shakespeare');
    expect(await store.load('shakespeare')).toEqual(q4);
  });

  it('rejects corrupt files on import without writing anything', async () => {
    const store = await freshStore();
    await store.save('m', f32);
    const corrupt = f32.slice();
    corrupt[corrupt.length >> 1] ^= 0x40;
    await expectError(store.importBlob(new File([corrupt as Uint8Array<ArrayBuffer>], 'bad.sllm')), SllmFormatError, /"bad.sllm".*checksum mismatch/);
    await expectError(store.importBlob(new Blob([new TextEncoder().encode('hello')])), SllmFormatError, /at least 20/);
    await expectError(store.save('x', corrupt), SllmFormatError, /checksum/);
    expect((await store.list()).map((i) => i.name)).toEqual(['m']);
    expect((await rawChunks(`test-${dbCount}`)).length).toBe(1);
  });

  it('detects a corrupted or missing chunk when loading', async () => {
    const store = await freshStore(1000);
    const db = `test-${dbCount}`;
    await store.save('m', f32);
    await tamper(db, 3, (c) => ((c[17] ^= 1), c));
    await expectError(store.load('m'), SllmFormatError, /saved model "m" is corrupt \(checksum mismatch/);
    await expectError(store.exportBlob('m'), SllmFormatError);
    await store.save('n', q4);
    await tamper(db, (await rawChunks(db)).length - 2, () => undefined);
    await expectError(store.load('n'), SllmFormatError, /corrupt \(\d+ of its \d+ pieces are stored\)/);
    // info and list still work, and saving again repairs it
    expect((await store.info('m'))?.bytes).toBe(f32.length);
    await store.save('m', f32);
    expect(await store.load('m')).toEqual(f32);
  });

  it('stores large files in chunks of chunkBytes', async () => {
    const store = await freshStore(1000);
    await store.save('m', f32);
    const chunks = await rawChunks(`test-${dbCount}`);
    expect(chunks.length).toBe(Math.ceil(f32.length / 1000));
    expect(chunks.every((c, i) => c.key[1] === i && c.value.byteLength === Math.min(1000, f32.length - i * 1000))).toBe(true);
    // each chunk is its own small buffer, not a view of the whole file
    expect(chunks.every((c) => c.value.buffer.byteLength === c.value.byteLength)).toBe(true);
    expect(await store.load('m')).toEqual(f32);
    // a store opened with other chunkBytes reads it; new saves replace the old chunks
    const big = await openModelStore({ name: `test-${dbCount}` });
    stores.push(big);
    expect(await big.load('m')).toEqual(f32);
    await big.save('m', q4);
    expect((await rawChunks(`test-${dbCount}`)).length).toBe(1);
    expect(await store.load('m')).toEqual(q4);
  });

  it('keeps the previous version when a save runs out of quota part way', async () => {
    const store = await freshStore(1000);
    await store.save('m', f32);
    const before = await rawChunks(`test-${dbCount}`);
    vi.stubGlobal('navigator', {
      storage: { estimate: async () => ({ usage: 9_960_000, quota: 10_000_000 }) },
    });
    failChunkPut(5);
    const e = (await expectError(store.save('m', other), SllmQuotaError)) as SllmQuotaError;
    expect(e.code).toBe('Quota');
    expect(e.needed).toBe(other.length);
    expect(e.available).toBe(40_000);
    expect(e.message).toMatch(new RegExp(`needs ${(other.length / 1e6).toFixed(1)} MB but only 0.0 MB is available`));
    expect(e.message).toMatch(/\(10.0 MB used of its 10.0 MB quota\).*delete/is);
    vi.restoreAllMocks();
    expect(await store.load('m')).toEqual(f32);
    expect(await rawChunks(`test-${dbCount}`)).toEqual(before);
    // a new model that hits the quota leaves nothing behind either (here the browser claims room)
    vi.stubGlobal('navigator', { storage: { estimate: async () => ({ usage: 0, quota: 1e9 }) } });
    failChunkPut(2);
    await expectError(store.save('new', q4), SllmQuotaError, /reports 1000.0 MB available .* but refused to store it/);
    vi.restoreAllMocks();
    expect(await store.info('new')).toBeUndefined();
    expect((await store.list()).length).toBe(1);
    expect(await rawChunks(`test-${dbCount}`)).toEqual(before);
  });

  it('keeps the previous version when a save is interrupted', async () => {
    const store = await freshStore(1000);
    await store.save('m', f32);
    failChunkPut(3, 'UnknownError'); // a write error of the browser's storage
    await expectError(store.save('m', other), SllmStorageError, /saving "m".*UnknownError/);
    vi.restoreAllMocks();
    expect(await store.load('m')).toEqual(f32);
    // the transaction aborted from outside (as when the tab closes) while chunks are written
    const original = IDBObjectStore.prototype.put;
    let count = 0;
    vi.spyOn(IDBObjectStore.prototype, 'put').mockImplementation(function (this: IDBObjectStore, ...args) {
      const r = original.apply(this, args as never);
      const tx = this.transaction;
      if (this.name === 'chunks' && ++count === 4) queueMicrotask(() => tx.abort());
      return r;
    });
    await expectError(store.save('m', other), SllmStorageError, /AbortError/);
    vi.restoreAllMocks();
    expect(await store.load('m')).toEqual(f32);
    expect((await rawChunks(`test-${dbCount}`)).length).toBe(Math.ceil(f32.length / 1000));
  });

  it('serializes concurrent saves of one name: the last one wins, nothing is left over', async () => {
    const store = await freshStore(1000);
    const db = `test-${dbCount}`;
    const infos = await Promise.all([store.save('m', f32), store.save('m', q4), store.save('m', other)]);
    expect(infos.map((i) => i.bytes)).toEqual([f32.length, q4.length, other.length]);
    expect(await store.load('m')).toEqual(other);
    expect((await rawChunks(db)).length).toBe(Math.ceil(other.length / 1000));
    // two connections (two tabs) saving the same name at once
    const tab2 = await freshStore(700, db);
    await Promise.all([store.save('m', q4), tab2.save('m', f32)]);
    const bytes = await store.load('m');
    expect(bytes).toEqual(f32);
    expect((await rawChunks(db)).length).toBe(Math.ceil(f32.length / 700));
    expect((await tab2.list()).length).toBe(1);
  });

  it('reports storage estimates where the browser has them', async () => {
    const store = await freshStore();
    expect(await store.estimate()).toEqual({ usage: NaN, quota: NaN });
    expect(await store.persist()).toBe(false);
    vi.stubGlobal('navigator', {
      storage: {
        estimate: async () => ({ usage: 1, quota: 2 }),
        persist: async () => true,
        persisted: async () => true,
      },
    });
    expect(await store.estimate()).toEqual({ usage: 1, quota: 2 });
    expect(await store.persist()).toBe(true);
    expect(await store.persisted()).toBe(true);
  });

  it('checks its arguments', async () => {
    await expectError(openModelStore({ chunkBytes: 0 }), SllmInvalidArgumentError, /chunkBytes/);
    await expectError(openModelStore({ name: '' }), SllmInvalidArgumentError, /database name/);
    const store = await freshStore();
    await expectError(store.save('', f32), SllmInvalidArgumentError, /non-empty string/);
    await expectError(store.save('x', [1, 2] as unknown as Uint8Array), SllmInvalidArgumentError, /Uint8Array/);
    await expectError(store.save('x', f32, { metadata: { a: 1 as unknown as string } }), SllmInvalidArgumentError);
    await expectError(store.importBlob('x' as unknown as Blob), SllmInvalidArgumentError, /Blob/);
  });
});

it('says where IndexedDB is missing', async () => {
  vi.stubGlobal('indexedDB', undefined);
  await expectError(openModelStore(), SllmStorageError, /IndexedDB is not available/);
});
