// node-threads.ts (internal, Node only): the Web Worker the threads build's glue creates for each
// pthread, made of a worker_threads Worker. The glue uses onmessage, onerror, postMessage and
// terminate; the worker thread runs node-pthread.js, which gives the Emscripten worker script a
// Web Worker's global scope. The threads are unref()'d: idle pthreads do not keep Node running.
// liveWorkers() counts the workers not yet exited (tests check that disposing an engine ends them).

/** The part of node:worker_threads' Worker used here (the package is typed without Node's types). */
interface NodeWorker {
  on(event: 'exit' | 'message' | 'error', listener: (arg: never) => void): void;
  postMessage(data: unknown, transfer?: never): void;
  terminate(): Promise<number>;
  unref(): void;
}
const specifier = 'node:worker_threads';
const { Worker } = (await import(/* @vite-ignore */ /* webpackIgnore: true */ specifier)) as {
  Worker: new (url: URL, options: { workerData: unknown }) => NodeWorker;
};

let live = 0;

/** Worker threads started by threads-build engines and not yet exited. */
export function liveWorkers(): number {
  return live;
}

export class NodeWebWorker {
  onmessage: ((event: { data: unknown }) => void) | null = null;
  onerror: ((event: { message: string; filename: string; lineno: number }) => void) | null = null;
  readonly #worker: NodeWorker;

  constructor(url: string | URL) {
    this.#worker = new Worker(new URL('./node-pthread.js', import.meta.url), { workerData: { script: String(url) } });
    ++live;
    this.#worker.on('exit', () => --live);
    this.#worker.on('message', (data: unknown) => this.onmessage?.({ data }));
    this.#worker.on('error', (e: Error) => this.onerror?.({ message: e.message, filename: String(url), lineno: 0 }));
    this.#worker.unref();
  }

  postMessage(data: unknown, transfer?: readonly unknown[]): void {
    this.#worker.postMessage(data, transfer as never);
  }

  terminate(): void {
    void this.#worker.terminate();
  }
}
