// types/huggingface.ts: Hugging Face model folders in the package's interface: the files as a
// name -> bytes record, and the options of importing and exporting one.

/**
 * A Hugging Face model folder's files by name (`config.json`, `model.safetensors` or its shards
 * and `model.safetensors.index.json`, `tokenizer.json`, `tokenizer_config.json`, ...). Names may
 * carry directories (as a dropped folder gives them); only the last part counts.
 */
export type HuggingFaceFiles = Record<string, Uint8Array>;

/** Options of {@link Engine.importHuggingFace}. */
export interface ImportHuggingFaceOptions {
  /** Cap the context length (e.g. 4096 for a 128k-context model, to bound generation memory). */
  maxContext?: number;
  /**
   * A Worker engine: hand the files' buffers over instead of copying them (each file whose bytes
   * span their whole ArrayBuffer is detached afterwards). Default false.
   */
  transfer?: boolean;
}

/** Weight formats of an exported folder (safetensors dtypes). */
export type HuggingFaceDType = 'f32' | 'f16' | 'bf16';

/** Options of {@link Model.toHuggingFace}. */
export interface HuggingFaceExportOptions {
  /** Format of all weights. Default f32. */
  dtype?: HuggingFaceDType;
  /** String metadata stored in model.safetensors' header. */
  metadata?: Record<string, string>;
}
