// node-worker.ts: runs the package's worker entry (dist/worker.js) in a Node worker thread
// behind the parts of the Web Worker interface Comlink and createWorkerEngine use
// (postMessage with transfers, message and error events, terminate), so the Worker engine's
// protocol is tested in Node; the real Web Worker is tested in Chromium (wasm-tests/browser/).
import { Worker as NodeWorker } from 'node:worker_threads';
import type { WorkerLike } from '../dist/index.js';

type Listener = (event: { data?: unknown; message?: string }) => void;

/** A Web-Worker-like handle on dist/worker.js (or on `code`, a module's source, to test failures). */
export function nodeWorker(code?: string): WorkerLike {
  const entry = new URL('../dist/worker.js', import.meta.url).href;
  const load = code === undefined ? `await import(${JSON.stringify(entry)});` : code;
  // The worker scope of a browser: self, postMessage and message events on the global object;
  // as in a browser, messages wait until the worker's module has been evaluated.
  const bootstrap = `
    import { parentPort } from 'node:worker_threads';
    const listeners = new Set();
    globalThis.self = globalThis;
    globalThis.postMessage = (data, transfer) => parentPort.postMessage(data, transfer);
    globalThis.addEventListener = (type, l) => { if (type === 'message') listeners.add(l); };
    globalThis.removeEventListener = (type, l) => { listeners.delete(l); };
    ${load}
    parentPort.on('message', (data) => { for (const l of listeners) l({ data }); });
  `;
  const w = new NodeWorker(new URL(`data:text/javascript,${encodeURIComponent(bootstrap)}`));
  const wrapped = new Map<Listener, (data: unknown) => void>();
  return {
    postMessage: (data: unknown, transfer?: unknown[]) => w.postMessage(data, transfer as never),
    addEventListener(type: string, l: Listener) {
      const f = type === 'message' ? (data: unknown) => l({ data }) : (e: unknown) => l({ message: (e as Error).message });
      wrapped.set(l, f);
      w.on(type === 'message' ? 'message' : 'error', f);
    },
    removeEventListener(type: string, l: Listener) {
      const f = wrapped.get(l);
      if (f) w.off(type === 'message' ? 'message' : 'error', f);
    },
    terminate() {
      void w.terminate();
    },
  };
}
