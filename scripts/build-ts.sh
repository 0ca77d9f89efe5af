#!/usr/bin/env bash
# build-ts.sh: compiles the TypeScript package (bindings/ts/src) with tsc into dist/
# (index.js, worker.js, store/, their .d.ts files, ...), next to dist/wasm/ from build-wasm.sh.
# Stale outputs go first.
set -euo pipefail
cd "$(dirname "$0")/.."
mkdir -p dist
find dist -type f \( -name '*.js' -o -name '*.d.ts' \) -not -path 'dist/wasm/*' -delete
node_modules/.bin/tsc -p bindings/ts/tsconfig.json
echo "build-ts: dist/index.js and its .d.ts files"
