#!/usr/bin/env bash
# test.sh: what `npm test` runs. Sets up what is missing, builds, and runs every test suite:
# the native Catch2 suite (plain and under AddressSanitizer + UndefinedBehaviorSanitizer), then
# the WebAssembly build with the kernel tests compiled to wasm, the TypeScript package and its
# Vitest suite in Node (wasm-tests/ and the demo's unit tests in web/src/), the package in
# Chromium and Firefox (wasm-tests/browser/), and last the demo page end to end in both
# (web/tests/: the whole page, then its chat view).
set -euo pipefail
cd "$(dirname "$0")/.."
jobs=$(nproc)
scripts/setup.sh
echo "== native build"
scripts/build-native.sh
echo "== native tests (Catch2 via CTest)"
ctest --test-dir build/native --output-on-failure -j"$jobs"
echo "== native tests under AddressSanitizer and UndefinedBehaviorSanitizer"
SLLM_NATIVE_BUILD_DIR=build/asan scripts/build-native.sh -DSLLM_SANITIZE=address,undefined -DSLLM_NATIVE_ARCH=OFF \
  -DCMAKE_BUILD_TYPE=RelWithDebInfo >/dev/null
ASAN_OPTIONS=detect_leaks=1 UBSAN_OPTIONS=print_stacktrace=1 ctest --test-dir build/asan --output-on-failure -j"$jobs"
echo "== wasm build (Emscripten) and TypeScript package"
scripts/build-wasm.sh
echo "== kernel tests compiled to wasm (SIMD, scalar and SIMD + threads builds, run by Node via CTest)"
NODE_PATH=/usr/share/nodejs cmake --build build/wasm -j"$jobs" --target sllm_wasm_tests_simd sllm_wasm_tests_scalar \
  sllm_wasm_tests_simd_threads
ctest --test-dir build/wasm --output-on-failure -j"$jobs"
scripts/build-ts.sh
node_modules/.bin/tsc -p wasm-tests/tsconfig.json
echo "== wasm tests (Vitest, Node)"
status=0
node_modules/.bin/vitest run --reporter=default --reporter=json --outputFile.json=build/vitest-results.json || status=$?
summary() {
  node -e '
    const r = JSON.parse(require("fs").readFileSync(process.argv[1], "utf8"));
    console.log(`${process.argv[2]}: ${r.numPassedTests} passed, ${r.numFailedTests} failed, ${r.numPendingTests + r.numTodoTests} skipped`);
  ' "$1" "$2" || true
}
summary build/vitest-results.json vitest
echo "== browser tests (Chromium by playwright-core, Firefox by puppeteer-core over WebDriver BiDi; screenshots and logs in wasm-tests/artifacts/)"
node_modules/.bin/vitest run -c wasm-tests/browser/vitest.config.ts --reporter=default --reporter=json \
  --outputFile.json=build/vitest-browser-results.json || status=$?
summary build/vitest-results.json vitest
summary build/vitest-browser-results.json "vitest (Chromium, Firefox)"
echo "== demo page end to end in Chromium and Firefox (web/tests/demo.e2e.mjs; screenshots in web/tests/artifacts/)"
node_modules/.bin/tsc -p web/tsconfig.json && node web/tests/demo.e2e.mjs || status=1
echo "== the demo's chat view end to end in Chromium (web/tests/chat.e2e.mjs; screenshots in web/tests/artifacts/chat/)"
node web/tests/chat.e2e.mjs --no-build || status=1
exit "$status"
