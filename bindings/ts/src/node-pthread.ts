// node-pthread.ts (internal, Node only): the entry of a worker thread that hosts one pthread of
// the threads build (see node-threads.ts). It gives the Emscripten worker script
// (sllm-simd-threads.worker.js, written for a Web Worker) the global scope it expects (self,
// postMessage, onmessage, importScripts marking a worker, location), imports it, and delivers
// the messages that arrived meanwhile, in order.

const specifier = 'node:worker_threads';
const { parentPort, workerData } = (await import(/* @vite-ignore */ /* webpackIgnore: true */ specifier)) as {
  parentPort: { on(event: 'message', listener: (data: unknown) => void): void; postMessage(d: unknown, t?: never): void };
  workerData: { script: string };
};

const scope = globalThis as unknown as {
  self: unknown;
  postMessage(data: unknown, transfer?: readonly unknown[]): void;
  onmessage?: (event: { data: unknown }) => void;
  importScripts(): never;
  location: { href: string };
};
const port = parentPort;
const script = workerData.script;
scope.self = scope;
scope.postMessage = (data, transfer) => port.postMessage(data, transfer as never);
scope.importScripts = () => {
  throw new Error('importScripts is not available');
};
scope.location = { href: script };
const early: unknown[] = [];
let ready = false;
port.on('message', (data: unknown) => {
  if (ready) scope.onmessage?.({ data });
  else early.push(data);
});
await import(script);
ready = true;
for (const data of early) scope.onmessage?.({ data });
