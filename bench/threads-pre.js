// threads-pre.js: --pre-js of the wasm threads benchmarks (bench_*_simd_threads.cjs, run by Node):
// Emscripten starts this many pthread Web Workers (worker_threads) before main, one fewer than
// the most threads the command line asks for (--threads N) or the logical processors.
var sllmBenchPool = (function () {
  var most = require('os').cpus().length;
  var argv = process.argv;
  for (var i = 0; i + 1 < argv.length; i++) if (argv[i] === '--threads') most = Math.max(most, Number(argv[i + 1]) || 1);
  return Math.max(1, most - 1);
})();
