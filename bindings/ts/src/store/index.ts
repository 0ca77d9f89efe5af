// store/index.ts: the model store on its own (`sllm/store`), for code that saves and lists
// models without loading the WebAssembly engine (it is also exported from the package index).
export { openModelStore } from './model-store.js';
export type { ModelStore, ModelStoreOptions, ModelStoreSaveOptions, SavedAdapterInfo, SavedModelArch, SavedModelInfo } from './types.js';
export {
  SllmDisposedError,
  SllmError,
  SllmFormatError,
  SllmInvalidArgumentError,
  SllmNotFoundError,
  SllmQuotaError,
  SllmStorageError,
  type SllmErrorCode,
} from '../errors.js';
