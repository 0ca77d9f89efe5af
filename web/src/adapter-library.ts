// adapter-library.ts: step 6's LoRA adapters: saving the current model's adapter alone, and
// loading a saved or opened adapter (or a LoRA run's checkpoint) onto the current model, which
// must be the base it was trained on (the engine refuses another with a message that says so).
// The saved list's words for adapters live here too.

import type { SavedModelInfo } from 'sllm';
import type { App } from './app.js';
import { formatInt } from './dom.js';
import { announce, setModelStatus } from './status.js';

/** The saved list's "Kind" column for adapters and LoRA runs' checkpoints (undefined for others). */
export function adapterKindText(info: SavedModelInfo): string | undefined {
  if (!info.adapter) return undefined;
  return info.kind === 'checkpoint'
    ? `LoRA checkpoint, rank ${info.adapter.rank}, step ${formatInt(info.step ?? 0)}`
    : `LoRA adapter, rank ${info.adapter.rank}`;
}

/** The current model's adapter as its own SLLM file (rejects when it carries none). */
export async function saveAdapterBytes(app: App, metadata: Record<string, string>): Promise<Uint8Array> {
  const cur = app.current;
  if (!cur?.adapter) throw new Error('the current model carries no LoRA adapter: fine-tune it with LoRA first (step 3)');
  return cur.model.saveAdapter({ metadata });
}

/**
 * Loads an adapter file (or a LoRA run's checkpoint) onto the current model, replacing any
 * adapter it carries. Throws when there is no model or it is not the adapter's base.
 */
export async function applyAdapter(app: App, bytes: Uint8Array, name: string): Promise<void> {
  const cur = app.current;
  if (!cur)
    throw new Error(`"${name}" is a LoRA adapter: load or open the model it was trained on first, then load the adapter onto it`);
  const info = await cur.model.loadAdapter(bytes);
  cur.trainer?.dispose();
  cur.trainer = undefined;
  cur.resumable = info.checkpoint !== undefined;
  cur.resumeStep = info.checkpoint?.step;
  app.setAdapter({ ...info });
  const what = info.checkpoint ? `LoRA checkpoint at step ${formatInt(info.checkpoint.step)}` : 'LoRA adapter';
  setModelStatus(`${cur.name ? `"${cur.name}"` : 'the model'} + ${what} "${name}" (rank ${info.rank}, ${info.targets.join(', ')})`, cur.model);
  announce(`Loaded the ${what} "${name}" onto the current model.${info.checkpoint ? ' Resume its training in step 3.' : ' Talk to it in step 4.'}`);
}
