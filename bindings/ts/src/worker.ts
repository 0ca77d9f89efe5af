// worker.ts: the module Worker that createWorkerEngine() starts (`new Worker(new URL('./worker.js',
// import.meta.url), { type: 'module' })`, a pattern Vite and webpack bundle). It exposes a
// WorkerHost, the main-thread engine run inside the worker, to the page through Comlink.
import { expose } from 'comlink';
import { WorkerHost } from './worker-host.js';

expose(new WorkerHost());
