#!/usr/bin/env bash
# test.sh: what `npm test` runs. Sets up what is missing, builds, and runs every test suite.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/setup.sh
echo "== native build"
scripts/build-native.sh
echo "== native tests (Catch2 via CTest)"
ctest --test-dir build/native --output-on-failure -j"$(nproc)"
