#!/usr/bin/env bash
# test.sh: what `npm test` runs. Sets up what is missing, builds, and runs every test suite:
# the native Catch2 suite (plain and under AddressSanitizer + UndefinedBehaviorSanitizer).
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
