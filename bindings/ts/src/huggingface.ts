// huggingface.ts (internal): checking what the package's Hugging Face calls are given: the
// files (names reduced to their last part, as a dropped folder names them with directories)
// and the options, for both engines.

import { SllmInvalidArgumentError } from './errors.js';
import { checkMetadata } from './metadata.js';
import type { HuggingFaceExportOptions, HuggingFaceFiles, ImportHuggingFaceOptions } from './types.js';

/** The files as [name, bytes] pairs with bare names; throws for anything else or two files of one name. */
export function folderEntries(files: HuggingFaceFiles): [string, Uint8Array][] {
  if (typeof files !== 'object' || files === null || files instanceof Uint8Array)
    throw new SllmInvalidArgumentError('importHuggingFace needs the folder as { [file name]: Uint8Array }');
  const seen = new Map<string, string>();
  const out: [string, Uint8Array][] = [];
  for (const [path, bytes] of Object.entries(files)) {
    if (!(bytes instanceof Uint8Array))
      throw new SllmInvalidArgumentError(`importHuggingFace: "${path}" must be a Uint8Array (new Uint8Array(await file.arrayBuffer()))`);
    const name = path.split(/[\\/]/).pop() ?? path;
    const before = seen.get(name);
    if (before !== undefined) throw new SllmInvalidArgumentError(`importHuggingFace: "${before}" and "${path}" are both ${name}; give one folder`);
    seen.set(name, path);
    out.push([name, bytes]);
  }
  return out;
}

export function importOptionsJson(options: ImportHuggingFaceOptions): string {
  const { maxContext, transfer, ...rest } = options ?? {};
  const unknown = Object.keys(rest);
  if (unknown.length) throw new SllmInvalidArgumentError(`unknown import option "${unknown[0]}"; use maxContext, transfer`);
  if (transfer !== undefined && typeof transfer !== 'boolean') throw new SllmInvalidArgumentError('transfer must be true or false');
  if (maxContext !== undefined && !(Number.isInteger(maxContext) && maxContext > 0))
    throw new SllmInvalidArgumentError(`maxContext must be a positive whole number, not ${String(maxContext)}`);
  return JSON.stringify(maxContext !== undefined ? { max_context: maxContext } : {});
}

export function exportOptionsJson(options: HuggingFaceExportOptions): string {
  const { dtype, metadata, ...rest } = options ?? {};
  const unknown = Object.keys(rest);
  if (unknown.length) throw new SllmInvalidArgumentError(`unknown toHuggingFace option "${unknown[0]}"; use dtype, metadata`);
  return JSON.stringify({ dtype, metadata: checkMetadata(metadata, 'toHuggingFace') });
}
