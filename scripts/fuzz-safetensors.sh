#!/usr/bin/env bash
# fuzz-safetensors.sh: builds the libFuzzer harness for the safetensors header reader (clang with
# -fsanitize=fuzzer,address,undefined) and fuzzes it for SECONDS (default 600), seeded with the
# committed Hugging Face fixtures (native-tests/fixtures/hf/*/*.safetensors) and a few small
# files written here. Run by scripts/fuzz.sh after the SLLM reader; not part of npm test.
# Usage: scripts/fuzz-safetensors.sh [SECONDS] [extra libFuzzer flags]
set -euo pipefail
cd "$(dirname "$0")/.."
secs=${1:-600}
shift || true
out=build/fuzz-safetensors
mkdir -p "$out/corpus" "$out/crashes"
for f in native-tests/fixtures/hf/*/*.safetensors; do
  [ -e "$f" ] && cp "$f" "$out/corpus/$(basename "$(dirname "$f")")-$(basename "$f")"
done
python3 - "$out/corpus" <<'PY'
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
srcs=$(ls src/core/*.cpp src/format/safetensors*.cpp src/format/dtype.cpp)
bin="$out/fuzz_safetensors"
if [ ! -x "$bin" ] || [ -n "$(find src native-tests/fuzz -newer "$bin" -name '*.[ch]*' | head -1)" ]; then
  echo "fuzz-safetensors: building the harness"
  clang++ -std=c++17 -O1 -g -fsanitize=fuzzer,address,undefined -fno-sanitize-recover=undefined \
    -Isrc $srcs native-tests/fuzz/fuzz_safetensors.cpp -o "$bin"
fi
max_len=$(stat -c %s "$out"/corpus/* | sort -n | tail -1)
echo "fuzz-safetensors: running for $secs s (seeds: $(ls "$out/corpus" | wc -l), max_len $max_len)"
"$bin" "$out/corpus" -max_total_time="$secs" -max_len="$max_len" -rss_limit_mb=4096 \
  -artifact_prefix="$out/crashes/" -print_final_stats=1 "$@"
