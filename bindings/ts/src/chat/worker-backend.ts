// chat/worker-backend.ts (internal): the Worker engine's completion backend, on the page's
// thread. start() asks the worker to prepare the job (so a bad request rejects create()), and
// the events are pulled from the worker one time slice at a time (chat/worker-ops.ts). An
// abort of the request's signal is forwarded: the worker ends the reply with finish_reason
// 'abort'. Leaving a stream early ends the operation in the worker (releasing the model).

import type { Connection } from '../worker-connection.js';
import type { WorkerModel } from '../worker-handles.js';
import type { CompletionBackend, CompletionEvent } from './api.js';
import type { ChatTarget } from './registry.js';
import type { CompletionJob } from './request.js';

async function* pullEvents(conn: Connection, opId: number, signal: AbortSignal | undefined): AsyncGenerator<CompletionEvent> {
  let finished = false;
  const onAbort = () => conn.send((r) => r.abort(opId, 'the completion was aborted'));
  if (signal?.aborted) onAbort();
  signal?.addEventListener('abort', onAbort);
  try {
    while (!finished) {
      let answer;
      try {
        answer = await conn.call((r) => r.pullCompletion(opId));
      } catch (e) {
        finished = true;
        throw e;
      }
      finished = answer.done;
      yield* answer.events;
    }
  } finally {
    signal?.removeEventListener('abort', onAbort);
    if (!finished) conn.send((r) => r.finish(opId));
  }
}

export function workerBackend(conn: Connection): CompletionBackend<WorkerModel> {
  return {
    async start(target: ChatTarget<WorkerModel>, job: CompletionJob, signal: AbortSignal | undefined) {
      target.model.check();
      const opId = conn.id();
      await conn.call((r) => r.startCompletion(opId, target.model.id, job));
      return pullEvents(conn, opId, signal);
    },
  };
}
