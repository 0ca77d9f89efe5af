// chat/worker-ops.ts (internal): the worker's half of the chat API (chat/worker-backend.ts is
// the page's). The worker runs the main-thread engine, so a job runs on the main-thread
// backend (chat/local.ts) with an AbortController the page's abort messages trigger; each pull
// returns the events of one time slice. A request error crosses as an encoded SllmRequestError.

import type { Model } from '../types.js';
import type { WasmModel } from '../model.js';
import type { CompletionEvent } from './api.js';
import { SllmRequestError } from './errors.js';
import { localBackend } from './local.js';
import type { CompletionJob } from './request.js';

/** Longest stretch of generation (ms) one pull collects events for (as a generation stream's). */
const SLICE_MS = 25;

export interface CompletionOp {
  iterator: AsyncIterator<CompletionEvent>;
  controller: AbortController;
}

/** Prepares a job on a model of the worker's engine; errors are sent in a form the page revives. */
export async function startCompletionOp(model: Model, job: CompletionJob): Promise<CompletionOp> {
  const controller = new AbortController();
  try {
    const events = await localBackend.start({ model: model as WasmModel, name: '', chatTemplate: undefined }, job,
      controller.signal);
    return { iterator: events[Symbol.asyncIterator](), controller };
  } catch (e) {
    throw e instanceof SllmRequestError ? SllmRequestError.encode(e) : e;
  }
}

/** The events of one time slice; done once the finish event is among them. */
export async function pullCompletionOp(op: CompletionOp): Promise<{ done: boolean; events: CompletionEvent[] }> {
  const events: CompletionEvent[] = [];
  const start = performance.now();
  do {
    const r = await op.iterator.next();
    if (r.done) return { done: true, events };
    events.push(r.value);
    if ('finish' in r.value) return { done: true, events };
  } while (performance.now() - start < SLICE_MS && !op.controller.signal.aborted);
  return { done: false, events };
}
