#!/usr/bin/env bash
# bench-gguf.sh: the GGUF benchmark (bench/gguf.cpp): sizes of the small preset as GGUF and as
# SLLM in each dtype, their ratio, and export/import times. The last line is one JSON object.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/setup.sh --no-browser
scripts/build-native.sh >/dev/null
exec build/native/bench/bench_gguf ../shared/data/tinyshakespeare.txt
