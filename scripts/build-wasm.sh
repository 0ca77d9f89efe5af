#!/usr/bin/env bash
# build-wasm.sh: builds the WebAssembly modules with Emscripten into build/wasm and copies them
# to dist/wasm/: sllm.{mjs,wasm} (scalar), sllm-simd.{mjs,wasm} and the threads build
# sllm-simd-threads.{mjs,wasm} with its pthread worker script sllm-simd-threads.worker.js.
# Extra arguments go to CMake's configure step.
set -euo pipefail
cd "$(dirname "$0")/.."
dir=${SLLM_WASM_BUILD_DIR:-build/wasm}
# Emscripten's JS optimizer needs Debian's node modules (acorn) on NODE_PATH.
export NODE_PATH=${NODE_PATH:+$NODE_PATH:}/usr/share/nodejs
if ! out=$(emcmake cmake -S . -B "$dir" -DCMAKE_BUILD_TYPE=Release "$@" 2>&1); then echo "$out" >&2; exit 1; fi
targets=(sllm sllm-simd sllm-simd-threads)
cmake --build "$dir" -j"$(nproc)" --target "${targets[@]}"
mkdir -p dist/wasm
rm -f dist/wasm/sllm*.mjs dist/wasm/sllm*.wasm dist/wasm/sllm*.worker.js
for t in "${targets[@]}"; do
  cp "$dir/modules/$t.mjs" "$dir/modules/$t.wasm" dist/wasm/
  if [ -f "$dir/modules/$t.worker.js" ]; then cp "$dir/modules/$t.worker.js" dist/wasm/; fi
done
echo "build-wasm: dist/wasm/ has ${targets[*]}"
