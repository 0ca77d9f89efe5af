// index.ts: the sllm package's public entry point.
/**
 * sllm: train and run small transformer language models in the browser (or Node), on a C++
 * core compiled to WebAssembly.
 *
 * ```ts
 * const engine = await createEngine();
 * const tokenizer = await engine.createTokenizer({ type: 'char', text });
 * const model = await engine.createModel({ tokenizer, preset: 'tiny' });
 * const trainer = await engine.createTrainer(model, { text, maxSteps: 500 });
 * for await (const p of trainer.run()) console.log(p.step, p.loss);
 * console.log(await model.generate('To be', { maxTokens: 100 }));
 * ```
 * @packageDocumentation
 */
export { createEngine } from './engine.js';
export { createWorkerEngine, type WorkerEngineOptions, type WorkerLike } from './worker-engine.js';
export { simdSupported } from './loader.js';
export { openModelStore } from './store/model-store.js';
export type { ModelStore, ModelStoreOptions, ModelStoreSaveOptions, SavedAdapterInfo, SavedModelArch, SavedModelInfo } from './store/types.js';
export {
  AbortError,
  SllmAdapterFileError,
  SllmConfigError,
  SllmDataError,
  SllmDisposedError,
  SllmError,
  SllmFormatError,
  SllmInternalError,
  SllmInvalidArgumentError,
  SllmLoadError,
  SllmNotFoundError,
  SllmOutOfMemoryError,
  SllmQuotaError,
  SllmStorageError,
  SllmTokenizerError,
  SllmTrainingError,
  type SllmErrorCode,
} from './errors.js';
export { SllmRequestError, type SllmRequestErrorCode, type RequestErrorBody } from './chat/errors.js';
export { DEFAULT_CHAT_TEMPLATE, END_OF_TURN_MARKERS, renderChatTemplate, type TemplateContext, type TemplateMessage } from './chat/template.js';
export type * from './types.js';
