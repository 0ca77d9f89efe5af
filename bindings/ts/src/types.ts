// types.ts: the public interface of sllm, gathered from types/: the engine and the objects it
// creates (engine.ts), tokenizers (tokenizer.ts), models and generation (model.ts), training
// (training.ts), with their options and results. The main-thread engine (createEngine) and the
// Worker engine (createWorkerEngine) implement it; the package's modules import these types
// from here.

export type * from './types/engine.js';
export type * from './types/tokenizer.js';
export type * from './types/model.js';
export type * from './types/training.js';
export type * from './types/chat.js';
export type * from './types/huggingface.js';
export type * from './types/lora.js';
