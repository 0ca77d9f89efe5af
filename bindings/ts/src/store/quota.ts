// store/quota.ts (internal): the browser's storage for the model store (navigator.storage):
// the usage and quota estimate, persistence, and the SllmQuotaError a save that does not fit
// becomes, with both sizes and what to do. Where navigator.storage is missing (Node, insecure
// contexts) the estimate is NaN and persistence is never granted.

import { SllmQuotaError } from '../errors.js';

const MB = (n: number) => `${(n / 1e6).toFixed(1)} MB`;

const storageManager = () => (globalThis as { navigator?: { storage?: StorageManager } }).navigator?.storage;

/** Storage estimate, NaN where unsupported (Node, insecure contexts). */
export async function storageEstimate(): Promise<{ usage: number; quota: number }> {
  const storage = storageManager();
  if (typeof storage?.estimate !== 'function') return { usage: NaN, quota: NaN };
  const { usage, quota } = await storage.estimate();
  return { usage: usage ?? NaN, quota: quota ?? NaN };
}

/** navigator.storage.persist(), false where unsupported. */
export async function persistStorage(): Promise<boolean> {
  const storage = storageManager();
  return typeof storage?.persist === 'function' ? storage.persist() : false;
}

/** navigator.storage.persisted(), false where unsupported. */
export async function storagePersisted(): Promise<boolean> {
  const storage = storageManager();
  return typeof storage?.persisted === 'function' ? storage.persisted() : false;
}

/** The SllmQuotaError of a write of `needed` bytes that the browser refused (`cause`). */
export async function quotaError(what: string, needed: number, cause: unknown): Promise<SllmQuotaError> {
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
