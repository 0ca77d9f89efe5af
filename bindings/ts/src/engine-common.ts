// engine-common.ts (internal): what both engines build the same way from their own objects:
// loadModel()'s LoadedModel from the loaded model and tokenizer, and a model's generate() as
// the pieces of its stream() joined. Used by engine.ts and model.ts (main thread) and by
// worker-engine.ts and worker-handles.ts (Worker engine).

import type { LoadedModel, Model, Tokenizer } from './types.js';

/** loadModel()'s result: the model, its tokenizer, and the file's facts the model already holds. */
export function loadedModel(model: Model, tokenizer: Tokenizer, header: Record<string, unknown>): LoadedModel {
  return {
    model,
    tokenizer,
    metadata: { ...model.metadata },
    isCheckpoint: model.checkpoint !== undefined,
    checkpoint: model.checkpoint,
    header,
  };
}

/** The whole text of a generation stream. */
export async function joinPieces(stream: AsyncIterable<string>): Promise<string> {
  let text = '';
  for await (const piece of stream) text += piece;
  return text;
}
