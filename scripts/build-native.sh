#!/usr/bin/env bash
# build-native.sh: configures and builds the native core, tools and tests into build/native.
# Extra arguments go to CMake's configure step (e.g. -DSLLM_SANITIZE=address,undefined).
set -euo pipefail
cd "$(dirname "$0")/.."
dir=${SLLM_NATIVE_BUILD_DIR:-build/native}
cmake -S . -B "$dir" -DCMAKE_BUILD_TYPE=Release "$@" >/dev/null
cmake --build "$dir" -j"$(nproc)"
