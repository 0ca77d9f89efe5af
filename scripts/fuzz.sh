#!/usr/bin/env bash
# fuzz.sh: builds the libFuzzer harnesses for the SLLM reader and the GGUF reader (clang with
# -fsanitize=fuzzer,address,undefined), makes seed corpora of real files (SLLM: f32, f16, q8_0,
# q4_0, a checkpoint, char/word/BPE tokenizers; GGUF: the same models exported, both
# architectures, and the files llama.cpp's tooling wrote in native-tests/fixtures/gguf/) with the
# native tools, and fuzzes each for SECONDS (default 600); with "both" (the default), then the
# Hugging Face readers (scripts/fuzz-hf.sh: safetensors with the model import, tokenizer.json).
# Not part of npm test. Usage: scripts/fuzz.sh [SECONDS] [sllm|gguf|both] [extra libFuzzer flags]
set -euo pipefail
cd "$(dirname "$0")/.."
secs=${1:-600}
shift || true
which=${1:-both}
shift || true
out=build/fuzz
mkdir -p "$out/corpus" "$out/gguf-corpus" "$out/crashes"
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
# GGUF seeds: the SLLM seeds exported, and llama.cpp's own files.
if [ -x build/native/sllm-convert ]; then
  for f in "$out"/corpus/model-*.sllm; do
    build/native/sllm-convert "$f" "$out/gguf-corpus/$(basename "${f%.sllm}").gguf" >/dev/null 2>&1 || true
  done
fi
cp native-tests/fixtures/gguf/*.gguf "$out/gguf-corpus/" 2>/dev/null || true
srcs=$(ls src/core/*.cpp src/kernels/*.cpp src/model/*.cpp src/optim/*.cpp src/tokenizer/*.cpp \
  src/data/*.cpp src/train/*.cpp src/generate/*.cpp src/format/*.cpp)
run() {  # run NAME CORPUS
  local bin="$out/fuzz_$1"
  if [ ! -x "$bin" ] || [ -n "$(find src native-tests/fuzz -newer "$bin" -name '*.[ch]*' | head -1)" ]; then
    echo "fuzz: building the $1 harness"
    clang++ -std=c++17 -O1 -g -fsanitize=fuzzer,address,undefined -fno-sanitize-recover=undefined \
      -Isrc -Ibuild/native/generated $srcs "native-tests/fuzz/fuzz_$1.cpp" -o "$bin"
  fi
  local max_len
  max_len=$(stat -c %s "$2"/* | sort -n | tail -1)
  echo "fuzz: $1 for $secs s (seeds: $(ls "$2" | wc -l), max_len $max_len)"
  "$bin" "$2" -max_total_time="$secs" -max_len="$max_len" -rss_limit_mb=4096 \
    -artifact_prefix="$out/crashes/$1-" -print_final_stats=1 "${@:3}"
}
if [ "$which" != gguf ]; then run sllm_reader "$out/corpus" "$@"; fi
if [ "$which" != sllm ]; then run gguf_reader "$out/gguf-corpus" "$@"; fi
# Then the Hugging Face readers (safetensors + model import, tokenizer.json) for as long each.
if [ "$which" = both ]; then scripts/fuzz-hf.sh "$secs"; fi
