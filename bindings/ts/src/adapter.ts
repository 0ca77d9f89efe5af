// adapter.ts (internal): the core's JSON about a model's LoRA adapter as the package's types,
// and the checked options of saveAdapter().

import { SllmInvalidArgumentError } from './errors.js';
import { checkMetadata } from './metadata.js';
import { trainConfigFromJson } from './options.js';
import type { AdapterInfo, AdapterSaveOptions, CheckpointInfo, LoadedAdapterInfo, LoraTarget } from './types.js';

function checkpointInfo(cp: Record<string, unknown>): CheckpointInfo {
  return Object.freeze({
    step: cp.step as number,
    tokensSeen: cp.tokens_seen as number,
    bestValLoss: (cp.best_val_loss as number | null) ?? Infinity, // JSON has no Infinity
    config: Object.freeze(trainConfigFromJson(cp.config as Record<string, unknown>)),
  });
}

/** The adapter's facts from ModelHandle.adapterJson() ("null": none). */
export function adapterInfo(json: string): AdapterInfo | undefined {
  const j = JSON.parse(json) as Record<string, unknown> | null;
  if (!j) return undefined;
  return {
    rank: j.rank as number,
    alpha: j.alpha as number,
    dropout: j.dropout as number,
    targets: j.targets as LoraTarget[],
    parameterCount: j.parameterCount as number,
    enabled: j.enabled as boolean,
  };
}

/** What ModelHandle.loadAdapter() reports. */
export function loadedAdapterInfo(json: string): LoadedAdapterInfo {
  const j = JSON.parse(json) as Record<string, unknown>;
  const info: LoadedAdapterInfo = { ...adapterInfo(json)!, metadata: (j.metadata as Record<string, string>) ?? {} };
  if (j.checkpoint) info.checkpoint = checkpointInfo(j.checkpoint as Record<string, unknown>);
  return info;
}

/** The checked options of saveAdapter() as the core reads them. */
export function adapterSaveJson(options: AdapterSaveOptions = {}): string {
  const { metadata, ...rest } = options;
  const unknown = Object.keys(rest);
  if (unknown.length) throw new SllmInvalidArgumentError(`unknown saveAdapter option "${unknown[0]}"; use metadata`);
  return JSON.stringify({ metadata: checkMetadata(metadata, 'saveAdapter') });
}
