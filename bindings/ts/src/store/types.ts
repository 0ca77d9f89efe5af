// store/types.ts: the public interface of the model store (`sllm/store`): openModelStore()'s
// options, the ModelStore, and what it tells about a saved model (SavedModelInfo,
// SavedModelArch) without loading it.

import type { openModelStore } from './model-store.js';

/** The architecture summary of a saved model. */
export interface SavedModelArch {
  /** `"gpt"` (or `"llama"` in files of other writers). */
  arch: string;
  layers: number;
  dim: number;
  heads: number;
  vocabSize: number;
  contextLength: number;
}

/** What the store tells about a saved LoRA adapter (see {@link SavedModelInfo.adapter}). */
export interface SavedAdapterInfo {
  /** The adapter's rank. */
  rank: number;
  /** The base model's checksum ("crc32:…"): the adapter loads only onto those weights. */
  base: string;
}

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
  /**
   * A model, a training checkpoint (which {@link Engine.resumeTrainer} continues), or a LoRA
   * adapter (loaded onto its base with model.loadAdapter(); a LoRA run's checkpoint is a
   * `'checkpoint'` with {@link SavedModelInfo.adapter} set).
   */
  kind: 'model' | 'checkpoint' | 'adapter';
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
  /** For LoRA adapters and LoRA runs' checkpoints: its rank and the checksum of the base it needs. */
  adapter?: SavedAdapterInfo;
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
