// messages.ts: turns any failure into one sentence a person can act on. The package's errors
// are recognised by name (not instanceof), so errors re-created on this side of a Worker
// boundary read the same. The core's own message (what went wrong) is kept at the end.

import { formatBytes } from './dom.js';

interface ErrorLike {
  name?: string;
  message?: string;
  needed?: number;
  available?: number;
}

/** What to tell the user about `e`, which happened while doing `action` (e.g. "Loading the file"). */
export function describeError(e: unknown, action: string): string {
  const err: ErrorLike = typeof e === 'object' && e !== null ? (e as ErrorLike) : { message: String(e) };
  const detail = err.message ? ` (${err.message.replace(/\.$/, '')})` : '';
  switch (err.name) {
    case 'SllmAdapterFileError':
      return `${action} failed: this is a LoRA adapter, not a model${detail}. Open or load the model it was trained on first, then open the adapter.`;
    case 'SllmFormatError':
      if (/Hugging Face/.test(action)) return `${action} failed: it is not a model sllm can import${detail}. Nothing was changed.`;
      return `${action} failed: this is not a model file sllm can read (.sllm, or a .gguf of architecture gpt2 or llama)${detail}. Nothing was changed.`;
    case 'SllmQuotaError': {
      const need = err.needed !== undefined ? ` It needs ${formatBytes(err.needed)}` : '';
      const have = err.available !== undefined ? `, ${formatBytes(err.available)} is available` : '';
      return `${action} failed: not enough storage.${need}${have}. Delete saved models, save a smaller format (f16 or q8_0), or ask for persistent storage.`;
    }
    case 'SllmStorageError':
      return `${action} failed: the browser's storage refused${detail}. Private windows and full disks can cause this.`;
    case 'SllmNotFoundError':
      return `${action} failed: that model is no longer saved${detail}. The list has been refreshed.`;
    case 'SllmOutOfMemoryError':
      return `${action} failed: ${err.message ?? 'out of memory'}. Choose a smaller model, batch size or sequence length; nothing else changed.`;
    case 'SllmTrainingError':
      return `Training stopped: ${err.message ?? 'the loss diverged'}. The weights may be broken now: train a new model with a lower learning rate, or with gradient clipping on.`;
    case 'SllmConfigError':
      return `${action} failed: a setting is not valid${detail}.`;
    case 'SllmDataError':
      return `${action} failed: the text cannot be used for training${detail}. Use more text or a shorter sequence length.`;
    case 'SllmTokenizerError':
      return `${action} failed: the text has something the model's vocabulary cannot express${detail}.`;
    case 'SllmLoadError':
      return `The WebAssembly engine could not be loaded${detail}. Reload the page; a current browser is needed.`;
    case 'SllmDisposedError':
      return `${action} failed: the model was replaced or freed in the meantime. Try again.`;
    case 'SllmRequestError':
      return `${action} failed: ${err.message ?? 'the request was refused'}.`;
    case 'AbortError':
      return `${action} was cancelled.`;
    default:
      return `${action} failed${detail || '.'}${detail ? '.' : ''}`;
  }
}
