#!/usr/bin/env bash
# bench-format.sh: the SLLM format benchmark (sizes, JSON comparison, save/load times and the
# validation loss of each dtype) on bench:learn's model, training it first if it is missing.
# The last line is one JSON object.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/setup.sh --no-browser
scripts/build-native.sh >/dev/null
[ -f bench/out/shakespeare-char.sllm ] || scripts/bench-learn.sh >&2
exec build/native/bench/bench_format bench/out ../shared/data/tinyshakespeare.txt
