#!/usr/bin/env bash
# fuzz.sh: builds the libFuzzer harness for the SLLM reader (clang with
# -fsanitize=fuzzer,address,undefined), makes a seed corpus of real files (f32, f16, q8_0, q4_0,
# a checkpoint, char/word/BPE tokenizers) with the native tools, and fuzzes for SECONDS
# (default 600). Not part of npm test. Usage: scripts/fuzz.sh [SECONDS] [extra libFuzzer flags]
set -euo pipefail
cd "$(dirname "$0")/.."
secs=${1:-600}
shift || true
out=build/fuzz
mkdir -p "$out/corpus" "$out/crashes"
scripts/build-native.sh >/dev/null
# Seeds: small models trained for a few steps on a tiny text.
text="$out/seed.txt"
printf 'the cat sat on the mat.\nthe dog sat on the log.\n%.0s' {1..40} > "$text"
train() { build/native/sllm-train --data "$text" --layers 1 --dim 32 --heads 2 --ffn 32 --context 8 \
  --batch 2 --steps 2 --eval-interval 0 --val-fraction 0.2 --sample-len 0 --quiet "$@" >/dev/null; }
for dt in f32 f16 q8_0 q4_0; do train --save "$out/corpus/model-$dt.sllm" --save-dtype "$dt"; done
train --checkpoint "$out/corpus/checkpoint.sllm" --stop-at 1
train --tokenizer word --vocab-size 24 --save "$out/corpus/model-word.sllm"
train --tokenizer bpe --vocab-size 300 --save "$out/corpus/model-bpe.sllm" --save-dtype q8_0
srcs=$(ls src/core/*.cpp src/kernels/*.cpp src/model/*.cpp src/optim/*.cpp src/tokenizer/*.cpp \
  src/data/*.cpp src/train/*.cpp src/generate/*.cpp src/format/*.cpp)
if [ ! -x "$out/fuzz_sllm_reader" ] || [ -n "$(find src native-tests/fuzz -newer "$out/fuzz_sllm_reader" -name '*.[ch]*' | head -1)" ]; then
  echo "fuzz: building the harness"
  clang++ -std=c++17 -O1 -g -fsanitize=fuzzer,address,undefined -fno-sanitize-recover=undefined \
    -Isrc -Ibuild/native/generated $srcs native-tests/fuzz/fuzz_sllm_reader.cpp -o "$out/fuzz_sllm_reader"
fi
max_len=$(stat -c %s "$out"/corpus/* | sort -n | tail -1)
echo "fuzz: running for $secs s (seeds: $(ls "$out/corpus" | wc -l), max_len $max_len)"
"$out/fuzz_sllm_reader" "$out/corpus" -max_total_time="$secs" -max_len="$max_len" -rss_limit_mb=4096 \
  -artifact_prefix="$out/crashes/" -print_final_stats=1 "$@"
# Then the Hugging Face readers (safetensors + model import, tokenizer.json) for as long each.
scripts/fuzz-hf.sh "$secs"
