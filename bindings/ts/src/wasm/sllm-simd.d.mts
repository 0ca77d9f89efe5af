// Types of the Emscripten glue dist/wasm/sllm-simd.mjs (built by scripts/build-wasm.sh).
import type { ModuleFactory } from '../glue.js';
declare const createSllmModule: ModuleFactory;
export default createSllmModule;
