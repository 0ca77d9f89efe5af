// threads-pre.js: --pre-js of the threads build (sllm-simd-threads.mjs), run when the module is
// instantiated. The package passes in Module:
// - sllmPoolSize: how many pthread Web Workers to start (and load) before the module resolves
//   (-sPTHREAD_POOL_SIZE=sllmPoolSize); at least one, or Emscripten would wait forever;
// - sllmWorker: the Worker class to start them with: in browsers, Worker making module workers
//   (threads.ts says why); in Node, which has no Web Workers, a Web-Worker-like class over
//   worker_threads (dist/node-threads.js).
var sllmPoolSize = Math.max(1, Module['sllmPoolSize'] | 0);
var Worker = Module['sllmWorker'] || globalThis.Worker;
