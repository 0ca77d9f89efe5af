#!/usr/bin/env bash
# build-wasm.sh: builds the WebAssembly modules with Emscripten into build/wasm and copies them
# to dist/wasm/: sllm.{mjs,wasm} (scalar) and sllm-simd.{mjs,wasm}. Extra arguments go to
# CMake's configure step.
set -euo pipefail
cd "$(dirname "$0")/.."
dir=${SLLM_WASM_BUILD_DIR:-build/wasm}
# Emscripten's JS optimizer needs Debian's node modules (acorn) on NODE_PATH.
export NODE_PATH=${NODE_PATH:+$NODE_PATH:}/usr/share/nodejs
if ! out=$(emcmake cmake -S . -B "$dir" -DCMAKE_BUILD_TYPE=Release "$@" 2>&1); then echo "$out" >&2; exit 1; fi
targets=(sllm sllm-simd)
cmake --build "$dir" -j"$(nproc)" --target "${targets[@]}"
mkdir -p dist/wasm
rm -f dist/wasm/sllm*.mjs dist/wasm/sllm*.wasm
for t in "${targets[@]}"; do cp "$dir/modules/$t.mjs" "$dir/modules/$t.wasm" dist/wasm/; done
echo "build-wasm: dist/wasm/ has ${targets[*]}"
