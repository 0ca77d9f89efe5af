#!/usr/bin/env bash
# fuzz-hf.sh: builds the libFuzzer harnesses for Hugging Face input (clang with
# -fsanitize=fuzzer,address,undefined) and fuzzes each for SECONDS (default 600): the safetensors
# header reader with the model import behind it (seeded with the committed fixtures' safetensors
# files and a few small files written here), then the tokenizer.json import (seeded with the
# fixtures' tokenizer.json files). Run by scripts/fuzz.sh after the SLLM reader; not part of npm
# test. Usage: scripts/fuzz-hf.sh [SECONDS] [extra libFuzzer flags]
set -euo pipefail
cd "$(dirname "$0")/.."
secs=${1:-600}
shift || true
out=build/fuzz-hf
fixtures=native-tests/fixtures/hf
mkdir -p "$out/st" "$out/tok" "$out/crashes"
for f in "$fixtures"/*/*.safetensors; do cp "$f" "$out/st/$(basename "$(dirname "$f")")-$(basename "$f")"; done
for f in "$fixtures"/*/tokenizer.json; do cp "$f" "$out/tok/$(basename "$(dirname "$f")")-tokenizer.json"; done
python3 - "$out/st" <<'PY'
import json, struct, sys
def write(path, tensors, meta=None):
    header, data = {}, b""
    if meta: header["__metadata__"] = meta
    for name, dtype, shape, raw in tensors:
        header[name] = {"dtype": dtype, "shape": shape, "data_offsets": [len(data), len(data) + len(raw)]}
        data += raw
    h = json.dumps(header).encode()
    h += b" " * (-len(h) % 8)
    open(path, "wb").write(struct.pack("<Q", len(h)) + h + data)
d = sys.argv[1]
write(f"{d}/seed-f32.safetensors", [("a.weight", "F32", [2, 3], struct.pack("<6f", *range(6))),
                                    ("a.bias", "F16", [3], b"\x00\x3c" * 3)], {"format": "pt"})
write(f"{d}/seed-bf16.safetensors", [("x", "BF16", [4], b"\x80\x3f" * 4), ("s", "F32", [], b"\0\0\x80\x3f"),
                                     ("e", "I64", [0], b"")])
PY
scripts/build-native.sh >/dev/null  # the generated presets header
srcs=$(ls src/core/*.cpp src/kernels/*.cpp src/model/*.cpp src/optim/*.cpp src/tokenizer/*.cpp \
  src/data/*.cpp src/train/*.cpp src/generate/*.cpp src/format/*.cpp)
for h in fuzz_safetensors fuzz_hf_tokenizer; do
  if [ ! -x "$out/$h" ] || [ -n "$(find src native-tests/fuzz -newer "$out/$h" -name '*.[ch]*' | head -1)" ]; then
    echo "fuzz-hf: building $h"
    clang++ -std=c++17 -O1 -g -fsanitize=fuzzer,address,undefined -fno-sanitize-recover=undefined \
      -Isrc -Ibuild/native/generated $srcs "native-tests/fuzz/$h.cpp" -o "$out/$h"
  fi
done
run() {  # harness corpus
  local max_len
  max_len=$(stat -c %s "$out/$2"/* | sort -n | tail -1)
  echo "fuzz-hf: $1 for $secs s (seeds: $(ls "$out/$2" | wc -l), max_len $max_len)"
  SLLM_FIXTURE_DIR="$fixtures/gpt2" "$out/$1" "$out/$2" -max_total_time="$secs" -max_len="$max_len" -rss_limit_mb=4096 \
    -artifact_prefix="$out/crashes/" -print_final_stats=1 "${@:3}"
}
run fuzz_safetensors st "$@"
run fuzz_hf_tokenizer tok "$@"
